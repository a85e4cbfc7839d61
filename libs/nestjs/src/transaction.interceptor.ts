import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { concatMap, defer, from, lastValueFrom, type Observable } from 'rxjs';
import type { PoolConnection } from '@mariapool/core';
import { requestConnection } from './request-scope.js';

/** Connections whose transaction a handler's @Transactional() began and has not ended yet. */
const handlerTransactions = new WeakSet<PoolConnection>();

/** True while a handler's @Transactional() holds a transaction open on `conn` (nestjs-cls transactions join it). */
export function inHandlerTransaction(conn: PoolConnection): boolean {
  return handlerTransactions.has(conn);
}

/**
 * BEGIN before the handler, COMMIT after its last value, ROLLBACK when it errors. A stream of values
 * is collected to its end first so the commit happens before any part of the response is written.
 */
export class TransactionInterceptor implements NestInterceptor {
  constructor(private readonly poolName: string) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    return defer(async () => {
      const conn = await requestConnection(this.poolName, http.getRequest(), http.getResponse());
      await conn.beginTransaction();
      handlerTransactions.add(conn);
      let result: unknown;
      try {
        result = await lastValueFrom(next.handle(), { defaultValue: undefined });
      } catch (error) {
        await rollback(conn);
        throw error;
      } finally {
        handlerTransactions.delete(conn);
      }
      await conn.commit();
      return result;
    }).pipe(concatMap((value) => from([value])));
  }
}

async function rollback(conn: PoolConnection): Promise<void> {
  // A rollback that fails leaves the session unknown: evict it rather than reuse it.
  await conn.rollback().catch(() => conn.destroy());
}
