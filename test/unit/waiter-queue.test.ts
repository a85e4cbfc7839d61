import '../support/guard.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Waiter } from '../../libs/core/dist/queue/waiter.js';
import { WaiterQueue } from '../../libs/core/dist/queue/waiter-queue.js';
import { ManualClock } from '../support/manual-clock.js';

const TIMEOUT = 1000;

function waiterAt(clock: ManualClock, timeoutMs = TIMEOUT): { waiter: Waiter<string>; outcome: () => string } {
  let outcome = 'pending';
  const now = clock.now();
  const waiter = new Waiter<string>((v) => (outcome = `granted ${v}`), (e) => (outcome = `failed ${String(e)}`), now, timeoutMs);
  return { waiter, outcome: () => outcome };
}

describe('WaiterQueue: the ring of pending acquires', () => {
  it('one timer for every default-deadline waiter, expiring them in arrival order', async () => {
    const clock = new ManualClock();
    const expired: Waiter<string>[] = [];
    const q = new WaiterQueue<string>(clock, TIMEOUT, (w) => expired.push(w));
    const a = waiterAt(clock);
    q.push(a.waiter);
    await clock.advance(300);
    const b = waiterAt(clock);
    q.push(b.waiter);
    assert.equal(clock.pending, 1, 'one timer for both');
    assert.equal(q.armedDeadline, a.waiter.deadline);
    await clock.advance(700);
    assert.deepEqual(expired, [a.waiter]);
    assert.equal(q.size, 1);
    assert.equal(q.armedDeadline, b.waiter.deadline, 're-armed for the next');
    await clock.advance(300);
    assert.deepEqual(expired, [a.waiter, b.waiter]);
    assert.equal(q.size, 0);
    assert.equal(clock.pending, 0);
  });

  it('a waiter with its own timer is stepped over by the single timer', async () => {
    const clock = new ManualClock();
    const expired: Waiter<string>[] = [];
    const q = new WaiterQueue<string>(clock, TIMEOUT, (w) => expired.push(w));
    const own = waiterAt(clock, 5000);
    own.waiter.armOwnTimer(clock, () => undefined);
    q.push(own.waiter);
    const plain = waiterAt(clock);
    q.push(plain.waiter);
    await clock.advance(TIMEOUT);
    assert.deepEqual(expired, [plain.waiter]);
    assert.equal(q.size, 1);
    assert.equal(q.shift(), own.waiter);
  });

  it('shift() serves in arrival order and skips waiters that settled on their own; forget() uncounts them', () => {
    const clock = new ManualClock();
    const q = new WaiterQueue<string>(clock, TIMEOUT, () => undefined);
    const ws = Array.from({ length: 5 }, () => waiterAt(clock).waiter);
    for (const w of ws) q.push(w);
    ws[0]!.fail(new Error('aborted'));
    q.forget(ws[0]!);
    ws[2]!.fail(new Error('aborted'));
    q.forget(ws[2]!);
    assert.equal(q.size, 3);
    assert.deepEqual([q.shift(), q.shift(), q.shift(), q.shift()], [ws[1], ws[3], ws[4], undefined]);
  });

  it('unshift() puts a waiter back at the head, ahead of everyone', () => {
    const clock = new ManualClock();
    const q = new WaiterQueue<string>(clock, TIMEOUT, () => undefined);
    const first = waiterAt(clock).waiter;
    const second = waiterAt(clock).waiter;
    q.push(first);
    q.push(second);
    const taken = q.shift() as Waiter<string>;
    taken.armOwnTimer(clock, () => undefined);
    q.unshift(taken);
    assert.deepEqual([q.shift(), q.shift()], [first, second]);
  });

  it('keeps order while the ring wraps around and grows past its first capacity', () => {
    const clock = new ManualClock();
    const q = new WaiterQueue<string>(clock, TIMEOUT, () => undefined);
    const all: Waiter<string>[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 50; i++) {
        const w = waiterAt(clock).waiter;
        all.push(w);
        q.push(w);
      }
      for (let i = 0; i < 30; i++) assert.equal(q.shift(), all.shift());
    }
    for (let i = 0; i < 200; i++) {
      const w = waiterAt(clock).waiter;
      all.push(w);
      q.push(w);
    }
    assert.equal(q.size, all.length);
    for (const w of all) assert.equal(q.shift(), w);
    assert.equal(q.size, 0);
  });

  it('drain() hands back every live waiter, oldest first, and disarms the timer', () => {
    const clock = new ManualClock();
    const q = new WaiterQueue<string>(clock, TIMEOUT, () => undefined);
    const ws = Array.from({ length: 3 }, () => waiterAt(clock).waiter);
    for (const w of ws) q.push(w);
    assert.deepEqual(q.drain(), ws);
    assert.equal(clock.pending, 0);
  });

  it('a waiter settles exactly once: grant and fail return false afterwards', () => {
    const clock = new ManualClock();
    const w = waiterAt(clock);
    assert.equal(w.waiter.grant('conn'), true);
    assert.equal(w.waiter.fail(new Error('late')), false);
    assert.equal(w.waiter.grant('again'), false);
    assert.equal(w.outcome(), 'granted conn');
  });
});
