import '../support/guard.js';
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { INestApplication } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { buildApp } from 'fastify-users';
import { createNestUsersApp } from 'nest-users';
import { adminSql, closeAdmin, MARIADB_URL } from '../support/db.js';

/** The two users demos answer the same requests with the same status and body. */
const FASTIFY_TABLE = 'users_agree_fastify';
const NEST_TABLE = 'users_agree_nest';
let fastify: FastifyInstance;
let nest: INestApplication;

before(async () => {
  await adminSql(`DROP TABLE IF EXISTS ${FASTIFY_TABLE}, ${NEST_TABLE}`);
  fastify = await buildApp({ url: MARIADB_URL, table: FASTIFY_TABLE, pool: { minSize: 1, maxSize: 2 } });
  await fastify.ready();
  nest = await createNestUsersApp({ url: MARIADB_URL, table: NEST_TABLE, pool: { minSize: 1, maxSize: 2 } });
});
after(async () => {
  await fastify.close();
  await nest.close();
  await adminSql(`DROP TABLE IF EXISTS ${FASTIFY_TABLE}, ${NEST_TABLE}`);
  await closeAdmin();
});

async function both(send: (server: Parameters<typeof request>[0]) => request.Test): Promise<Array<{ status: number; body: unknown }>> {
  return Promise.all([send(fastify.server), send(nest.getHttpServer())].map(async (t) => {
    const res = await t;
    return { status: res.status, body: res.body };
  }));
}

describe('the two users demos agree', () => {
  const cases: Array<[string, number, (s: Parameters<typeof request>[0]) => request.Test]> = [
    ['an id beyond 2^53 (which a number would round to another id)', 400, (s) => request(s).get('/users/9007199254740993')],
    ['a negative id', 400, (s) => request(s).get('/users/-1')],
    ['a non-numeric id', 400, (s) => request(s).get('/users/abc')],
    ['a missing user', 404, (s) => request(s).get('/users/999999')],
    ['a body with no email', 400, (s) => request(s).post('/users').send({ name: 'No Email' })],
    ['a body with an unknown field', 400, (s) => request(s).post('/users').send({ name: 'X', email: 'x@example.com', admin: true })],
  ];
  for (const [what, status, send] of cases) {
    it(`${what}: ${status}, the same body from both`, async () => {
      const [f, n] = await both(send);
      assert.equal(f?.status, status, JSON.stringify(f));
      assert.equal(n?.status, status, JSON.stringify(n));
      assert.deepEqual(f?.body, n?.body);
      assert.deepEqual(Object.keys(f?.body as object).sort(), ['error', 'message', 'statusCode']);
    });
  }

  it('a duplicate email: 409 with the same body from both', async () => {
    const body = { name: 'Twice', email: 'twice@example.com' };
    await both((s) => request(s).post('/users').send(body));
    const [f, n] = await both((s) => request(s).post('/users').send(body));
    assert.equal(f?.status, 409);
    assert.deepEqual(f, n);
  });

  it('the largest safe id is an id like any other (404, not 400)', async () => {
    const [f, n] = await both((s) => request(s).get(`/users/${Number.MAX_SAFE_INTEGER}`));
    assert.equal(f?.status, 404);
    assert.deepEqual(f, n);
  });
});
