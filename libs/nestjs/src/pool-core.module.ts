import { Global, Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { PoolRegistry } from './pool.registry.js';
import { TransactionalPlacementCheck } from './transactional-placement.js';
import { RequestLinkMiddleware } from './request-link.middleware.js';

/**
 * Shared by every PoolModule.forRoot(): the app's pool registry, the request link middleware, and
 * the startup check of where @Transactional() was put.
 */
@Global()
@Module({ imports: [DiscoveryModule], providers: [PoolRegistry, TransactionalPlacementCheck], exports: [PoolRegistry] })
export class PoolCoreModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestLinkMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
