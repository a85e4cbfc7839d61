import type { PoolOptions } from '@mariapool/core';

/** PoolModule options: the core's pool options (with `uri`), plus startup retries. */
export interface PoolModuleOptions extends PoolOptions {
  /** Extra attempts to open the pool at startup after the first fails (not for invalid options). @default 0 */
  retryAttempts?: number;
  /** Pause between those attempts (ms). @default 1000 */
  retryDelayMs?: number;
}

/** Extras of forRoot / forRootAsync, beside the options. */
export interface PoolModuleExtras {
  /** Registers a named pool with its own tokens. @default "default" */
  name?: string;
  /** Make the pool and connection tokens injectable everywhere. @default true */
  isGlobal?: boolean;
}
