import { ConnectionScope, type ConnectionScopeOptions } from './connection-scope.js';
import type { EventEmitter } from 'node:events';

/** What whenResponseEnds needs of a Node (or HTTP/2 compatibility, or light-my-request) response. */
export interface EndingResponse extends Pick<EventEmitter, 'on'> {
  readonly writableEnded: boolean;
  readonly destroyed?: boolean;
  /** null while an HTTP/1.1 response waits behind a pipelined one for the socket. */
  readonly socket: unknown;
}

/** The request's socket: the fallback signal for a response that never got it. */
export interface EndingSocket extends Pick<EventEmitter, 'on' | 'removeListener'> {
  readonly destroyed: boolean;
}

/**
 * Calls `onEnd` when an HTTP request is over for the application, however it ends:
 * - `prefinish`: the whole response has been handed to the socket (a streamed payload: once the
 *   stream has ended). Nothing the handler does afterwards can change it, so a connection it
 *   borrowed can go back before the bytes reach a slow client.
 * - `close`: the response can no longer be sent (client abort, socket timeout, destroy), or it is
 *   done.
 * - an HTTP/1.1 response queued behind a pipelined one has no socket yet and gets neither event
 *   if the client hangs up first: for it, the socket's own `close` (removed once the request
 *   ends, since keep-alive sockets outlive requests).
 *
 * Per request that borrows: two or three listeners, nothing for the others. `onEnd` may run more
 * than once: make it idempotent. Returns false, registering nothing, when the response is
 * already over.
 */
export function whenResponseEnds(response: EndingResponse, socket: EndingSocket | null | undefined, onEnd: () => void): boolean {
  if (response.writableEnded || response.destroyed === true) return false;
  if (response.socket !== null || socket == null) {
    response.on('prefinish', onEnd);
    response.on('close', onEnd);
    return true;
  }
  if (socket.destroyed) return false;
  const ended = (): void => {
    socket.removeListener('close', ended);
    onEnd();
  };
  socket.on('close', ended);
  response.on('prefinish', ended);
  response.on('close', ended);
  return true;
}

/**
 * A ConnectionScope for one HTTP request: finished (its connections released, queued acquires
 * withdrawn) when the response ends, see whenResponseEnds. A response already over gives a scope
 * that starts finished, so every get() is refused with ScopeFinishedError and nothing is taken.
 */
export function responseScope(response: EndingResponse, socket: EndingSocket | null | undefined, options?: ConnectionScopeOptions): ConnectionScope {
  return finishWithResponse(new ConnectionScope(options), response, socket);
}

/** Ties a scope made elsewhere (a framework's subclass) to its response, as responseScope does. */
export function finishWithResponse<S extends ConnectionScope>(scope: S, response: EndingResponse, socket: EndingSocket | null | undefined): S {
  // finish() is idempotent and never rejects: releases and withdrawn acquires settle quietly.
  if (!whenResponseEnds(response, socket, () => void scope.finish())) void scope.finish();
  return scope;
}
