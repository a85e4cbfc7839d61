import { Inject, Injectable, Scope } from '@nestjs/common';
import { PoolConnection } from '@mariapool/core';
import { USERS_TABLE, type User } from './user.js';

/**
 * A REQUEST-scoped repository on the request's connection, injected by type (the default pool's
 * connection token is the PoolConnection class). Every consumer of it becomes request-scoped too.
 */
@Injectable({ scope: Scope.REQUEST })
export class UsersRepository {
  constructor(
    private readonly conn: PoolConnection,
    @Inject(USERS_TABLE) private readonly table: string,
  ) {}

  async find(id: number): Promise<User | undefined> {
    const rows = await this.conn.query<User[]>(`SELECT id, name, email FROM ${this.table} WHERE id = ?`, [id]);
    return rows[0];
  }

  get threadId(): number | null {
    return this.conn.threadId;
  }
}
