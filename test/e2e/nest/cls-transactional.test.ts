import '../../support/guard.js';
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Controller, Get, Injectable, Module, Param, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ClsModule } from 'nestjs-cls';
import { ClsPluginTransactional, Propagation, Transactional as ClsTransactional, TransactionHost } from '@nestjs-cls/transactional';
import request from 'supertest';
import type { PoolConnection } from '@mariapool/core';
import { Conn, PoolModule, Transactional } from '@mariapool/nestjs';
import { TransactionalAdapterMariapool } from '@mariapool/nestjs/cls';
import { adminSql, closeAdmin, MARIADB_URL } from '../../support/db.js';

const TABLE = 'mariapool_cls_tx';
type Host = TransactionHost<TransactionalAdapterMariapool>;

async function threadOf(host: Host): Promise<number> {
  const [row] = await host.tx.query<Array<{ t: number | bigint }>>('SELECT CONNECTION_ID() AS t');
  return Number(row?.t);
}

@Injectable()
class Accounts {
  constructor(private readonly host: TransactionHost<TransactionalAdapterMariapool>) {}

  @ClsTransactional()
  async insert(id: number, fail = false): Promise<number> {
    await this.host.tx.query(`INSERT INTO ${TABLE} VALUES (?)`, [id]);
    if (fail) throw new Error('service failed');
    return threadOf(this.host);
  }

  @ClsTransactional(Propagation.RequiresNew)
  async insertApart(id: number): Promise<number> {
    await this.host.tx.query(`INSERT INTO ${TABLE} VALUES (?)`, [id]);
    return threadOf(this.host);
  }

  @ClsTransactional(Propagation.Nested)
  async insertNested(id: number, fail: boolean): Promise<void> {
    await this.host.tx.query(`INSERT INTO ${TABLE} VALUES (?)`, [id]);
    if (fail) throw new Error('nested failed');
  }

  @ClsTransactional(Propagation.NotSupported)
  async insertOutside(id: number): Promise<void> {
    await this.host.tx.query(`INSERT INTO ${TABLE} VALUES (?)`, [id]);
  }

  @ClsTransactional(Propagation.Mandatory)
  async mustBeInTransaction(): Promise<void> {}

  @ClsTransactional(Propagation.Never)
  async mustNotBeInTransaction(): Promise<void> {}

  @ClsTransactional(Propagation.Supports)
  async supports(): Promise<boolean> {
    return this.host.isTransactionActive();
  }

  @ClsTransactional()
  async inside(mode: 'never' | 'supports'): Promise<boolean> {
    if (mode === 'never') {
      await this.mustNotBeInTransaction();
      return false;
    }
    return this.supports();
  }

  @ClsTransactional()
  async outer(id: number, mode: 'requires-new' | 'nested' | 'not-supported'): Promise<number[]> {
    await this.host.tx.query(`INSERT INTO ${TABLE} VALUES (?)`, [id]);
    const here = await threadOf(this.host);
    if (mode === 'requires-new') return [here, await this.insertApart(id + 1)];
    if (mode === 'nested') {
      await this.insertNested(id + 1, true).catch(() => undefined);
      await this.insertNested(id + 2, false);
      return [here];
    }
    await this.insertOutside(id + 1);
    throw new Error('outer fails after NotSupported');
  }
}

@Controller('cls')
class ClsController {
  constructor(private readonly accounts: Accounts) {}

  @Get('shared/:id')
  async shared(@Param('id') id: string, @Conn() conn: PoolConnection) {
    return { handler: conn.threadId, service: await this.accounts.insert(Number(id)) };
  }

  @Get('fail/:id')
  async fail(@Param('id') id: string) {
    return this.accounts.insert(Number(id), true);
  }

  @Get('handler-tx/:id')
  @Transactional()
  async handlerTx(@Param('id') id: string, @Conn() conn: PoolConnection) {
    const service = await this.accounts.insert(Number(id));
    if (service !== conn.threadId) throw new Error('not the request connection');
    throw new Error('the handler fails after the service wrote');
  }

  @Get('outer/:mode/:id')
  async outer(@Param('mode') mode: 'requires-new' | 'nested' | 'not-supported', @Param('id') id: string) {
    return this.accounts.outer(Number(id), mode);
  }

  @Get('propagation/:mode')
  async propagation(@Param('mode') mode: 'never' | 'supports' | 'supports-alone') {
    if (mode === 'supports-alone') return { active: await this.accounts.supports() };
    return { active: await this.accounts.inside(mode) };
  }

  @Get('mandatory')
  async mandatory() {
    await this.accounts.mustBeInTransaction();
    return { ran: true };
  }
}

@Module({
  imports: [
    PoolModule.forRoot({ uri: MARIADB_URL, minSize: 1, maxSize: 4 }),
    ClsModule.forRoot({ global: true, middleware: { mount: true }, plugins: [new ClsPluginTransactional({ adapter: new TransactionalAdapterMariapool() })] }),
  ],
  controllers: [ClsController],
  providers: [Accounts],
})
class ClsAppModule {}

let app: INestApplication;
const rows = async (): Promise<number[]> => (await adminSql<Array<{ id: number }>>(`SELECT id FROM ${TABLE} ORDER BY id`)).map((r) => r.id);

before(async () => {
  await adminSql(`CREATE OR REPLACE TABLE ${TABLE} (id INT PRIMARY KEY) ENGINE=InnoDB`);
  app = await NestFactory.create(ClsAppModule, new FastifyAdapter(), { logger: false });
  await app.init();
  await (app.getHttpAdapter().getInstance() as { ready(): Promise<void> }).ready();
});
after(async () => {
  await app.close();
  await adminSql(`DROP TABLE IF EXISTS ${TABLE}`);
  await closeAdmin();
});

describe('@nestjs-cls/transactional with TransactionalAdapterMariapool', () => {
  it('a service transaction runs on the request\'s connection (the one @Conn() gives the handler) and commits', async () => {
    const res = await request(app.getHttpServer()).get('/cls/shared/1').expect(200);
    assert.equal(res.body.handler, res.body.service, 'one connection per request');
    assert.deepEqual(await rows(), [1]);
  });

  it('a service that throws rolls its transaction back', async () => {
    await request(app.getHttpServer()).get('/cls/fail/2').expect(500);
    assert.ok(!(await rows()).includes(2));
  });

  it('inside a handler\'s @Transactional(), the service joins that one transaction: the handler\'s failure rolls back the service\'s write', async () => {
    await request(app.getHttpServer()).get('/cls/handler-tx/3').expect(500);
    assert.ok(!(await rows()).includes(3));
  });

  it('RequiresNew: a transaction of its own on another connection, committed even though the outer one is not', async () => {
    const res = await request(app.getHttpServer()).get('/cls/outer/requires-new/10').expect(200);
    const [outerThread, innerThread] = res.body as number[];
    assert.notEqual(outerThread, innerThread);
    const stored = await rows();
    assert.ok(stored.includes(10) && stored.includes(11));
  });

  it('Nested: a SAVEPOINT; the failed nested part is rolled back, the rest commits', async () => {
    await request(app.getHttpServer()).get('/cls/outer/nested/20').expect(200);
    const stored = await rows();
    assert.ok(stored.includes(20), 'outer write kept');
    assert.ok(!stored.includes(21), 'the failed nested write was rolled back to its savepoint');
    assert.ok(stored.includes(22), 'the successful nested write kept');
  });

  it('NotSupported: runs outside the transaction, so its write survives the outer rollback', async () => {
    await request(app.getHttpServer()).get('/cls/outer/not-supported/30').expect(500);
    const stored = await rows();
    assert.ok(!stored.includes(30), 'outer write rolled back');
    assert.ok(stored.includes(31), 'the NotSupported write committed on its own');
  });

  it('Mandatory with no transaction fails', async () => {
    await request(app.getHttpServer()).get('/cls/mandatory').expect(500);
  });

  it('Never inside a transaction fails; Supports joins one when there is one and runs without one otherwise', async () => {
    await request(app.getHttpServer()).get('/cls/propagation/never').expect(500);
    assert.deepEqual((await request(app.getHttpServer()).get('/cls/propagation/supports').expect(200)).body, { active: true });
    assert.deepEqual((await request(app.getHttpServer()).get('/cls/propagation/supports-alone').expect(200)).body, { active: false });
  });

  it('mariapool\'s own @Transactional() on a service method fails the start, pointing to the adapter', async () => {
    @Injectable()
    class Misplaced {
      @Transactional()
      async write(): Promise<void> {}
    }
    @Module({ imports: [PoolModule.forRoot({ uri: MARIADB_URL, name: 'misplaced', minSize: 1, maxSize: 1 })], providers: [Misplaced] })
    class MisplacedModule {}
    const error = await NestFactory.create(MisplacedModule, new FastifyAdapter(), { logger: false, abortOnError: false })
      .then((started) => started.init().then(
        () => started.close(),
        async (e: unknown) => {
          await started.close().catch(() => undefined); // the pool it opened is closed too
          return e;
        },
      ), (e: unknown) => e);
    assert.ok(error instanceof Error, 'the app started');
    assert.match(error.message, /@Transactional\(\) from @mariapool\/nestjs on Misplaced\.write\(\).*TransactionalAdapterMariapool/);
  });

  it('every connection is back in the pool afterwards', async () => {
    const pool = app.get((await import('@mariapool/core')).Pool);
    for (let i = 0; i < 100 && pool.status().borrowed > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(pool.status().borrowed, 0);
  });
});
