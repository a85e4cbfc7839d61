import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConnectionScope, finishWithResponse, type ConnectionScopeOptions } from '@mariapool/core/http';

/** A request's connections, one per pool name, and its route transaction. */
export class RequestConnections extends ConnectionScope {
  /** The pool name of the route transaction opened (BEGIN done, COMMIT/ROLLBACK not yet), or null. */
  transaction: string | null = null;
}

/**
 * The plugin's one request property, declared with decorateRequest so every request has the same
 * shape. Fastify's request constructor writes each declared property on every request, whether it
 * borrows or not (a megamorphic keyed store each), so the plugin
 * declares one, not three: it holds null until the onRequest hook ran, then the reply (the
 * request has no way to reach it), and from the first borrow the RequestConnections.
 */
export const kState = 'mariapool';

type StateRequest = FastifyRequest & { [kState]: FastifyReply | RequestConnections | null };

/** For the onRequest hook: records the reply, which the first borrow listens on. */
export function recordReply(request: FastifyRequest, reply: FastifyReply): void {
  (request as StateRequest)[kState] = reply;
}

/** The request's connections if it borrowed any, else null. */
export function connectionsOf(request: FastifyRequest): RequestConnections | null {
  const state = (request as StateRequest)[kState];
  return state instanceof RequestConnections ? state : null;
}

/**
 * The request's connections, created on the first borrow and finished (every connection released,
 * queued acquires withdrawn) when the response ends however it ends: see whenResponseEnds.
 * Undefined when the onRequest hook has not run for this request (a hook registered before the
 * plugin borrowed).
 */
export function connectionsFor(request: FastifyRequest, options: ConnectionScopeOptions): RequestConnections | undefined {
  const state = (request as StateRequest)[kState];
  if (state instanceof RequestConnections) return state;
  if (state === null) return undefined;
  return ((request as StateRequest)[kState] = finishWithResponse(new RequestConnections(options), state.raw, request.raw.socket));
}
