import '../../support/guard.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from 'fastify-users';
import { adminSql, closeAdmin, MARIADB_URL } from '../../support/db.js';

const TABLE = 'users_fastify_e2e';
let app: FastifyInstance;

before(async () => {
  await adminSql(`DROP TABLE IF EXISTS ${TABLE}`);
  app = await buildApp({ url: MARIADB_URL, table: TABLE, pool: { minSize: 1, maxSize: 4 } });
  await app.ready();
});
after(async () => {
  await app.close();
  await adminSql(`DROP TABLE IF EXISTS ${TABLE}`);
  await closeAdmin();
});

describe('fastify-users app over HTTP', () => {
  it('creates and seeds the table at startup; GET /users/:id returns a user or 404', async () => {
    const ok = await request(app.server).get('/users/1').expect(200);
    assert.deepEqual(Object.keys(ok.body).sort(), ['email', 'id', 'name']);
    assert.equal(ok.body.id, 1);
    await request(app.server).get('/users/999999').expect(404);
    await request(app.server).get('/users/abc').expect(400);
  });

  it('POST /users creates in a transaction: 201, then 409 on a duplicate email, 400 on bad input', async () => {
    const created = await request(app.server).post('/users').send({ name: 'Alan Turing', email: 'alan@example.com' }).expect(201);
    assert.equal(created.body.name, 'Alan Turing');
    const fetched = await request(app.server).get(`/users/${created.body.id}`).expect(200);
    assert.equal(fetched.body.email, 'alan@example.com');
    const dup = await request(app.server).post('/users').send({ name: 'Other', email: 'alan@example.com' }).expect(409);
    assert.match(dup.body.message, /already exists/);
    await request(app.server).post('/users').send({ name: '', email: 'x' }).expect(400);
    await request(app.server).post('/users').send({ name: 'No Email' }).expect(400);
    assert.equal(app.pool.stats().badReturns, 0);
  });

  it('GET /health reports ok with the pool status; GET /pool shows status and stats', async () => {
    const health = await request(app.server).get('/health').expect(200);
    assert.equal(health.body.status, 'ok');
    assert.equal(health.body.pool.name, 'default');
    const pool = await request(app.server).get('/pool').expect(200);
    assert.equal(pool.body.status.borrowed, 0);
    assert.ok(pool.body.stats.requests > 0);
    assert.ok(!JSON.stringify(pool.body).includes('password'));
  });
});
