import '../../support/guard.js';
import 'reflect-metadata';
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Pool } from '@mariapool/core';
import { createNestUsersApp } from 'nest-users';
import { adminSql, closeAdmin, MARIADB_URL, sleep } from '../../support/db.js';

const TABLE = 'users_nest_e2e';
let app: INestApplication;

before(async () => {
  await adminSql(`DROP TABLE IF EXISTS ${TABLE}`);
  app = await createNestUsersApp({ url: MARIADB_URL, table: TABLE, pool: { minSize: 1, maxSize: 4 } });
});
after(async () => {
  await app.close();
  await adminSql(`DROP TABLE IF EXISTS ${TABLE}`);
  await closeAdmin();
});

describe('nest-users app over HTTP (Fastify adapter)', () => {
  it('GET /users/:id returns a seeded user, 404 when missing, 400 on a bad id', async () => {
    const res = await request(app.getHttpServer()).get('/users/1').expect(200);
    assert.deepEqual(Object.keys(res.body).sort(), ['email', 'id', 'name']);
    await request(app.getHttpServer()).get('/users/424242').expect(404);
    await request(app.getHttpServer()).get('/users/abc').expect(400);
  });

  it('POST /users: 201 in a transaction, 409 on a duplicate email, 400 on bad input', async () => {
    const created = await request(app.getHttpServer()).post('/users').send({ name: 'Barbara Liskov', email: 'barbara@example.com' }).expect(201);
    await request(app.getHttpServer()).get(`/users/${created.body.id}`).expect(200);
    await request(app.getHttpServer()).post('/users').send({ name: 'B', email: 'barbara@example.com' }).expect(409);
    await request(app.getHttpServer()).post('/users').send({ name: 'No email' }).expect(400);
    const rows = await adminSql<unknown[]>(`SELECT id FROM ${TABLE} WHERE name = 'B'`);
    assert.equal(rows.length, 0, 'the failed insert left nothing');
  });

  it('GET /health is the terminus report with the pool status; GET /pool shows status and stats', async () => {
    const health = await request(app.getHttpServer()).get('/health').expect(200);
    assert.equal(health.body.status, 'ok');
    assert.equal(health.body.info.database.status, 'up');
    assert.equal(typeof health.body.info.database.available, 'number');
    const pool = await request(app.getHttpServer()).get('/pool').expect(200);
    assert.equal(pool.body.status.name, 'default');
    assert.ok(pool.body.stats.requests > 0);
  });

  it('GET /health reports 503 when the pool cannot serve', async () => {
    const pool = app.get(Pool);
    const held = await Promise.all(Array.from({ length: 4 }, () => pool.acquire()));
    const res = await request(app.getHttpServer()).get('/health').expect(503);
    assert.equal(res.body.error.database.status, 'down');
    assert.equal(res.body.error.database.borrowed, 4);
    for (const c of held) await c.release();
    await sleep(10);
  });
});

describe('graceful shutdown', () => {
  it('an in-flight request finishes, then the pool closes', async () => {
    const other = await createNestUsersApp({ url: MARIADB_URL, table: TABLE, pool: { minSize: 1, maxSize: 1 } });
    await other.listen(0, '127.0.0.1');
    const { port } = other.getHttpServer().address() as { port: number };
    const pool = other.get(Pool);
    const held = await pool.acquire();
    // agent: false sends Connection: close, so the server's close() need not wait for an idle
    // keep-alive socket (Fastify's keepAliveTimeout is 72 s): that would be HTTP, not the pool.
    const inflight = new Promise<{ status: number; body: string }>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/users/1', agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject);
    });
    for (let i = 0; i < 100 && pool.status().waiting === 0; i++) await sleep(10);
    assert.equal(pool.status().waiting, 1, 'the request is inside its handler, waiting for a connection');
    const closing = other.close();
    await sleep(100);
    assert.equal(pool.closed, false, 'the pool stays open while a request is in flight');
    await held.release();
    const res = await inflight;
    assert.equal(res.status, 200);
    assert.equal((JSON.parse(res.body) as { id: number }).id, 1);
    await closing;
    assert.equal(pool.closed, true);
  });
});
