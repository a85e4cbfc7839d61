import '../support/guard.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff } from '../../libs/core/dist/connections/backoff.js';

describe('Backoff', () => {
  it('doubles from the initial delay up to the cap, then stays there', () => {
    const b = new Backoff({ initialMs: 50, maxMs: 2000, random: () => 0.5 });
    const delays = Array.from({ length: 8 }, () => b.next());
    assert.deepEqual(delays, [50, 100, 200, 400, 800, 1600, 2000, 2000]);
    assert.equal(b.failures, 8);
  });

  it('jitters each delay within ±20 %', () => {
    const low = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0 });
    const high = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0.999999 });
    assert.equal(low.next(), 80);
    assert.equal(high.next(), 120);
  });

  it('a per-attempt cap lowers the ceiling for that attempt only, and reset() starts over', () => {
    const b = new Backoff({ initialMs: 50, maxMs: 2000, random: () => 0.5 });
    for (let i = 0; i < 6; i++) b.next();
    assert.equal(b.next(60), 60);
    assert.equal(b.next(), 2000);
    b.reset();
    assert.equal(b.failures, 0);
    assert.equal(b.next(), 50);
  });

  it('never overflows after many failures', () => {
    const b = new Backoff({ initialMs: 50, maxMs: 2000, random: () => 0.5 });
    for (let i = 0; i < 1000; i++) assert.ok(Number.isFinite(b.next()));
    assert.equal(b.next(), 2000);
  });
});
