import '../../support/guard.js';
import 'reflect-metadata';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Module, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ExpressAdapter } from '@nestjs/platform-express';
import request from 'supertest';
import { Pool, PoolConnection, PoolOpenError } from '@mariapool/core';
import { getConnectionToken, getPoolToken, PoolModule, UNAVAILABLE_MESSAGE } from '@mariapool/nestjs';
import { adminSql, closeAdmin, sessionsGone, sleep } from '../../support/db.js';
import { PROBE_TABLE, ProbeController } from './fixtures/probe.controller.js';
import { ForRootModule, TwoPoolsModule, UseClassModule, UseExistingModule, UseFactoryModule } from './fixtures/registration.modules.js';

type Platform = 'fastify' | 'express';

async function start(module: Type | ReturnType<typeof Object>, platform: Platform = 'fastify'): Promise<INestApplication> {
  const adapter = platform === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
  const app = await NestFactory.create(module as Type, adapter, { logger: false, abortOnError: false });
  await app.init();
  if (platform === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<void> }).ready();
  return app;
}

async function settled(pool: Pool): Promise<void> {
  for (let i = 0; i < 100 && (pool.status().borrowed > 0 || pool.status().waiting > 0); i++) await sleep(20);
}

before(() => adminSql(`CREATE OR REPLACE TABLE ${PROBE_TABLE} (id INT PRIMARY KEY)`));
after(async () => {
  await adminSql(`DROP TABLE IF EXISTS ${PROBE_TABLE}`);
  await closeAdmin();
});

describe('PoolModule registration styles', () => {
  const styles: Array<[string, Type]> = [
    ['forRoot', ForRootModule],
    ['forRootAsync + useFactory + inject', UseFactoryModule],
    ['forRootAsync + useClass', UseClassModule],
    ['forRootAsync + useExisting', UseExistingModule],
  ];
  for (const [label, module] of styles) {
    it(`${label}: opens before serving, serves, closes at shutdown`, async () => {
      const app = await start(module);
      const pool = app.get(Pool);
      assert.equal(pool, app.get(getPoolToken()), 'the default pool token is the Pool class (DI by type)');
      assert.equal(pool.status().size, 1, 'open before the app serves');
      const res = await request(app.getHttpServer()).get('/probe/ok').expect(200);
      const thread = res.body.thread as number;
      await settled(pool);
      await app.close();
      assert.equal(pool.closed, true);
      assert.deepEqual(await sessionsGone([thread]), []);
    });
  }

  it('two named pools at once, each with its own tokens', async () => {
    const app = await start(TwoPoolsModule);
    const reports = app.get<Pool>(getPoolToken('reports'));
    assert.equal(reports.name, 'reports');
    assert.notEqual(reports, app.get(Pool));
    const res = await request(app.getHttpServer()).get('/reports').expect(200);
    assert.deepEqual(res.body, { reportsPool: 'reports', mainPool: 'default', different: true });
    await settled(reports);
    assert.equal(reports.status().borrowed, 0);
    await app.close();
    assert.equal(reports.closed, true);
  });

  it('startup fails clearly after the configured retries when the server is unreachable (never hangs)', async () => {
    @Module({ imports: [PoolModule.forRoot({ host: '127.0.0.1', port: 1, user: 'root', acquireTimeoutMs: 200, retryAttempts: 2, retryDelayMs: 100 })] })
    class DownModule {}
    const started = performance.now();
    const error = await start(DownModule).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    assert.ok(error instanceof PoolOpenError, String(error));
    assert.match(error.message, /ECONNREFUSED/);
    assert.ok(elapsed >= 3 * 200 + 2 * 100 - 50 && elapsed < 5000, `three attempts then fail (${Math.round(elapsed)} ms)`);
  });

  it('logs through Nest\'s Logger by default: one line per pool event, context PoolModule, no password', async () => {
    @Module({ imports: [PoolModule.forRoot({ host: '127.0.0.1', port: 1, user: 'root', password: 'hunter2-secret', acquireTimeoutMs: 300 })] })
    class DownModule {}
    const lines: Array<{ message: string; context: unknown; extra: number }> = [];
    const record = (message: unknown, ...rest: unknown[]) => void lines.push({ message: String(message), context: rest.at(-1), extra: rest.length });
    const error = await NestFactory.create(DownModule, new FastifyAdapter(), {
      logger: { log: () => {}, error: record, warn: record, debug: () => {}, verbose: () => {} },
      abortOnError: false,
    }).catch((e: unknown) => e);
    assert.ok(error instanceof PoolOpenError);
    const connect = lines.filter((l) => /cannot connect; retrying with backoff/.test(l.message));
    assert.equal(connect.length, 1, `one line for the streak of failed connects: ${JSON.stringify(lines)}`);
    assert.match(connect[0]!.message, /pool=default/);
    assert.match(connect[0]!.message, /target=127\.0\.0\.1:1/);
    assert.match(connect[0]!.message, /ECONNREFUSED/);
    assert.equal(connect[0]!.context, 'PoolModule');
    assert.equal(connect[0]!.extra, 1, 'the message and its context only: no object printed as a second line');
    assert.ok(lines.every((l) => !l.message.includes('hunter2-secret')), 'a password in the log');
  });

  it('shutdown leaves no open handle: the process exits by itself after app.close()', async () => {
    const script = fileURLToPath(new URL('./fixtures/exit-check.js', import.meta.url));
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 15_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(code, 0, `the process did not exit on its own: ${out}`);
    assert.match(out, /closed, served 200/);
  });
});

for (const platform of ['fastify', 'express'] as const) {
  describe(`the request connection on ${platform}`, () => {
    let app: INestApplication;
    let pool: Pool;
    before(async () => {
      app = await start(ForRootModule, platform);
      pool = app.get(Pool);
    });
    after(() => app.close());

    it('is one connection per request, and none for a request that never asks', async () => {
      assert.equal((await request(app.getHttpServer()).get('/probe/twice').expect(200)).body.same, true);
      const before = pool.stats().requests;
      await request(app.getHttpServer()).get('/probe/none').expect(200);
      assert.equal(pool.stats().requests, before);
    });

    it('is released on success, thrown error, HttpException, exception filter and streamed response', async () => {
      const expected: Record<string, number> = { ok: 200, throw: 500, 'http-error': 404, filtered: 418, stream: 200, rows: 200 };
      for (const [path, status] of Object.entries(expected)) {
        const res = await request(app.getHttpServer()).get(`/probe/${path}`);
        assert.equal(res.status, status, `${path}: ${res.text}`);
        if (path === 'stream') assert.equal(res.text.split('\n').filter(Boolean).length, 50);
        if (path === 'rows') assert.equal(res.text.split('\n').filter(Boolean).length, 5000, 'every row of conn.queryStream()');
        await settled(pool);
        assert.equal(pool.status().borrowed, 0, `/${path} leaked its connection`);
      }
    });

    it('@Transactional commits on success and rolls back on throw', async () => {
      const base = platform === 'fastify' ? 1000 : 2000;
      const ok = await request(app.getHttpServer()).post('/probe/tx').send({ id: base + 1 }).expect(201);
      assert.equal(ok.body.inTransaction, true);
      await request(app.getHttpServer()).post('/probe/tx').send({ id: base + 2, fail: true }).expect(422);
      const rows = await adminSql<Array<{ id: number }>>(`SELECT id FROM ${PROBE_TABLE} WHERE id > ? AND id < ? ORDER BY id`, [base, base + 100]);
      assert.deepEqual(rows.map((r) => r.id), [base + 1]);
      await settled(pool);
      assert.equal(pool.stats().badReturns, 0);
    });

    it('pipelined requests whose client hangs up: the queued responses release their connections too', async () => {
      const server = app.getHttpServer() as http.Server;
      if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      // Only the first response owns the socket; the other two never see their own 'close'.
      socket.write('GET /probe/slow HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(3));
      for (let i = 0; i < 100 && pool.status().borrowed < 3; i++) await sleep(10);
      assert.equal(pool.status().borrowed, 3, 'all three pipelined handlers borrowed');
      socket.destroy();
      await settled(pool);
      assert.deepEqual([pool.status().borrowed, pool.status().waiting], [0, 0], JSON.stringify(pool.status()));
    });

    it('after 1,000 mixed requests (aborts included): borrowed 0, waiting 0, server sessions = pool size', async () => {
      const server = app.getHttpServer() as http.Server;
      if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      const kinds = ['ok', 'throw', 'http-error', 'filtered', 'stream', 'none', 'twice'];
      const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
      for (let batch = 0; batch < 20; batch++) {
        await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            new Promise<void>((resolve) => {
              const abort = i % 10 === 0;
              const req = http.get({ host: '127.0.0.1', port, path: `/probe/${abort ? 'slow' : kinds[(batch + i) % kinds.length]}`, agent: abort ? undefined : agent }, (res) => {
                res.resume();
                res.on('end', resolve);
              });
              req.on('error', () => resolve());
              if (abort) setTimeout(() => req.destroy(), 20 + (i % 30));
            }),
          ),
        );
      }
      agent.destroy();
      await settled(pool);
      const s = pool.status();
      assert.deepEqual([s.borrowed, s.waiting], [0, 0], JSON.stringify(s));
      const conns = await Promise.all(Array.from({ length: s.size }, () => pool.acquire()));
      const ids = conns.map((c) => c.threadId as number);
      for (const c of conns) await c.release();
      const live = await adminSql<unknown[]>(`SELECT ID FROM information_schema.PROCESSLIST WHERE ID IN (${ids.join(',')})`);
      assert.equal(live.length, s.size);
      assert.ok(pool.stats().requests > 700);
    });
  });
}

describe('saturation and request scope', () => {
  it('beyond capacity, requests get a clear 503 within the acquire timeout', async () => {
    @Module({ imports: [PoolModule.forRoot({ uri: process.env['MARIADB_URL'] ?? 'mariadb://root@127.0.0.1:3306/test', minSize: 2, maxSize: 2, acquireTimeoutMs: 200 })], controllers: [ProbeController] })
    class TinyModule {}
    const logged: string[] = [];
    const app = await NestFactory.create(TinyModule, new FastifyAdapter(), {
      logger: { log: () => {}, error: () => {}, warn: (message: unknown) => void logged.push(String(message)) },
      abortOnError: false,
    });
    await app.init();
    await (app.getHttpAdapter().getInstance() as { ready(): Promise<void> }).ready();
    const server = app.getHttpServer();
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 6 }, () => request(server).get('/probe/slow')));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 200, 503, 503, 503, 503]);
    const busy = results.find((r) => r.status === 503);
    assert.equal(busy?.body.message, UNAVAILABLE_MESSAGE);
    assert.doesNotMatch(busy?.text ?? '', /size \d|available \d|borrowed|waiting|Too many/i, 'the body tells HTTP clients about the pool');
    assert.ok(logged.some((l) => /no connection available after \d+ ms \(size 2\/2/.test(l)), `the log lacks the pool status: ${logged.join('\n')}`);
    assert.ok(performance.now() - started < 1500);
    await app.close();
  });

  it('@InjectConnection in a REQUEST-scoped provider: by type, released after the response', async () => {
    const { createNestUsersApp } = await import('nest-users');
    const app = await createNestUsersApp({ url: process.env['MARIADB_URL'] ?? 'mariadb://root@127.0.0.1:3306/test', table: 'users_nest_scope', pool: { minSize: 1, maxSize: 2 } });
    const pool = app.get(Pool);
    assert.equal(getConnectionToken(), PoolConnection, 'default connection token is the class');
    const res = await request(app.getHttpServer()).get('/scoped/users/1').expect(200);
    assert.equal(res.body.id, 1);
    await settled(pool);
    assert.equal(pool.status().borrowed, 0);
    await app.close();
    await adminSql('DROP TABLE IF EXISTS users_nest_scope');
  });
});
