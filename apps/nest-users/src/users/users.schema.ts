import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Pool } from '@mariapool/core';
import { prepareUsersTable } from 'users-example';
import { USERS_TABLE } from './user.js';

/** Creates the users table if missing and seeds it, before the app serves. */
@Injectable()
export class UsersSchema implements OnApplicationBootstrap {
  // The default pool is injected by type: no decorator (needs emitDecoratorMetadata).
  constructor(
    private readonly pool: Pool,
    @Inject(USERS_TABLE) private readonly table: string,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await prepareUsersTable(this.pool, this.table);
  }
}
