import { Logger, ServiceUnavailableException } from '@nestjs/common';
import { isPoolUnavailable, type PoolConnection } from '@mariapool/core';
import { responseScope, UNAVAILABLE_MESSAGE, type ConnectionScope, type EndingResponse, type EndingSocket } from '@mariapool/core/http';
import type { PoolRegistry } from './pool.registry.js';

const kScope = Symbol.for('mariapool.scope');
const kResponse = Symbol.for('mariapool.response');
const kRegistry = Symbol.for('mariapool.registry');

/** The Node objects behind Express's req/res or Fastify's request/reply. */
interface RawRequest {
  [kScope]?: ConnectionScope;
  [kResponse]?: EndingResponse;
  [kRegistry]?: PoolRegistry;
  res?: EndingResponse;
  socket?: EndingSocket | null;
}
type HttpObject = { raw?: unknown };

function raw<T>(httpObject: unknown): T {
  return ((httpObject as HttpObject).raw ?? httpObject) as T;
}

/** Called by the link middleware for every request: cheap (two property writes, no listener). */
export function linkRequest(req: unknown, res: unknown, registry: PoolRegistry): void {
  const r = raw<RawRequest>(req);
  r[kResponse] = raw<EndingResponse>(res);
  r[kRegistry] = registry;
}

/**
 * The request's connection from pool `name`: borrowed on first use, the same one for the rest of
 * the request, released once the response is written (a stream: once it ended) or can no longer
 * be (the client went away, a timeout); see whenResponseEnds. "No connection available" becomes a 503, not a 500.
 */
export function requestConnection(name: string, req: unknown, res?: unknown): Promise<PoolConnection> {
  const r = raw<RawRequest>(req);
  const registry = r[kRegistry];
  if (registry === undefined) {
    return Promise.reject(new Error('mariapool: this request did not pass the PoolModule middleware (is PoolModule imported in the application module?)'));
  }
  try {
    return scopeOf(r, res).get(name, registry.get(name));
  } catch (error) {
    return Promise.reject(error);
  }
}


const logger = new Logger('PoolModule');

/**
 * Pool errors meaning "no connection to be had" reach Nest's exception layer as a 503 with a
 * generic message. Nest does not log an HttpException, so the pool's own message (its status and
 * the driver's last error) goes to the log here; the exception's `cause` keeps the pool error.
 */
const SCOPE_OPTIONS = {
  mapError: (error: unknown): unknown => {
    if (!isPoolUnavailable(error)) return error;
    logger.warn(error.message);
    return new ServiceUnavailableException(UNAVAILABLE_MESSAGE, { cause: error });
  },
};

function scopeOf(r: RawRequest, res: unknown): ConnectionScope {
  const existing = r[kScope];
  if (existing !== undefined) return existing;
  const response = res !== undefined ? raw<EndingResponse>(res) : (r[kResponse] ?? r.res);
  if (response === undefined) throw new Error('mariapool: cannot find the response of this request to release its connection');
  return (r[kScope] = responseScope(response, r.socket, SCOPE_OPTIONS));
}
