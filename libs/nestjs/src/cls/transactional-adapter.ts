import type { TransactionalAdapter } from '@nestjs-cls/transactional';
import { ClsServiceManager, CLS_REQ } from 'nestjs-cls';
import type { Pool, PoolConnection } from '@mariapool/core';
import { requestConnection } from '../request-scope.js';
import { inHandlerTransaction } from '../transaction.interceptor.js';
import { DEFAULT_POOL_NAME, getPoolToken } from '../pool.tokens.js';

/** What `TransactionHost.tx` is: the transaction's connection inside one, the pool outside. */
export type MariapoolTransaction = Pick<PoolConnection, 'query' | 'execute' | 'batch'> | Pick<Pool, 'query' | 'execute' | 'batch'>;

/** Options of a transaction started through nestjs-cls (`@Transactional(propagation, options)`). */
export interface MariapoolTransactionOptions {
  isolationLevel?: 'READ UNCOMMITTED' | 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';
  /** START TRANSACTION READ ONLY. */
  readOnly?: boolean;
}

/** Connections on which this adapter started the transaction (the others were begun by mariapool's own @Transactional). */
const begunHere = new WeakSet<PoolConnection>();
let savepoints = 0;

/**
 * The `@nestjs-cls/transactional` adapter for mariapool: services and repositories get the
 * transaction's connection from `TransactionHost.tx`, with every propagation mode, and `Nested`
 * as a SAVEPOINT.
 *
 * Within an HTTP request it uses the request's connection, the one `@Conn()` gives the handler
 * (one connection per request); when mariapool's own handler `@Transactional()` already began a
 * transaction there, the service joins it (one transaction). A new transaction where this adapter
 * already began one (`RequiresNew`), and every transaction outside a request, borrows a connection
 * of its own, released when it ends.
 */
export class TransactionalAdapterMariapool implements TransactionalAdapter<Pool, MariapoolTransaction, MariapoolTransactionOptions> {
  readonly connectionToken: unknown;
  readonly #poolName: string;

  /** `poolName`: a named pool of PoolModule (`name`). @default "default" */
  constructor(options: { poolName?: string } = {}) {
    this.#poolName = options.poolName ?? DEFAULT_POOL_NAME;
    this.connectionToken = getPoolToken(options.poolName);
  }

  optionsFactory = (pool: Pool) => ({
    wrapWithTransaction: async (options: MariapoolTransactionOptions, fn: () => Promise<unknown>, setTx: (tx?: MariapoolTransaction) => void) => {
      const shared = await this.#requestConnection();
      if (shared !== undefined && inHandlerTransaction(shared)) {
        setTx(shared); // mariapool's handler @Transactional() began it: join
        return fn();
      }
      if (shared !== undefined && !begunHere.has(shared)) return inTransaction(shared, options, fn, setTx);
      const own = await pool.acquire();
      try {
        return await inTransaction(own, options, fn, setTx);
      } finally {
        await own.release();
      }
    },
    wrapWithNestedTransaction: async (_options: MariapoolTransactionOptions, fn: () => Promise<unknown>, setTx: (tx?: MariapoolTransaction) => void, tx: MariapoolTransaction) => {
      const conn = tx as PoolConnection;
      const name = `mariapool_sp_${++savepoints}`;
      await conn.query(`SAVEPOINT ${name}`);
      setTx(conn);
      let result: unknown;
      try {
        result = await fn();
      } catch (error) {
        await conn.query(`ROLLBACK TO SAVEPOINT ${name}`);
        throw error;
      }
      await conn.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    },
    getFallbackInstance: (): MariapoolTransaction => pool,
  });

  /** The current HTTP request's connection from this pool, when there is a request (nestjs-cls middleware). */
  async #requestConnection(): Promise<PoolConnection | undefined> {
    const cls = ClsServiceManager.getClsService();
    const req: unknown = cls.isActive() ? cls.get(CLS_REQ) : undefined;
    return req === undefined ? undefined : requestConnection(this.#poolName, req);
  }
}

/** BEGIN on `conn`, run `fn` with it as the transaction, COMMIT, or ROLLBACK and rethrow. */
async function inTransaction(
  conn: PoolConnection,
  options: MariapoolTransactionOptions,
  fn: () => Promise<unknown>,
  setTx: (tx?: MariapoolTransaction) => void,
): Promise<unknown> {
  if (options.isolationLevel !== undefined) await conn.query(`SET TRANSACTION ISOLATION LEVEL ${options.isolationLevel}`);
  await conn.query(options.readOnly === true ? 'START TRANSACTION READ ONLY' : 'START TRANSACTION');
  begunHere.add(conn);
  setTx(conn);
  let result: unknown;
  try {
    result = await fn();
  } catch (error) {
    await conn.rollback().catch(() => conn.destroy());
    throw error;
  } finally {
    begunHere.delete(conn);
  }
  await conn.commit();
  return result;
}
