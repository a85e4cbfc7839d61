import '../../support/guard.js';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { pipeline, Readable, Transform } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { Writable } from 'node:stream';
import { isPoolUnavailable } from '@mariapool/core';
import { poolPlugin, ServiceUnavailableError, UNAVAILABLE_MESSAGE } from '@mariapool/fastify';
import { adminSql, closeAdmin, MARIADB_URL, sleep } from '../../support/db.js';

const TABLE = 'mariapool_fastify_tx';

before(() => adminSql(`CREATE OR REPLACE TABLE ${TABLE} (id INT PRIMARY KEY)`));
after(async () => {
  await adminSql(`DROP TABLE IF EXISTS ${TABLE}`);
  await closeAdmin();
});

async function appWith(poolOptions: Record<string, unknown> = {}, fastifyOptions: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ handlerTimeout: 0, ...fastifyOptions });
  await app.register(poolPlugin, { uri: MARIADB_URL, minSize: 2, maxSize: 4, acquireTimeoutMs: 2000, ...poolOptions });
  app.get('/same', async (req) => {
    const a = await req.getConnection();
    const b = await req.getConnection();
    return { same: a === b, thread: a.threadId };
  });
  app.get('/none', async () => ({ ok: true }));
  app.get('/ok', async (req) => (await req.getConnection()).query('SELECT 1 AS one'));
  app.get('/throw', async (req) => {
    await req.getConnection();
    throw new Error('handler failed');
  });
  app.get('/404', async (req, reply) => {
    await req.getConnection();
    return reply.code(404).send({ error: 'nope' });
  });
  app.get('/early', async (req, reply) => {
    const conn = await req.getConnection();
    void reply.send({ sent: true });
    await conn.query('SELECT 1'); // still usable after the reply went out
    return reply;
  });
  app.get('/release-first', async (req) => {
    const conn = await req.getConnection();
    const [row] = (await conn.query('SELECT 7 AS n')) as Array<{ n: number }>;
    await conn.release(); // done with the database: give it back before the response is built
    const borrowedWhileBuilding = app.pool.status().borrowed;
    const again = await req.getConnection();
    const late = await again.query('SELECT 1').then(() => null, (e: unknown) => (e as Error).name);
    return { n: row!.n, borrowedWhileBuilding, same: again === conn, late };
  });
  app.get('/stream', async (req) => {
    const conn = await req.getConnection();
    let n = 0;
    // Each chunk reads through the request's connection: it must stay borrowed until the stream ends.
    return Readable.from((async function* rows() {
      for (; n < 3; n++) yield `${JSON.stringify(await conn.query('SELECT ? AS n', [n]))}\n`;
    })());
  });
  app.get('/rows', async (req, reply) => {
    const conn = await req.getConnection();
    const ndjson = new Transform({ writableObjectMode: true, transform: (row, _enc, done) => done(null, `${JSON.stringify({ n: Number(row.n) })}\n`) });
    pipeline(conn.queryStream('SELECT seq AS n, REPEAT("x", 200) AS pad FROM seq_1_to_20000'), ndjson, () => undefined);
    return reply.type('application/x-ndjson').send(ndjson);
  });
  app.get('/after-reply', async (req, reply) => {
    await reply.send({ sent: true });
    const error = await req.getConnection().then(() => null, (e: unknown) => e);
    (app as unknown as { lateError: unknown }).lateError = error;
    return reply;
  });
  app.get('/slow', async (req) => {
    const conn = await req.getConnection();
    await conn.query('SELECT SLEEP(0.3)');
    return { done: true };
  });
  app.get('/timeout', { handlerTimeout: 100 }, async (req) => {
    const conn = await req.getConnection();
    await conn.query('SELECT SLEEP(0.3)');
    return { late: true };
  });
  app.post<{ Body: { id: number; fail?: 'throw' | 'status' } }>('/tx', {
    config: { transaction: true },
    schema: { body: { type: 'object', required: ['id'], properties: { id: { type: 'integer' }, fail: { type: 'string' } } } },
  }, async (req, reply) => {
    const conn = await req.getConnection();
    await conn.query(`INSERT INTO ${TABLE} VALUES (?)`, [req.body.id]);
    if (req.body.fail === 'throw') throw new Error('after insert');
    if (req.body.fail === 'status') return reply.code(422).send({ error: 'rejected' });
    return { inserted: req.body.id, inTransaction: conn.inTransaction };
  });
  return app;
}

/** Sends a request over a real socket and destroys it after `afterMs` (a client abort). */
function abortAfter(port: number, path: string, afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path });
    req.on('error', () => resolve());
    setTimeout(() => {
      req.destroy();
      resolve();
    }, afterMs);
  });
}

async function settled(app: FastifyInstance): Promise<void> {
  for (let i = 0; i < 100 && (app.pool.status().borrowed > 0 || app.pool.status().waiting > 0); i++) await sleep(20);
}

async function ourSessions(app: FastifyInstance): Promise<number> {
  const ids: number[] = [];
  const all = await Promise.all(Array.from({ length: app.pool.status().size }, () => app.pool.acquire()));
  for (const c of all) {
    ids.push(c.threadId as number);
    await c.release();
  }
  const rows = await adminSql<unknown[]>(`SELECT ID FROM information_schema.PROCESSLIST WHERE ID IN (${ids.join(',')})`);
  return rows.length;
}

describe('the request connection', () => {
  it('is the same connection for the whole request, and none is borrowed if never asked', async () => {
    const app = await appWith();
    assert.equal((await app.inject('/same')).json().same, true);
    const before = app.pool.stats().requests;
    assert.equal((await app.inject('/none')).statusCode, 200);
    assert.equal(app.pool.stats().requests, before, 'a request that never touches the DB borrows nothing');
    await app.close();
  });

  it('is released on success, thrown error, error status, early reply and handler timeout', async () => {
    const app = await appWith();
    const expected: Record<string, number> = { '/ok': 200, '/throw': 500, '/404': 404, '/early': 200, '/timeout': 503 };
    for (const [path, status] of Object.entries(expected)) {
      const res = await app.inject(path);
      assert.equal(res.statusCode, status, `${path}: ${res.body}`);
      await settled(app);
      assert.equal(app.pool.status().borrowed, 0, `${path} leaked its connection`);
    }
    await app.close();
  });

  it('after 1,000 mixed requests over real sockets (aborts included): borrowed 0, waiting 0, no extra session', async () => {
    const app = await appWith({ minSize: 2, maxSize: 4 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    const base = `http://127.0.0.1:${port}`;
    const kinds = ['/ok', '/throw', '/404', '/early', '/none', '/same'];
    const statuses = new Map<number, number>();
    let aborted = 0;
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          if (i % 10 === 0) {
            aborted++;
            return abortAfter(port, '/slow', 20 + (i % 30));
          }
          const res = await fetch(base + kinds[(batch + i) % kinds.length]);
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }),
      );
    }
    await settled(app);
    const s = app.pool.status();
    assert.deepEqual([s.borrowed, s.waiting], [0, 0], JSON.stringify(s));
    assert.ok(s.size <= 4);
    assert.equal(await ourSessions(app), s.size, 'server sessions = pool size');
    assert.equal(aborted, 100);
    assert.ok((statuses.get(500) ?? 0) > 0 && (statuses.get(404) ?? 0) > 0 && (statuses.get(200) ?? 0) > 0);
    await app.close();
  });

  it('a streamed payload keeps its connection until the stream ends, then releases it', async () => {
    const app = await appWith();
    const res = await app.inject('/stream');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.body.trim().split('\n').map((line) => JSON.parse(line)[0].n), [0, 1, 2], 'every chunk queried through the connection');
    await settled(app);
    assert.equal(app.pool.status().borrowed, 0);
    await app.close();
  });

  it('a handler may release the request connection early; the request then has none, and says so', async () => {
    const app = await appWith();
    const res = await app.inject('/release-first');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { n: 7, borrowedWhileBuilding: 0, same: true, late: 'ConnectionReleasedError' });
    await settled(app);
    assert.deepEqual([app.pool.status().borrowed, app.pool.status().available], [0, app.pool.status().size], 'the connection is back in the pool');
    await app.close();
  });

  it('a borrow after the response went out is refused and takes nothing', async () => {
    const app = await appWith();
    const before = app.pool.stats().requests;
    assert.equal((await app.inject('/after-reply')).statusCode, 200);
    for (let i = 0; i < 50 && (app as unknown as { lateError?: unknown }).lateError === undefined; i++) await sleep(10);
    const error = (app as unknown as { lateError: { name: string } | null }).lateError;
    assert.equal(error?.name, 'ScopeFinishedError');
    assert.equal(app.pool.stats().requests, before);
    assert.equal(app.pool.status().borrowed, 0);
    await app.close();
  });

  it('pipelined requests whose client hangs up: the queued responses release their connections too', async () => {
    const app = await appWith({ minSize: 2, maxSize: 4 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    // Three requests in one write: Node runs all three handlers, but only the first response owns
    // the socket; the other two wait in the server's queue and never see their own 'close'.
    socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(3));
    for (let i = 0; i < 100 && app.pool.status().borrowed < 3; i++) await sleep(10);
    assert.equal(app.pool.status().borrowed, 3, 'all three pipelined handlers borrowed');
    socket.destroy();
    await settled(app);
    assert.deepEqual([app.pool.status().borrowed, app.pool.status().waiting], [0, 0], JSON.stringify(app.pool.status()));
    await app.close();
  });

  it('a hook that borrows before the plugin\'s onRequest hook gets a clear error, not a leak', async () => {
    const app = Fastify();
    let error: { code?: string; message: string } | undefined;
    app.addHook('onRequest', async (req) => {
      error = await req.getConnection().then(() => undefined, (e: { code?: string; message: string }) => e);
    });
    await app.register(poolPlugin, { uri: MARIADB_URL, minSize: 1, maxSize: 1 });
    app.get('/', async () => ({ ok: true }));
    assert.equal((await app.inject('/')).statusCode, 200);
    assert.equal(error?.code, 'ERR_POOL_PLUGIN_ORDER');
    assert.match(error?.message ?? '', /register the plugin before/);
    assert.equal(app.pool.status().borrowed, 0);
    await app.close();
  });

  it('a client abort while waiting for a connection cancels the wait and takes nothing', async () => {
    const app = await appWith({ minSize: 1, maxSize: 1, acquireTimeoutMs: 5000 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    const holder = await app.pool.acquire();
    await abortAfter(port, '/ok', 100);
    await sleep(50);
    assert.equal(app.pool.status().waiting, 0, 'the aborted request left the queue');
    assert.equal(app.pool.stats().aborted, 1);
    await holder.release();
    assert.deepEqual([app.pool.status().borrowed, app.pool.status().available], [0, 1]);
    await app.close();
  });

  it('saturation answers 503 within the acquire timeout, never a hung socket; the body is generic, the log has the pool status', async () => {
    const logged: string[] = [];
    const stream = new Writable({ write: (chunk, _enc, done) => (logged.push(String(chunk)), done()) });
    const app = await appWith({ minSize: 2, maxSize: 2, acquireTimeoutMs: 200 }, { logger: { level: 'error', stream } });
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 6 }, () => app.inject('/slow')));
    const codes = results.map((r) => r.statusCode).sort();
    assert.deepEqual(codes, [200, 200, 503, 503, 503, 503]);
    const busy = results.find((r) => r.statusCode === 503);
    assert.equal(busy?.json().message, UNAVAILABLE_MESSAGE);
    assert.equal(busy?.json().code, 'ERR_POOL_ACQUIRE_TIMEOUT');
    assert.doesNotMatch(busy?.body ?? '', /size \d|available \d|borrowed|waiting|Too many/i, 'the body tells HTTP clients about the pool');
    assert.ok(logged.some((l) => /no connection available after \d+ ms \(size 2\/2/.test(l)), `the log lacks the pool status: ${logged.join('')}`);
    assert.ok(performance.now() - started < 1500);
    await settled(app);
    assert.equal(app.pool.status().borrowed, 0);
    await app.close();
  });
});

describe('a streamed result (conn.queryStream) as the response', () => {
  it('all rows reach the client, and the connection is held until the stream is done', async () => {
    const app = await appWith({ minSize: 1, maxSize: 1 });
    const res = await app.inject('/rows');
    assert.equal(res.statusCode, 200);
    const lines = res.body.trim().split('\n');
    assert.equal(lines.length, 20_000);
    assert.deepEqual(JSON.parse(lines.at(-1) as string), { n: 20_000 });
    await settled(app);
    assert.deepEqual([app.pool.status().borrowed, app.pool.status().available], [0, 1]);
    await app.close();
  });

  it('a client that hangs up mid-stream: the rest is dropped, the connection goes back and serves the next request', async () => {
    const app = await appWith({ minSize: 1, maxSize: 1 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    const thread = await new Promise<number | undefined>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/rows', agent: false }, (res) => {
        res.once('data', () => {
          req.destroy(); // the client goes away after the first chunk
          resolve(undefined);
        });
      });
      req.on('error', () => undefined);
    });
    assert.equal(thread, undefined);
    await settled(app);
    assert.deepEqual([app.pool.status().borrowed, app.pool.status().available], [0, 1]);
    const next = await app.inject('/ok');
    assert.equal(next.statusCode, 200);
    await app.close();
  });
});

describe('errors of a pool called directly', () => {
  it('app.pool.query() in a handler: an error handler maps "no connection" to the same generic 503 with ServiceUnavailableError', async () => {
    const app = Fastify();
    await app.register(poolPlugin, { uri: MARIADB_URL, minSize: 1, maxSize: 1, acquireTimeoutMs: 100 });
    app.setErrorHandler((error, _req, reply) => {
      if (isPoolUnavailable(error)) return reply.send(new ServiceUnavailableError(error));
      return reply.send(error);
    });
    app.get('/direct', async () => app.pool.query('SELECT 1 AS one'));
    const holder = await app.pool.acquire();
    const res = await app.inject('/direct');
    await holder.release();
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().message, UNAVAILABLE_MESSAGE);
    assert.doesNotMatch(res.body, /size \d|available \d|borrowed|waiting/i);
    assert.equal((await app.inject('/direct')).statusCode, 200);
    await app.close();
  });
});

describe('transaction routes', () => {
  async function rows(): Promise<number[]> {
    return (await adminSql<Array<{ id: number }>>(`SELECT id FROM ${TABLE} ORDER BY id`)).map((r) => r.id);
  }

  it('commit on success, rollback on throw and on error status, nothing borrowed when validation fails', async () => {
    const app = await appWith();
    const ok = await app.inject({ method: 'POST', url: '/tx', payload: { id: 1 } });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().inTransaction, true, 'the handler ran inside the transaction');
    assert.equal((await app.inject({ method: 'POST', url: '/tx', payload: { id: 2, fail: 'throw' } })).statusCode, 500);
    assert.equal((await app.inject({ method: 'POST', url: '/tx', payload: { id: 3, fail: 'status' } })).statusCode, 422);
    const before = app.pool.stats().requests;
    assert.equal((await app.inject({ method: 'POST', url: '/tx', payload: { id: 'x' } })).statusCode, 400);
    assert.equal(app.pool.stats().requests, before, 'validation failed before any borrow');
    await settled(app);
    assert.deepEqual(await rows(), [1]);
    assert.equal(app.pool.status().borrowed, 0);
    assert.equal(app.pool.stats().badReturns, 0, 'every transaction was settled before release');
    await app.close();
  });

  it('a failing COMMIT turns the response into an error, not a false success', async () => {
    const app = await appWith({ minSize: 1, maxSize: 1 });
    app.post('/tx-kill', { config: { transaction: true } }, async (req) => {
      const conn = await req.getConnection();
      await conn.query(`INSERT INTO ${TABLE} VALUES (100)`);
      await adminSql(`KILL CONNECTION ${conn.threadId}`);
      await sleep(50);
      return { claimed: 'success' };
    });
    const res = await app.inject({ method: 'POST', url: '/tx-kill' });
    assert.equal(res.statusCode, 500, res.body);
    assert.ok(!(await rows()).includes(100));
    await settled(app);
    assert.equal(app.pool.status().borrowed, 0);
    await app.close();
  });
});
