import '../../support/guard.js';
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { poolPlugin } from '@mariapool/fastify';
import { closeAdmin, MARIADB_URL } from '../../support/db.js';

after(closeAdmin);

@Module({})
class EmptyModule {}

describe('@mariapool/fastify inside Nest\'s Fastify adapter', () => {
  it('registers on the adapter\'s instance; routes get and release a request connection', async () => {
    const app = await NestFactory.create<NestFastifyApplication>(EmptyModule, new FastifyAdapter(), { logger: false });
    const fastify = app.getHttpAdapter().getInstance();
    await fastify.register(poolPlugin, { uri: MARIADB_URL, minSize: 1, maxSize: 2 });
    fastify.get('/raw/thread', async (req) => ({ thread: (await req.getConnection()).threadId }));
    await app.init();
    await fastify.ready();
    const res = await fastify.inject('/raw/thread');
    assert.equal(res.statusCode, 200);
    assert.equal(typeof res.json().thread, 'number');
    assert.equal(fastify.pool.status().borrowed, 0);
    await app.close();
    assert.equal(fastify.pool.closed, true);
  });
});
