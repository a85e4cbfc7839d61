import '../support/guard.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DriverConnection } from '@mariapool/core';
import { PooledConnection } from '../../libs/core/dist/connections/pooled-connection.js';
import { expiryFor, housekeepingPeriod, needsPing, selectIdleToCheck, selectIdleToClose, type MaintenancePolicy } from '../../libs/core/dist/housekeeping/maintenance.js';

const POLICY: MaintenancePolicy = { minSize: 1, maxIdleTimeMs: 1000, maxLifetimeMs: 10_000, validationIntervalMs: 500, enableHealthCheck: true, pingThresholdMs: 100 };

function entry(opts: { idleSince: number; lastAliveAt?: number; expiresAt?: number; valid?: boolean; generation?: number; thread: number }): PooledConnection {
  const raw = { threadId: opts.thread, isValid: () => opts.valid ?? true, autocommit: () => true } as unknown as DriverConnection;
  const e = new PooledConnection(raw, 0, opts.expiresAt ?? Infinity, opts.generation ?? 0);
  e.idleSince = opts.idleSince;
  e.lastAliveAt = opts.lastAliveAt ?? opts.idleSince;
  return e;
}

describe('maintenance decisions (pure)', () => {
  it('expiryFor: up to 5 % early, Infinity when lifetimes are off', () => {
    assert.equal(expiryFor(1000, 10_000, () => 0), 11_000);
    assert.equal(expiryFor(1000, 10_000, () => 1), 10_500);
    assert.equal(expiryFor(1000, 0), Infinity);
  });

  it('needsPing: only past the threshold, never with 0', () => {
    const e = entry({ idleSince: 0, lastAliveAt: 1000, thread: 1 });
    assert.equal(needsPing(e, 1100, 100), false);
    assert.equal(needsPing(e, 1101, 100), true);
    assert.equal(needsPing(e, 99_999, 0), false);
  });

  it('selectIdleToClose: every retired one, then the longest idle above minSize, never below it', () => {
    const dead = entry({ idleSince: 900, valid: false, thread: 1 });
    const expired = entry({ idleSince: 900, expiresAt: 1500, thread: 2 });
    const oldIdle = entry({ idleSince: 0, thread: 3 });
    const olderIdle = entry({ idleSince: 100, thread: 4 });
    const fresh = entry({ idleSince: 1900, thread: 5 });
    const drained = entry({ idleSince: 1900, generation: -1, thread: 6 });
    const idle = [oldIdle, olderIdle, dead, expired, fresh, drained];
    const closed = selectIdleToClose(idle, 6, 2000, 0, POLICY).map((e) => e.raw.threadId);
    assert.deepEqual(closed, [1, 2, 6, 3, 4]);
    const keepTwo = selectIdleToClose([oldIdle, olderIdle, fresh], 3, 2000, 0, { ...POLICY, minSize: 2 }).map((e) => e.raw.threadId);
    assert.deepEqual(keepTwo, [3], 'stops at minSize');
    assert.deepEqual(selectIdleToClose([oldIdle], 1, 2000, 0, { ...POLICY, maxIdleTimeMs: 0, minSize: 0 }), [], 'maxIdleTimeMs 0 closes nothing idle');
  });

  it('selectIdleToCheck: idle ones not seen alive for a whole interval, none when the check is off', () => {
    const seen = entry({ idleSince: 0, lastAliveAt: 1600, thread: 1 });
    const stale = entry({ idleSince: 0, lastAliveAt: 1500, thread: 2 });
    assert.deepEqual(selectIdleToCheck([seen, stale], 2000, POLICY).map((e) => e.raw.threadId), [2]);
    assert.deepEqual(selectIdleToCheck([stale], 2000, { ...POLICY, enableHealthCheck: false }), []);
  });

  it('housekeepingPeriod: a quarter of the shortest interval, between 10 ms and 5 s', () => {
    assert.equal(housekeepingPeriod(POLICY), 125);
    assert.equal(housekeepingPeriod({ ...POLICY, validationIntervalMs: 20, maxIdleTimeMs: 0 }), 10);
    assert.equal(housekeepingPeriod({ ...POLICY, enableHealthCheck: false, maxIdleTimeMs: 0, maxLifetimeMs: 0 }), 5000);
  });
});
