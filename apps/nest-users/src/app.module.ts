import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PoolModule, type PoolModuleOptions } from '@mariapool/nestjs';
import { PoolHealthIndicator } from '@mariapool/nestjs/health';
import { StatusController } from './status.controller.js';
import { USERS_TABLE } from './users/user.js';
import { UsersController } from './users/users.controller.js';
import { UsersRepository } from './users/users.repository.js';
import { UsersSchema } from './users/users.schema.js';
import { UsersScopedController } from './users/users-scoped.controller.js';

export interface AppModuleOptions {
  /** @default process.env.MARIADB_URL ?? "mariadb://root@127.0.0.1:3306/test" */
  url?: string;
  /** @default "users" */
  table?: string;
  pool?: PoolModuleOptions;
}

@Module({})
export class AppModule {
  static register(options: AppModuleOptions = {}): DynamicModule {
    const table = options.table ?? 'users';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw new Error(`table must be a plain identifier, got ${JSON.stringify(table)}`);
    return {
      module: AppModule,
      imports: [
        TerminusModule,
        PoolModule.forRootAsync({
          useFactory: (): PoolModuleOptions => ({
            uri: options.url ?? process.env['MARIADB_URL'] ?? 'mariadb://root@127.0.0.1:3306/test',
            minSize: 2,
            maxSize: 10,
            acquireTimeoutMs: 5000,
            ...options.pool,
          }),
        }),
      ],
      controllers: [UsersController, UsersScopedController, StatusController],
      providers: [{ provide: USERS_TABLE, useValue: table }, UsersSchema, UsersRepository, PoolHealthIndicator],
    };
  }
}
