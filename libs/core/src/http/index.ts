/**
 * @mariapool/core/http: what the framework packages share to give each HTTP request its
 * connections: a ConnectionScope (one connection per pool, borrowed on first use, released once)
 * tied to the end of a Node response. For integrations; applications use @mariapool/nestjs or
 * @mariapool/fastify.
 */
export { ConnectionScope, type ConnectionScopeOptions } from './connection-scope.js';
export { finishWithResponse, responseScope, whenResponseEnds, type EndingResponse, type EndingSocket } from './response-end.js';
