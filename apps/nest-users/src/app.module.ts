import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PoolModule, type PoolModuleOptions } from '@mariapool/nestjs';
import { PoolHealthIndicator } from '@mariapool/nestjs/health';
import { checkTableName, DEMO_DATABASE_URL } from 'users-example';
import { StatusController } from './status.controller.js';
import { USERS_TABLE } from './users/user.js';
import { UsersController } from './users/users.controller.js';
import { UsersRepository } from './users/users.repository.js';
import { UsersSchema } from './users/users.schema.js';
import { UsersScopedController } from './users/users-scoped.controller.js';

export interface AppModuleOptions {
  /** @default process.env.MARIADB_URL ?? the demo database (DEMO_DATABASE_URL) */
  url?: string;
  /** @default "users" */
  table?: string;
  pool?: PoolModuleOptions;
}

@Module({})
export class AppModule {
  static register(options: AppModuleOptions = {}): DynamicModule {
    const table = checkTableName(options.table ?? 'users');
    return {
      module: AppModule,
      imports: [
        TerminusModule,
        PoolModule.forRootAsync({
          useFactory: (): PoolModuleOptions => ({
            uri: options.url ?? process.env['MARIADB_URL'] ?? DEMO_DATABASE_URL,
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
