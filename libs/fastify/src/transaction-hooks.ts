import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { connectionsOf, type RequestConnections } from './request-connections.js';
import type { TransactionOption } from './types.js';

const DEFAULT = 'default';

function poolNameOf(option: TransactionOption): string {
  return option === true ? DEFAULT : String(option);
}

/**
 * Adds the two hooks of a transactional route: BEGIN in preHandler (after validation, so a request
 * that fails validation never borrows), and COMMIT or ROLLBACK in onSend, before the response
 * leaves: a client never sees a success whose commit failed (that becomes a 500). The connection
 * itself is released with the request's other connections when the request ends.
 */
export function addTransactionHooks(route: RouteOptions): void {
  const option = route.config?.transaction;
  if (option === undefined || option === false) return;
  const name = poolNameOf(option);
  route.preHandler = [...toArray(route.preHandler), async function begin(request: FastifyRequest) {
    const conn = await request.getConnection(name);
    await conn.beginTransaction();
    (connectionsOf(request) as RequestConnections).transaction = name; // getConnection() made it
  }];
  route.onSend = [...toArray(route.onSend), async function end(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
    const connections = connectionsOf(request);
    const txName = connections?.transaction;
    if (connections === null || txName == null) return payload;
    connections.transaction = null; // an error reply re-runs onSend: settle once
    const conn = await request.getConnection(txName);
    if (reply.statusCode < 400) {
      await conn.commit();
    } else {
      await conn.rollback().catch(() => conn.destroy());
    }
    return payload; // the connection goes back with the request's others when the response is written
  }];
}

function toArray<T>(hooks: T | T[] | undefined): T[] {
  if (hooks === undefined) return [];
  return Array.isArray(hooks) ? hooks : [hooks];
}
