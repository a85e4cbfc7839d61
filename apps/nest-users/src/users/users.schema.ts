import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Pool } from '@mariapool/core';
import { USERS_TABLE } from './user.js';

const SEED = [
  ['Ada Lovelace', 'ada@example.com'],
  ['Grace Hopper', 'grace@example.com'],
  ['Edsger Dijkstra', 'edsger@example.com'],
];

/** Creates the users table if missing and seeds it, before the app serves. */
@Injectable()
export class UsersSchema implements OnApplicationBootstrap {
  // The default pool is injected by type: no decorator (needs emitDecoratorMetadata).
  constructor(
    private readonly pool: Pool,
    @Inject(USERS_TABLE) private readonly table: string,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.pool.query(
      `CREATE TABLE IF NOT EXISTS ${this.table} (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(255) NOT NULL UNIQUE)`,
    );
    await this.pool.batch(`INSERT IGNORE INTO ${this.table} (name, email) VALUES (?, ?)`, SEED);
  }
}
