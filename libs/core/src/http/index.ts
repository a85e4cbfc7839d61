/**
 * @mariapool/core/http: what the framework packages share to give each HTTP request its
 * connections: a ConnectionScope (one connection per pool, borrowed on first use, released once)
 * tied to the end of a Node response. For integrations; applications use @mariapool/nestjs or
 * @mariapool/fastify.
 */
export { ConnectionScope, type ConnectionScopeOptions } from './connection-scope.js';
export { finishWithResponse, responseScope, whenResponseEnds, type EndingResponse, type EndingSocket } from './response-end.js';

/** What an HTTP client is told when no connection can be had: nothing about the pool or the server. */
export const UNAVAILABLE_MESSAGE = 'The service is busy: no database connection is available. Try again later.';
