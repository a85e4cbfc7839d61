import { applyDecorators, createParamDecorator, Inject, UseInterceptors, type ExecutionContext } from '@nestjs/common';
import { requestConnection } from './request-scope.js';
import { TransactionInterceptor } from './transaction.interceptor.js';
import { recordTransactional } from './transactional-placement.js';
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
export const Transactional = (name?: string): MethodDecorator & ClassDecorator => {
  const intercept = applyDecorators(UseInterceptors(new TransactionInterceptor(name ?? DEFAULT_POOL_NAME)));
  return ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    // Checked at startup (TransactionalPlacementCheck): on a service it would do nothing.
    recordTransactional(typeof target === 'function' ? target : target.constructor, key === undefined ? undefined : String(key));
    return (intercept as (t: object, k?: string | symbol, d?: PropertyDescriptor) => unknown)(target, key, descriptor);
  }) as MethodDecorator & ClassDecorator;
};
