import type { DriverConnection } from '../driver/connector.js';

/** What a borrower left behind that the next one must not inherit. */
export type DirtySession = 'an open transaction' | 'autocommit switched';

/**
 * Puts the transaction state of a returned session back the way the pool lent it: rolls back a
 * transaction the borrower left open, and restores autocommit if the borrower switched it (left
 * off, it would silently turn the next borrower's writes into a transaction nobody commits).
 * Called when the status flags say either may be the case; `onDirty` announces what was found
 * once, before anything is cleaned (counted and logged even if the cleanup then fails).
 *
 * The driver also raises the in-transaction flag after every failed statement, since an ERR
 * packet carries no status and it cannot tell whether the statement left a transaction open
 * (autocommit off, a CALL that ran START TRANSACTION) or not (the usual case). So that flag is
 * first confirmed with a ping, whose OK packet carries the server's real status: one round trip
 * for a connection that is clean, a second one (the ROLLBACK) only for a real leak.
 */
export async function restoreTransactionState(raw: DirtyCheckable, autocommit: boolean, onDirty: (found: DirtySession[]) => void): Promise<void> {
  if (raw.inTransaction()) await raw.ping();
  const found: DirtySession[] = [];
  if (raw.inTransaction()) found.push('an open transaction');
  if (raw.autocommit() !== autocommit) found.push('autocommit switched');
  if (found.length === 0) return;
  onDirty(found);
  if (raw.inTransaction()) await raw.rollback();
  if (raw.autocommit() !== autocommit) await raw.query(`SET autocommit = ${autocommit ? 1 : 0}`);
}

type DirtyCheckable = Pick<DriverConnection, 'inTransaction' | 'autocommit' | 'ping' | 'rollback' | 'query'>;
