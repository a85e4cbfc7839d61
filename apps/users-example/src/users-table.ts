import type { Pool } from '@mariapool/core';

/** ER_DUP_ENTRY: the unique key on email. */
export const DUPLICATE_KEY = 1062;

const SEED = [
  ['Ada Lovelace', 'ada@example.com'],
  ['Grace Hopper', 'grace@example.com'],
  ['Edsger Dijkstra', 'edsger@example.com'],
];

/** A table name is spliced into SQL: only plain identifiers. */
export function checkTableName(table: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw new Error(`table must be a plain identifier, got ${JSON.stringify(table)}`);
  return table;
}

/** Creates the users table if missing and seeds it. */
export async function prepareUsersTable(pool: Pool, table: string): Promise<void> {
  await pool.query(`CREATE TABLE IF NOT EXISTS ${checkTableName(table)} (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(255) NOT NULL UNIQUE)`);
  await pool.batch(`INSERT IGNORE INTO ${table} (name, email) VALUES (?, ?)`, SEED);
}
