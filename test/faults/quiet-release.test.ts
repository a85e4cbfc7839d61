import '../support/guard.js';
import 'reflect-metadata';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Body, Controller, Get, Module, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { createPool, type Pool, type PoolConnection } from '@mariapool/core';
import { ConnectionScope } from '@mariapool/core/http';
import { ConnectionPool } from '@mariapool/core/legacy';
import { poolPlugin } from '@mariapool/fastify';
import { Conn, PoolModule, Transactional } from '@mariapool/nestjs';
import { startFaultProxy, startMariaDb, type FaultProxy, type MariaDbServer } from '@mariapool/testing';
import { sleep } from '../support/db.js';
import { startRequest } from '../support/http-client.js';

/*
 * A lease ends only when its session is quiet, against a real server through the fault proxy.
 * The proxy black-holes the statement that must be in flight when the lease ends (BEGIN, COMMIT,
 * a statement nobody awaited), so the moment is exact, not a race against a delay. Another
 * borrower then writes in autocommit on the same (only) connection; after the heal, that write
 * must be in the table.
 */

let db: MariaDbServer;
let proxy: FaultProxy;
let nextId = 1;

before(async () => {
  db = await startMariaDb();
  await db.sql('CREATE TABLE test.quiet (id INT PRIMARY KEY)');
  proxy = await startFaultProxy({ target: { host: db.host, port: db.port } });
});
after(async () => {
  await proxy.close();
  await db.stop();
});

const viaProxy = (): string => `mariadb://root@127.0.0.1:${proxy.port}/test`;
const POOL = { minSize: 1, maxSize: 1, pingThresholdMs: 0, acquireTimeoutMs: 10_000 };

async function stored(id: number): Promise<boolean> {
  return (await db.sql(`SELECT id FROM test.quiet WHERE id = ${id}`)).length === 1;
}

/** Black-holes the network and resolves once `send()` has put bytes on the wire (the statement is in flight). */
async function inFlight(send: () => void): Promise<void> {
  proxy.blackHole();
  const before = proxy.stats().bytesToServer;
  send();
  for (let i = 0; i < 500 && proxy.stats().bytesToServer === before; i++) await sleep(5);
  assert.ok(proxy.stats().bytesToServer > before, 'the statement never reached the wire');
}

/** Lets the held bytes through once `borrower` is queued for the connection, then waits for it. */
async function healThen<T>(borrower: Promise<T>): Promise<T> {
  await sleep(50);
  await proxy.pass();
  return borrower;
}

describe('core: the next borrower never inherits a statement of an ended lease', () => {
  let pool: Pool;
  before(async () => {
    pool = await createPool(viaProxy(), POOL);
  });
  after(() => pool.close());

  it('a START TRANSACTION nobody awaited, then release(): the next autocommit INSERT persists', async () => {
    const a = await pool.acquire();
    await inFlight(() => void a.query('START TRANSACTION').catch(() => undefined));
    void a.release();
    const id = nextId++;
    await healThen(pool.withConnection((b) => b.query('INSERT INTO quiet VALUES (?)', [id])));
    assert.equal(await stored(id), true, 'an acknowledged autocommit write was rolled back');
    assert.equal(pool.stats().releasedInFlight >= 1, true);
  });

  it('a scope finished during BEGIN (what an aborted request does): the next autocommit INSERT persists', async () => {
    const scope = new ConnectionScope();
    const a = await scope.get('default', pool);
    await inFlight(() => void a.beginTransaction().catch(() => undefined));
    void scope.finish();
    const id = nextId++;
    await healThen(pool.query('INSERT INTO quiet VALUES (?)', [id]));
    assert.equal(await stored(id), true, 'an acknowledged autocommit write was rolled back');
  });

  it('a COMMIT in flight at release: the transaction commits, and the next autocommit INSERT persists', async () => {
    const a = await pool.acquire();
    const committed = nextId++;
    await a.beginTransaction();
    await a.query('INSERT INTO quiet VALUES (?)', [committed]);
    let commit!: Promise<string>;
    await inFlight(() => (commit = a.commit().then(() => 'ok', () => 'failed')));
    void a.release();
    const id = nextId++;
    await healThen(pool.query('INSERT INTO quiet VALUES (?)', [id]));
    assert.equal(await commit, 'ok');
    assert.equal(await stored(committed), true);
    assert.equal(await stored(id), true, 'an acknowledged autocommit write was rolled back');
  });

  it('a SET autocommit = 0 nobody awaited: it lands before the next lend, autocommit is restored, and the next INSERT persists', async () => {
    const a = await pool.acquire();
    await inFlight(() => void a.query('SET autocommit = 0').catch(() => undefined));
    void a.release();
    const id = nextId++;
    const badBefore = pool.stats().badReturns;
    await healThen(pool.query('INSERT INTO quiet VALUES (?)', [id]));
    assert.equal(await stored(id), true, 'an acknowledged write was left uncommitted and rolled back');
    assert.equal(pool.stats().badReturns, badBefore + 1, 'the switched autocommit was not reported');
  });

  it('the legacy API: a LegacyConnection closed with START TRANSACTION in flight; the next getConnection()\'s INSERT persists', async () => {
    const legacy = new ConnectionPool({ poolName: 'quiet-legacy', poolSize: 1, poolResetConnection: false, host: '127.0.0.1', port: proxy.port, user: 'root', database: 'test' });
    await legacy.addConnection();
    try {
      const a = await legacy.getConnection();
      await inFlight(() => void a.query('START TRANSACTION').catch(() => undefined));
      void a.close();
      await sleep(50);
      await proxy.pass();
      const b = await retryExhausted(() => legacy.getConnection());
      const id = nextId++;
      await b.query('INSERT INTO quiet VALUES (?)', [id]);
      await b.close();
      assert.equal(await stored(id), true, 'an acknowledged autocommit write was rolled back');
    } finally {
      await legacy.close();
    }
  });

  it('with resetConnection, a late SET @v is reset away instead of landing after the reset', async () => {
    const reset = await createPool(viaProxy(), { ...POOL, resetConnection: true });
    try {
      const c = await reset.acquire();
      await inFlight(() => void c.query("SET @owner = 'previous borrower'").catch(() => undefined));
      void c.release();
      const seen = await healThen(reset.withConnection((d) => d.query<Array<{ v: string | null }>>('SELECT @owner AS v')));
      assert.equal(seen[0]?.v, null);
    } finally {
      await reset.close();
    }
  });
});

/** The routes both frameworks serve for these tests. */
interface Gate {
  /** Resolved by the test once the network is cut, so the route's COMMIT goes into the black hole. */
  open: () => void;
  wait: Promise<void>;
  /** The thread id of the connection the /sleep route holds. */
  thread?: number | null;
  /** Resolved by the route once its INSERT is done. */
  inserted: () => void;
  insertedWait: Promise<void>;
}

function newGate(): Gate {
  const g = {} as Gate;
  g.wait = new Promise((r) => (g.open = r));
  g.insertedWait = new Promise((r) => (g.inserted = r));
  return g;
}

let gate = newGate();

async function fastifyApp(): Promise<{ port: number; pool: Pool; close(): Promise<void> }> {
  const app: FastifyInstance = Fastify();
  await app.register(poolPlugin, { uri: viaProxy(), ...POOL });
  app.post('/tx', { config: { transaction: true } }, async (req) => {
    const conn = await req.getConnection();
    await conn.query('INSERT INTO quiet VALUES (?)', [(req.body as { id: number }).id]);
    gate.inserted();
    await gate.wait;
    return { ok: true };
  });
  app.post('/forgot', async (req) => {
    const conn = await req.getConnection();
    void conn.query('START TRANSACTION').catch(() => undefined); // a handler that forgot an await
    return { ok: (req.body as { id: number }).id };
  });
  app.get('/sleep', async (req) => {
    const conn = await req.getConnection();
    gate.thread = conn.threadId;
    return conn.query('SELECT SLEEP(5) AS slept');
  });
  app.get('/thread', async (req) => ({ thread: (await req.getConnection()).threadId }));
  app.post('/plain', async (req, reply) => {
    const conn = await req.getConnection();
    await conn.query('INSERT INTO quiet VALUES (?)', [(req.body as { id: number }).id]);
    return reply.code(201).send({ ok: true });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: (app.server.address() as AddressInfo).port, pool: app.pool, close: () => app.close() };
}

@Controller()
class QuietController {
  @Post('tx')
  @Transactional()
  async tx(@Conn() conn: PoolConnection, @Body() body: { id: number }) {
    await conn.query('INSERT INTO quiet VALUES (?)', [body.id]);
    gate.inserted();
    await gate.wait;
    return { ok: true };
  }

  @Post('forgot')
  forgot(@Conn() conn: PoolConnection, @Body() body: { id: number }) {
    void conn.query('START TRANSACTION').catch(() => undefined); // a handler that forgot an await
    return { ok: body.id };
  }

  @Get('sleep')
  async sleep(@Conn() conn: PoolConnection) {
    gate.thread = conn.threadId;
    return conn.query('SELECT SLEEP(5) AS slept');
  }

  @Get('thread')
  thread(@Conn() conn: PoolConnection) {
    return { thread: conn.threadId };
  }

  @Post('plain')
  async plain(@Conn() conn: PoolConnection, @Body() body: { id: number }) {
    await conn.query('INSERT INTO quiet VALUES (?)', [body.id]);
    return { ok: true };
  }
}

async function nestApp(): Promise<{ port: number; pool: Pool; close(): Promise<void> }> {
  @Module({ imports: [PoolModule.forRoot({ uri: viaProxy(), ...POOL })], controllers: [QuietController] })
  class QuietModule {}
  const app: INestApplication = await NestFactory.create(QuietModule, new FastifyAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  const { Pool: PoolClass } = await import('@mariapool/core');
  return { port: (app.getHttpServer().address() as AddressInfo).port, pool: app.get(PoolClass), close: () => app.close() };
}

for (const [framework, start] of [['Fastify', fastifyApp], ['Nest', nestApp]] as const) {
  describe(`${framework}: client aborts and lost connections`, () => {
    let app: Awaited<ReturnType<typeof start>>;
    before(async () => {
      app = await start();
    });
    after(() => app.close());

    it('abort during BEGIN: the next request\'s autocommit INSERT is acknowledged and persists', async () => {
      gate = newGate();
      gate.open();
      let aborted!: ReturnType<typeof startRequest>;
      await inFlight(() => (aborted = startRequest(app.port, 'POST', '/tx', { id: nextId++ })));
      aborted.abort();
      const id = nextId++;
      const plain = await healThen(startRequest(app.port, 'POST', '/plain', { id }).response);
      assert.ok(plain.status === 200 || plain.status === 201, `POST /plain answered ${plain.status} ${plain.body}`);
      assert.equal(await stored(id), true, 'an acknowledged autocommit write was rolled back');
      await waitIdle(app.pool);
    });

    it('a handler that forgot to await its START TRANSACTION: the response goes out, and the next request\'s autocommit INSERT persists', async () => {
      gate = newGate();
      let forgot!: ReturnType<typeof startRequest>;
      await inFlight(() => (forgot = startRequest(app.port, 'POST', '/forgot', { id: 0 })));
      const answered = await forgot.response;
      assert.ok(answered.status === 200 || answered.status === 201, `POST /forgot answered ${answered.status}`);
      const id = nextId++;
      const plain = await healThen(startRequest(app.port, 'POST', '/plain', { id }).response);
      assert.ok(plain.status === 200 || plain.status === 201, `POST /plain answered ${plain.status} ${plain.body}`);
      assert.equal(await stored(id), true, 'an acknowledged autocommit write was rolled back');
      await waitIdle(app.pool);
    });

    it('abort during COMMIT: the transaction and the next request\'s autocommit INSERT both persist', async () => {
      gate = newGate();
      const committed = nextId++;
      const tx = startRequest(app.port, 'POST', '/tx', { id: committed });
      await gate.insertedWait;
      await inFlight(() => gate.open());
      tx.abort();
      const id = nextId++;
      const plain = await healThen(startRequest(app.port, 'POST', '/plain', { id }).response);
      assert.ok(plain.status === 200 || plain.status === 201, `POST /plain answered ${plain.status} ${plain.body}`);
      assert.equal(await stored(id), true, 'an acknowledged autocommit write was rolled back');
      assert.equal(await stored(committed), true, 'the COMMIT that was on the wire did not land');
      await waitIdle(app.pool);
    });

    for (const [fault, cut] of [
      ['KILL CONNECTION', (thread: number) => db.sql(`KILL CONNECTION ${thread}`).then(() => undefined)],
      ['a network reset (RST)', () => proxy.reset()],
    ] as const) {
      it(`a connection lost mid-request (${fault}): a 500 for that request, and the connection is never lent again`, async () => {
        gate = newGate();
        const lostBefore = app.pool.stats().lost;
        const slow = startRequest(app.port, 'GET', '/sleep');
        for (let i = 0; i < 500 && gate.thread === undefined; i++) await sleep(5);
        const thread = gate.thread as number;
        await sleep(50); // the SLEEP is running
        await cut(thread);
        const res = await slow.response;
        assert.equal(res.status, 500, `the request whose connection died answered ${res.status} ${res.body}`);
        const next = await startRequest(app.port, 'GET', '/thread').response;
        assert.equal(next.status, 200);
        assert.notEqual(JSON.parse(next.body).thread, thread, 'the dead connection was lent again');
        assert.equal(app.pool.stats().lost, lostBefore + 1);
        await waitIdle(app.pool);
      });
    }
  });
}

/** The legacy getConnection() never waits: retry while the one connection is still being taken back. */
async function retryExhausted<T>(get: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await get();
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_POOL_EXHAUSTED' || i > 200) throw error;
      await sleep(10);
    }
  }
}

async function waitIdle(pool: Pool): Promise<void> {
  for (let i = 0; i < 200 && pool.status().borrowed > 0; i++) await sleep(10);
  assert.equal(pool.status().borrowed, 0, `a connection is still out: ${JSON.stringify(pool.status())}`);
}
