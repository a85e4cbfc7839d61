import { Controller, Get, Injectable, Module, Param, Scope } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Pool, PoolConnection } from '@mariapool/core';
import { Conn, PoolModule } from '@mariapool/nestjs';
import { URL_ } from '../competitors.js';

const SQL = 'SELECT id, name, email FROM bench_users WHERE id = ?';

@Controller('conn')
class ConnController {
  @Get('users/:id')
  async get(@Param('id') id: string, @Conn() conn: PoolConnection) {
    return ((await conn.query(SQL, [id])) as unknown[])[0];
  }
}

@Injectable({ scope: Scope.REQUEST })
class ScopedRepo {
  constructor(private readonly conn: PoolConnection) {}
  async find(id: string) {
    return ((await this.conn.query(SQL, [id])) as unknown[])[0];
  }
}

@Controller('scoped')
class ScopedController {
  constructor(private readonly repo: ScopedRepo) {}
  @Get('users/:id')
  get(@Param('id') id: string) {
    return this.repo.find(id);
  }
}

@Controller('direct')
class DirectController {
  constructor(private readonly pool: Pool) {}
  @Get('users/:id')
  async get(@Param('id') id: string) {
    return ((await this.pool.query(SQL, [id])) as unknown[])[0];
  }
}

@Module({
  imports: [PoolModule.forRoot({ uri: URL_, minSize: 10, maxSize: 10, enableHealthCheck: false })],
  controllers: [ConnController, ScopedController, DirectController],
  providers: [ScopedRepo],
})
class BenchModule {}

/** Nest on the Fastify adapter with the three ways to reach the database. */
export async function startNest(_variant: string): Promise<{ listen: () => Promise<number>; close: () => Promise<void> }> {
  const app = await NestFactory.create(BenchModule, new FastifyAdapter(), { logger: false });
  return {
    listen: async () => {
      await app.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1');
      return (app.getHttpServer().address() as { port: number }).port;
    },
    close: () => app.close(),
  };
}
