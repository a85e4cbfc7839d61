import { Global, Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { PoolRegistry } from './pool.registry.js';
import { RequestLinkMiddleware } from './request-link.middleware.js';

/** Shared by every PoolModule.forRoot(): the app's pool registry and the request link middleware. */
@Global()
@Module({ providers: [PoolRegistry], exports: [PoolRegistry] })
export class PoolCoreModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestLinkMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
