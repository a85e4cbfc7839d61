import '../support/guard.js';
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { startMariaDb, type MariaDbServer } from '@mariapool/testing';
import { buildApp } from 'fastify-users';
import { createNestUsersApp } from 'nest-users';
import { sleep } from '../support/db.js';

let db: MariaDbServer;
before(async () => {
  db = await startMariaDb();
});
after(() => db.stop());

type Server = Parameters<typeof request>[0];

/**
 * H5: steady GET /users/1 traffic while the server restarts. Errors only in the outage window,
 * each answered in bounded time (a 5xx, never a hang); 200s again ≤ 2 s after the server is back.
 */
async function restartUnderTraffic(server: Server): Promise<{ errors: number; ok: number; slowestErrorMs: number; backMs: number }> {
  let running = true;
  let errors = 0;
  let ok = 0;
  let slowestErrorMs = 0;
  let readyAt = Infinity;
  let firstOkAfterReady = Infinity;
  const workers = Array.from({ length: 4 }, async () => {
    while (running) {
      const t0 = performance.now();
      const res = await request(server).get('/users/1').timeout(10_000).catch((e: { status?: number }) => ({ status: e.status ?? 0 }));
      if (res.status === 200) {
        ok++;
        if (performance.now() > readyAt && firstOkAfterReady === Infinity) firstOkAfterReady = performance.now();
      } else {
        errors++;
        slowestErrorMs = Math.max(slowestErrorMs, performance.now() - t0);
      }
      await sleep(10);
    }
  });
  await sleep(300);
  await db.kill();
  await sleep(700);
  await db.restart();
  readyAt = performance.now();
  while (firstOkAfterReady === Infinity && performance.now() - readyAt < 5000) await sleep(20);
  await sleep(300);
  running = false;
  await Promise.all(workers);
  return { errors, ok, slowestErrorMs, backMs: firstOkAfterReady - readyAt };
}

describe('H5: the apps during a database restart', () => {
  it('Fastify users app: bounded errors during the outage, 200s ≤ 2 s after the server is back', async (t) => {
    const app = await buildApp({ url: db.url, table: 'users_h5', pool: { minSize: 2, maxSize: 4, acquireTimeoutMs: 600 } });
    await app.ready();
    const r = await restartUnderTraffic(app.server);
    assert.ok(r.errors > 0 && r.ok > 0, JSON.stringify(r));
    assert.ok(r.slowestErrorMs < 600 + 1500, `an error took ${Math.round(r.slowestErrorMs)} ms`);
    assert.ok(r.backMs <= 2000, `200s again ${Math.round(r.backMs)} ms after ready`);
    assert.equal(app.pool.status().borrowed, 0);
    t.diagnostic(`H5 Fastify: ${r.ok} ok, ${r.errors} errors, slowest error ${Math.round(r.slowestErrorMs)} ms, 200s again ${Math.round(r.backMs)} ms after ready`);
    await app.close();
  });

  it('Nest users app: the same', async (t) => {
    const app = await createNestUsersApp({ url: db.url, table: 'users_h5', pool: { minSize: 2, maxSize: 4, acquireTimeoutMs: 600 } });
    const r = await restartUnderTraffic(app.getHttpServer());
    assert.ok(r.errors > 0 && r.ok > 0, JSON.stringify(r));
    assert.ok(r.slowestErrorMs < 600 + 1500, `an error took ${Math.round(r.slowestErrorMs)} ms`);
    assert.ok(r.backMs <= 2000, `200s again ${Math.round(r.backMs)} ms after ready`);
    t.diagnostic(`H5 Nest: ${r.ok} ok, ${r.errors} errors, slowest error ${Math.round(r.slowestErrorMs)} ms, 200s again ${Math.round(r.backMs)} ms after ready`);
    await app.close();
  });
});
