import '../support/guard.js';
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { createPool } from '@mariapool/core';
import { resolveDatabaseUrl } from '@mariapool/testing';
import { DEMO_DATABASE_URL, demoDatabase } from 'users-example';
import { adminSql, closeAdmin, refusedPort } from '../support/db.js';


describe('demo database fallback', () => {
  it('with MARIADB_URL unset and nothing at the default address, starts a throw-away server and says so', async () => {
    const saved = process.env['MARIADB_URL'];
    delete process.env['MARIADB_URL'];
    const lines: string[] = [];
    try {
      const { url, server } = await resolveDatabaseUrl({ defaultUrl: `mariadb://root@127.0.0.1:${await refusedPort()}/test`, log: (m) => lines.push(m) });
      assert.ok(server, 'a throw-away server was started');
      assert.match(lines.join('\n'), /starting a private throw-away MariaDB server/);
      const pool = await createPool(url, { minSize: 1, maxSize: 1 });
      assert.equal((await pool.query<Array<{ one: number }>>('SELECT 1 AS one'))[0]?.one, 1);
      await pool.close();
      await server.stop();
    } finally {
      if (saved !== undefined) process.env['MARIADB_URL'] = saved;
    }
  });

  it('uses MARIADB_URL when set, and the default when something answers there', async () => {
    const saved = process.env['MARIADB_URL'];
    try {
      process.env['MARIADB_URL'] = 'mariadb://u@example.invalid:1/x';
      assert.deepEqual(await resolveDatabaseUrl({ log: () => undefined }), { url: 'mariadb://u@example.invalid:1/x' });
      delete process.env['MARIADB_URL'];
      const listener = net.createServer((s) => s.destroy());
      await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
      const defaultUrl = `mariadb://root@127.0.0.1:${(listener.address() as net.AddressInfo).port}/test`;
      const resolved = await resolveDatabaseUrl({ defaultUrl, log: () => undefined });
      assert.deepEqual(resolved, { url: defaultUrl });
      await new Promise((r) => listener.close(r));
    } finally {
      if (saved !== undefined) process.env['MARIADB_URL'] = saved;
      else delete process.env['MARIADB_URL'];
    }
  });

  it('the demos use their own database on the local server, created when missing, not the shared test one', async () => {
    const saved = process.env['MARIADB_URL'];
    delete process.env['MARIADB_URL'];
    try {
      await adminSql('DROP DATABASE IF EXISTS mariapool_demo');
      const { url, server } = await demoDatabase();
      assert.equal(url, DEMO_DATABASE_URL);
      assert.equal(server, undefined);
      assert.match(url, /\/mariapool_demo$/);
      const found = await adminSql<unknown[]>("SHOW DATABASES LIKE 'mariapool_demo'");
      assert.equal(found.length, 1, 'the demo database was not created');
    } finally {
      if (saved !== undefined) process.env['MARIADB_URL'] = saved;
      await closeAdmin();
    }
  });
});
