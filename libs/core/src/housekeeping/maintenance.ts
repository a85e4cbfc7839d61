import type { PooledConnection } from '../connections/pooled-connection.js';

/** The settings housekeeping decisions depend on (a subset of the resolved options). */
export interface MaintenancePolicy {
  readonly minSize: number;
  readonly maxIdleTimeMs: number;
  readonly maxLifetimeMs: number;
  readonly validationIntervalMs: number;
  readonly enableHealthCheck: boolean;
  readonly pingThresholdMs: number;
}

/** Lifetime jitter: up to 5 % earlier, so connections opened together do not all expire together. */
const LIFETIME_JITTER = 0.05;

/** When a connection opened at `now` must be retired (Infinity when lifetimes are off). */
export function expiryFor(now: number, maxLifetimeMs: number, random: () => number = Math.random): number {
  if (maxLifetimeMs <= 0) return Infinity;
  return now + maxLifetimeMs * (1 - LIFETIME_JITTER * random());
}

/** Whether a connection idle since its last sign of life must be pinged before it is lent. */
export function needsPing(entry: PooledConnection, now: number, pingThresholdMs: number): boolean {
  return pingThresholdMs > 0 && now - entry.lastAliveAt > pingThresholdMs;
}

/**
 * Which idle connections to close now: every retired one (lost, expired, from before a drain),
 * then, oldest-idle first, those idle longer than maxIdleTimeMs while the pool is above minSize.
 * `idle` is the idle stack, most recently returned last. `size` counts all open connections.
 */
export function selectIdleToClose(
  idle: readonly PooledConnection[],
  size: number,
  now: number,
  generation: number,
  policy: MaintenancePolicy,
): PooledConnection[] {
  const out: PooledConnection[] = [];
  let remaining = size;
  for (const e of idle) {
    if (e.isRetired(now, generation)) {
      out.push(e);
      remaining--;
    }
  }
  if (policy.maxIdleTimeMs <= 0) return out;
  for (const e of idle) {
    if (remaining <= policy.minSize) break;
    if (!out.includes(e) && now - e.idleSince >= policy.maxIdleTimeMs) {
      out.push(e);
      remaining--;
    }
  }
  return out;
}

/** Idle connections the health check should ping: not seen alive for a whole validation interval. */
export function selectIdleToCheck(idle: readonly PooledConnection[], now: number, policy: MaintenancePolicy): PooledConnection[] {
  if (!policy.enableHealthCheck) return [];
  return idle.filter((e) => now - e.lastAliveAt >= policy.validationIntervalMs);
}

/**
 * How often the housekeeping task runs (ms): often enough to honour the shortest enabled interval
 * within a quarter of it, never more often than every 10 ms, and at least every 5 s.
 */
export function housekeepingPeriod(policy: MaintenancePolicy): number {
  const intervals = [
    policy.enableHealthCheck ? policy.validationIntervalMs : Infinity,
    policy.maxIdleTimeMs > 0 ? policy.maxIdleTimeMs : Infinity,
    policy.maxLifetimeMs > 0 ? policy.maxLifetimeMs : Infinity,
  ];
  return Math.min(5000, Math.max(10, Math.min(...intervals) / 4));
}
