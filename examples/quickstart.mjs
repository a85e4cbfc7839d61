// A first run of @mariapool/core: open a pool, run queries concurrently, print what the pool did.
//   npm run example                    (uses MARIADB_URL, default mariadb://root@127.0.0.1:3306/test)
import { createPool } from '@mariapool/core';

const url = process.env.MARIADB_URL ?? 'mariadb://root@127.0.0.1:3306/test';
const pool = await createPool(url, { name: 'quickstart', minSize: 2, maxSize: 5 });
console.log(`opened ${pool} against ${url.replace(/:[^:@/]*@/, ':***@')}`);

await pool.query('CREATE TABLE IF NOT EXISTS quickstart_users (id INT PRIMARY KEY, name VARCHAR(50))');
await pool.transaction(async (conn) => {
  await conn.query('DELETE FROM quickstart_users');
  await conn.batch('INSERT INTO quickstart_users VALUES (?, ?)', [[1, 'Ada'], [2, 'Grace'], [3, 'Linus']]);
});

// 100 concurrent lookups through 5 connections: callers queue in FIFO order.
const started = performance.now();
const names = await Promise.all(
  Array.from({ length: 100 }, (_, i) =>
    pool.execute('SELECT name FROM quickstart_users WHERE id = ?', [(i % 3) + 1]).then((rows) => rows[0].name),
  ),
);
console.log(`100 concurrent queries in ${(performance.now() - started).toFixed(1)} ms: ${[...new Set(names)].join(', ')}`);

{
  // A scoped borrow: released however the block ends (use `await using` in TypeScript).
  const conn = await pool.acquire();
  try {
    const [row] = await conn.query('SELECT CONNECTION_ID() AS id, DATABASE() AS db');
    console.log(`borrowed session ${row.id} on database ${row.db}; status while borrowed:`, pool.status());
  } finally {
    await conn.release();
  }
}

console.log('status:', pool.status());
console.log('stats:', pool.stats());
await pool.query('DROP TABLE quickstart_users');
await pool.close();
console.log('closed:', pool.closed);
