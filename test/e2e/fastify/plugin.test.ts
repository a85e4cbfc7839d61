import '../../support/guard.js';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { InvalidPoolOptionError, PoolOpenError } from '@mariapool/core';
import underPressure from '@fastify/under-pressure';
import poolPluginDefault, { POOL_HEALTH_SCHEMA, poolHealthCheck, poolPlugin, PoolPluginError } from '@mariapool/fastify';
import { closeAdmin, MARIADB_URL, sessionsGone } from '../../support/db.js';

after(closeAdmin);

describe('@mariapool/fastify registration', () => {
  it('opens the pool during registration, decorates app.pool, closes it in onClose', async () => {
    const app = Fastify();
    const options = { uri: MARIADB_URL, minSize: 2, maxSize: 3 };
    const copy = structuredClone(options);
    await app.register(poolPlugin, options);
    await app.ready();
    assert.deepEqual(options, copy, 'options not mutated');
    assert.equal(poolPluginDefault, poolPlugin, 'default and named export');
    assert.equal(app.pool.status().size, 2);
    assert.equal(app.pools['default'], app.pool);
    const conns = [await app.pool.acquire(), await app.pool.acquire()];
    const ids = conns.map((c) => c.threadId);
    for (const c of conns) await c.release();
    await app.close();
    assert.equal(app.pool.closed, true);
    assert.deepEqual(await sessionsGone(ids), [], 'no server session left after close');
  });

  it('logs to the app\'s logger by default, tagged with the pool name: a dead server is reported while starting', async () => {
    const logged: string[] = [];
    const stream = new Writable({ write: (chunk, _enc, done) => (logged.push(String(chunk)), done()) });
    const app = Fastify({ logger: { level: 'warn', stream } });
    let error: unknown;
    try {
      await app.register(poolPlugin, { host: '127.0.0.1', port: 1, user: 'root', password: 'hunter2-secret', acquireTimeoutMs: 300 });
      await app.ready();
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof PoolOpenError);
    const events = logged.map((l) => JSON.parse(l) as { msg: string; pool?: string; level: number });
    const connect = events.filter((e) => e.msg === 'cannot connect; retrying with backoff');
    assert.equal(connect.length, 1, logged.join(''));
    assert.equal(connect[0]?.pool, 'default');
    assert.ok(logged.every((l) => !l.includes('hunter2-secret')), 'a password in the log');
    await app.close();
  });

  it('poolHealthCheck with @fastify/under-pressure: 200 with the pool status while it can lend, 503 when saturated', async () => {
    const app = Fastify();
    await app.register(poolPlugin, { uri: MARIADB_URL, minSize: 1, maxSize: 1 });
    await app.register(underPressure, {
      healthCheck: poolHealthCheck(app.pool, { timeoutMs: 150 }),
      exposeStatusRoute: { url: '/health', routeOpts: {}, routeResponseSchemaOpts: POOL_HEALTH_SCHEMA },
    });
    const up = await app.inject('/health');
    assert.equal(up.statusCode, 200);
    assert.equal(up.json().status, 'up');
    assert.equal(up.json().pool.maxSize, 1);
    const holder = await app.pool.acquire();
    const saturated = await app.inject('/health');
    assert.equal(saturated.statusCode, 503, saturated.body);
    await holder.release();
    assert.equal((await app.inject('/health')).statusCode, 200);
    await app.close();
  });

  it('registers named pools side by side', async () => {
    const app = Fastify();
    await app.register(poolPlugin, { uri: MARIADB_URL, minSize: 1, maxSize: 2 });
    await app.register(poolPlugin, { uri: MARIADB_URL, name: 'reports', minSize: 1, maxSize: 1 });
    app.get('/both', async (req) => {
      const a = await req.getConnection();
      const b = await req.getConnection('reports');
      return { same: a === b, a: a.threadId, b: b.threadId };
    });
    const res = await app.inject('/both');
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().same, false);
    assert.equal(app.pools['reports']?.name, 'reports');
    assert.equal(app.pools['reports']?.status().borrowed, 0);
    await app.close();
    assert.equal(app.pools['reports'], undefined);
  });

  it('refuses a duplicate or reserved name clearly', async () => {
    const app = Fastify();
    await app.register(poolPlugin, { uri: MARIADB_URL, name: 'x', minSize: 1, maxSize: 1 });
    await assert.rejects(
      async () => { await app.register(poolPlugin, { uri: MARIADB_URL, name: 'x', minSize: 1, maxSize: 1 }); },
      (e: unknown) => e instanceof PoolPluginError && /pool named "x" is already registered/.test(e.message),
    );
    await app.close();
    const app2 = Fastify();
    void app2.register(poolPlugin, { uri: MARIADB_URL, name: '__proto__' });
    await assert.rejects(async () => { await app2.ready(); }, /invalid pool name/);
    await app2.close();
  });

  it('bad configuration fails ready() with a clear error', async () => {
    const app = Fastify();
    void app.register(poolPlugin, { uri: MARIADB_URL, maxSize: 0 });
    await assert.rejects(async () => { await app.ready(); }, (e: unknown) => e instanceof InvalidPoolOptionError && e.option === 'maxSize');
    await app.close();

    const app2 = Fastify();
    void app2.register(poolPlugin, { host: '127.0.0.1', port: 1, user: 'root', acquireTimeoutMs: 300 });
    const started = performance.now();
    await assert.rejects(async () => { await app2.ready(); }, (e: unknown) => e instanceof PoolOpenError && /ECONNREFUSED/.test(e.message));
    assert.ok(performance.now() - started < 2000, 'fails within the configured deadline');
    await app2.close();
  });

  it('getConnection() for an unknown pool name says which ones exist', async () => {
    const app = Fastify();
    await app.register(poolPlugin, { uri: MARIADB_URL, minSize: 1, maxSize: 1 });
    app.get('/', async (req) => req.getConnection('nope'));
    const res = await app.inject('/');
    assert.equal(res.statusCode, 500);
    assert.match(res.json().message, /no pool named "nope" is registered \(registered: default\)/);
    await app.close();
  });

  // Fastify's request constructor writes every declared request property on every request, DB
  // route or not: each costs a megamorphic keyed store (callgrind), so the plugin declares one.
  it('adds one property to every request, also with named pools and transaction routes', async () => {
    const app = Fastify();
    await app.register(poolPlugin, { uri: MARIADB_URL, minSize: 1, maxSize: 1 });
    await app.register(poolPlugin, { uri: MARIADB_URL, name: 'reports', minSize: 1, maxSize: 1 });
    const bare = Fastify();
    const before = new Set(Object.keys(await captureRequest(bare)));
    await bare.close();
    app.get('/tx', { config: { transaction: true } }, async () => ({}));
    const request = await captureRequest(app);
    const added = Object.keys(request).filter((k) => !before.has(k));
    assert.deepEqual(added, ['mariapool']);
    assert.equal((await app.inject('/tx')).statusCode, 200, 'the transaction route works with it');
    await app.close();
  });
});

/** A request object as route handlers see it. */
async function captureRequest(app: FastifyInstance): Promise<object> {
  let request: object | undefined;
  app.get('/capture', async (req) => {
    request = req;
    return {};
  });
  await app.inject('/capture');
  assert.ok(request);
  return request;
}
