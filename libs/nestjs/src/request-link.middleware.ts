import { Injectable, type NestMiddleware } from '@nestjs/common';
import { PoolRegistry } from './pool.registry.js';
import { linkRequest } from './request-scope.js';

/**
 * Ties each request to its response and the app's pools, so `@Conn()`, `@Transactional()` and the
 * REQUEST-scoped connection can release at the response's end on both platforms (a Fastify
 * request object has no reference to its reply). Borrows nothing.
 */
@Injectable()
export class RequestLinkMiddleware implements NestMiddleware {
  constructor(private readonly registry: PoolRegistry) {}

  use(req: unknown, res: unknown, next: (error?: unknown) => void): void {
    linkRequest(req, res, this.registry);
    next();
  }
}
