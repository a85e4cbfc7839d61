import type { FastifyReply } from 'fastify';

/**
 * Calls `onEnd` when the request is over for the application, however it ends:
 * - `prefinish`: the whole response has been handed to the socket (a streamed payload: once the
 *   stream has ended). Nothing the route does afterwards can change it, so its connection can go
 *   back before the bytes reach a slow client.
 * - `close`: the response can no longer be sent (client abort, socket timeout, destroy), or it is
 *   done (after `finish`).
 * - a response queued behind a pipelined one has no socket yet and gets neither event if the
 *   client hangs up first: for it, the socket's own `close`.
 *
 * Why listeners on the response and not Fastify's onResponse / onRequestAbort / onTimeout hooks:
 * a global hook costs every request (response listeners, a `close` listener, a socket `_meta`
 * object: ~10 µs of a ~70 µs request, measured), DB or not; these cost only the requests that
 * borrow. `onEnd` may run more than once: it must be idempotent.
 *
 * Returns false, registering nothing, when the request is already over.
 */
export function whenRequestEnds(reply: FastifyReply, onEnd: () => void): boolean {
  const res = reply.raw as FastifyReply['raw'] & { destroyed?: boolean };
  if (res.writableEnded || res.destroyed === true) return false;
  const socket = res.socket === null ? reply.request.raw.socket : null;
  if (socket === null) {
    res.on('prefinish', onEnd);
    res.on('close', onEnd);
    return true;
  }
  if (socket.destroyed) return false;
  // Keep-alive sockets outlive requests: drop this request's listener once it has ended.
  const ended = (): void => {
    socket.removeListener('close', ended);
    onEnd();
  };
  socket.on('close', ended);
  res.on('prefinish', ended);
  res.on('close', ended);
  return true;
}
