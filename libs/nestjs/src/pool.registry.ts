import { Injectable } from '@nestjs/common';
import type { Pool } from '@mariapool/core';

/**
 * The pools of one Nest application, by name. Parameter decorators and interceptors have no DI,
 * so the request carries this registry (set by the request link middleware) to reach the pools.
 * One per application, never a process global: two apps in one process (tests) stay apart.
 */
@Injectable()
export class PoolRegistry {
  readonly #pools = new Map<string, Pool>();

  add(name: string, pool: Pool): void {
    if (this.#pools.has(name)) throw new Error(`mariapool: a pool named "${name}" is already registered in this application`);
    this.#pools.set(name, pool);
  }

  remove(name: string, pool: Pool): void {
    if (this.#pools.get(name) === pool) this.#pools.delete(name);
  }

  get(name: string): Pool {
    const pool = this.#pools.get(name);
    if (pool === undefined) {
      throw new Error(`mariapool: no pool named "${name}" (registered: ${[...this.#pools.keys()].join(', ') || 'none'}); import PoolModule.forRoot({ name: '${name}', ... })`);
    }
    return pool;
  }
}
