import type { DriverConnection } from './connector.js';

/**
 * Rolls back the transaction a borrower left open, if the server says one is. Called when the
 * driver's in-transaction flag is up at release.
 *
 * The driver also raises that flag after every failed statement, since an ERR packet carries no
 * status and it cannot tell whether the statement left a transaction open (autocommit off, a CALL
 * that ran START TRANSACTION) or not (the usual case). Taking the flag at its word made every
 * connection returned after an error a "bad return": a false warning and a ROLLBACK. A ping's OK
 * packet carries the server's real status flags: one round trip, as the ROLLBACK was, for a
 * connection that is clean, and a second one (the ROLLBACK) only for a real leak, announced
 * first through `onOpen` (counted and logged even if the rollback then fails).
 */
export async function rollBackOpenTransaction(raw: DriverConnection, onOpen: () => void): Promise<void> {
  await raw.ping();
  if (!raw.inTransaction()) return;
  onOpen();
  await raw.rollback();
}
