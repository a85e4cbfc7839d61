import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';

/** Where @Transactional() was put: the class and, for a method, its name. */
const placements: Array<{ target: Function; method: string | undefined }> = [];

/** Called by @Transactional() for every class or method it decorates. */
export function recordTransactional(target: Function, method: string | undefined): void {
  placements.push({ target, method });
}

/**
 * mariapool's @Transactional() is an interceptor: Nest runs it on controller handlers only, and on
 * a service method it would do nothing, silently. At startup, any placement on a provider of this
 * app that is not a controller fails the start, pointing to what works there.
 */
@Injectable()
export class TransactionalPlacementCheck implements OnApplicationBootstrap {
  constructor(private readonly discovery: DiscoveryService) {}

  onApplicationBootstrap(): void {
    const controllers = new Set(this.discovery.getControllers().map((w) => w.metatype));
    const providers = new Set(this.discovery.getProviders().map((w) => w.metatype));
    for (const { target, method } of placements) {
      if (controllers.has(target as never) || !providers.has(target as never)) continue;
      const where = method === undefined ? target.name : `${target.name}.${method}()`;
      throw new Error(
        `@Transactional() from @mariapool/nestjs on ${where}: it only works on controller handlers (it is an interceptor), ` +
          'and on a provider it would do nothing. For transactions in services, use @nestjs-cls/transactional with ' +
          'TransactionalAdapterMariapool from @mariapool/nestjs/cls.',
      );
    }
  }
}
