import '../support/guard.js';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { InvalidPoolOptionError, PoolExhaustedError } from '@mariapool/core';
import { ConnectionPool, getPool } from '@mariapool/core/legacy';
import { closeAdmin, MARIADB_URL } from '../support/db.js';

after(closeAdmin);
const server = new URL(MARIADB_URL.replace(/^mariadb:/, 'http:'));
const connection = { host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username), database: server.pathname.slice(1) };

describe('legacy 1.x API (ConnectionPool)', () => {
  it('requires poolName and bounds poolSize to 64', () => {
    assert.throws(() => new ConnectionPool({ ...connection } as never), (e: unknown) => e instanceof InvalidPoolOptionError && e.option === 'poolName');
    assert.throws(() => new ConnectionPool({ ...connection, poolName: 'x', poolSize: 65 }), /poolSize/);
  });

  it('getConnection() never waits, close() returns the connection, getPool() finds the pool', async () => {
    const pool = new ConnectionPool({ ...connection, poolName: 'legacy-1', poolSize: 2 });
    assert.equal(getPool('legacy-1'), pool);
    assert.equal(pool.maxSize, 64);
    assert.equal(pool.poolSize, 2);
    const a = await pool.getConnection();
    const b = await pool.getConnection();
    await assert.rejects(pool.getConnection(), (e: unknown) => e instanceof PoolExhaustedError && e.code === 'ERR_POOL_EXHAUSTED');
    assert.equal(pool.connectionCount, 2);
    await a.query('SET @legacy = 1');
    await a.close();
    const c = await pool.getConnection();
    const [row] = await c.query<Array<{ v: unknown }>>('SELECT @legacy AS v');
    assert.equal(row?.v, null, 'poolResetConnection defaults to true');
    await b.close();
    await c.close();
    await pool.close();
    assert.equal(getPool('legacy-1'), undefined);
  });

  it('addConnection() opens exactly one connection, and PoolExhaustedError once the pool holds poolSize', async () => {
    const pool = new ConnectionPool({ ...connection, poolName: 'legacy-3', poolSize: 2 });
    assert.equal(pool.connectionCount, 0, 'nothing opened by the constructor');
    await pool.addConnection();
    assert.equal(pool.connectionCount, 1);
    await pool.addConnection();
    assert.equal(pool.connectionCount, 2);
    await assert.rejects(pool.addConnection(), (e: unknown) => e instanceof PoolExhaustedError && e.code === 'ERR_POOL_EXHAUSTED');
    assert.equal(pool.connectionCount, 2);
    await pool.close();
  });

  it('setConfig() replaces the connection settings', async () => {
    const pool = new ConnectionPool({ ...connection, poolName: 'legacy-2', poolSize: 1 });
    await pool.addConnection();
    await assert.rejects(pool.addConnection(), PoolExhaustedError);
    pool.setConfig({ ...connection, initSql: "SET @configured = 'yes'" });
    const conn = await pool.getConnection();
    const [row] = await conn.query<Array<{ v: string }>>('SELECT @configured AS v');
    assert.equal(row?.v, 'yes');
    await conn.close();
    await pool.close();
  });
});
