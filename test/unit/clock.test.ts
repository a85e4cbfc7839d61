import '../support/guard.js';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { systemClock } from '@mariapool/core';

/** Spins for `ms` without yielding to the event loop. */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('systemClock.now()', () => {
  it('is read once per event-loop turn, again after 32 reads, and afresh in the next turn', async () => {
    await nextTurn(); // start from a fresh turn
    const first = systemClock.now();
    spin(5);
    const sameTurn = systemClock.now();
    assert.equal(sameTurn, first, 'a read within the same turn reuses the cached value');
    const reads: number[] = [];
    for (let i = 0; i < 40; i++) reads.push(systemClock.now());
    assert.ok(reads.some((t) => t >= first + 5), 'a long run of reads in one turn refreshes the value (never more than 32 reads old)');
    await nextTurn();
    spin(2);
    const nextTurnRead = systemClock.now();
    await nextTurn();
    assert.ok(systemClock.now() > nextTurnRead, 'a new turn reads the time afresh');
  });

  it('is monotonic and never ahead of performance.now()', async () => {
    let previous = -Infinity;
    for (let turn = 0; turn < 20; turn++) {
      for (let i = 0; i < 100; i++) {
        const t = systemClock.now();
        assert.ok(t >= previous, 'monotonic');
        assert.ok(t <= performance.now(), 'never ahead of real time');
        previous = t;
      }
      await nextTurn();
    }
  });
});
