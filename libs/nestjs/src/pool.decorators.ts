import { applyDecorators, createParamDecorator, Inject, UseInterceptors, type ExecutionContext } from '@nestjs/common';
import { requestConnection } from './request-scope.js';
import { TransactionInterceptor } from './transaction.interceptor.js';
import { DEFAULT_POOL_NAME, getConnectionToken, getPoolToken } from './pool.tokens.js';

/** Injects a pool: `constructor(@InjectPool('reports') pool: Pool)`. The default pool also works by type. */
export const InjectPool = (name?: string): ParameterDecorator & PropertyDecorator => Inject(getPoolToken(name));

/**
 * Injects the request's connection into a REQUEST-scoped provider. Request scope bubbles up to
 * every consumer of that provider; prefer `@Conn()` in handlers.
 */
export const InjectConnection = (name?: string): ParameterDecorator & PropertyDecorator => Inject(getConnectionToken(name));

/**
 * Handler parameter: the request's connection (borrowed on first use, same one for the whole
 * request, released when the response is done). No request scope involved.
 */
// Typed explicitly: the inferred type names Nest 12's ParameterDecoratorOptions, which Nest 11 lacks.
export const Conn: (name?: string) => ParameterDecorator = createParamDecorator((name: string | undefined, ctx: ExecutionContext) => {
  const http = ctx.switchToHttp();
  return requestConnection(name ?? DEFAULT_POOL_NAME, http.getRequest(), http.getResponse());
});

/**
 * Runs the handler in a transaction on the request's connection: COMMIT when it returns, ROLLBACK
 * when it throws (an HttpException included), before the response is written.
 */
export const Transactional = (name?: string): MethodDecorator & ClassDecorator =>
  applyDecorators(UseInterceptors(new TransactionInterceptor(name ?? DEFAULT_POOL_NAME)));
