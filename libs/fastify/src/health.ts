import { checkPool, type Pool } from '@mariapool/core';

/**
 * For `@fastify/under-pressure`'s `healthCheck`: resolves the pool's health (`checkPool`, its status included)
 * while a connection can be borrowed and pinged within `timeoutMs`, and false otherwise, which
 * under-pressure answers with a 503. Like the Nest indicator, it asks the pool, so saturation
 * (every connection busy past the timeout) counts as unhealthy, not only a dead server.
 */
export function poolHealthCheck(pool: Pool, options: { timeoutMs?: number } = {}): () => Promise<Record<string, unknown> | false> {
  return async () => {
    const health = await checkPool(pool, options);
    return health.status === 'up' ? { ...health } : false;
  };
}

/**
 * under-pressure's status route serializes only what its response schema names: this lets the
 * pool's status through (`exposeStatusRoute: { url, routeResponseSchemaOpts: POOL_HEALTH_SCHEMA }`).
 */
export const POOL_HEALTH_SCHEMA = Object.freeze({ pool: { type: 'object', additionalProperties: true } });
