/**
 * Part 5, recovery: a throw-away server is killed and started again while each pool keeps issuing
 * queries; time from the server being ready to each pool's first successful query and to its
 * size being back at minSize. mariapool against the mariadb pool.
 */
import * as mariadb from 'mariadb';
import { createPool } from '@mariapool/core';
import { startMariaDb } from '@mariapool/testing';
import { connectionConfig } from './competitors.js';
import { median } from './stats.js';
import type { Table } from './report.js';

interface Probe {
  name: string;
  query(): Promise<unknown>;
  size(): number;
  close(): Promise<void>;
}

async function once(): Promise<Array<{ name: string; firstOkMs: number; backToMinMs: number }>> {
  const db = await startMariaDb();
  const ours = await createPool(db.url, { minSize: 4, maxSize: 4, acquireTimeoutMs: 2000, name: 'bench-recovery' });
  const theirs = mariadb.createPool({ ...connectionConfig(db.url), connectionLimit: 4, minimumIdle: 4, acquireTimeout: 2000 });
  await theirs.query('SELECT 1');
  const probes: Probe[] = [
    { name: 'mariapool', query: () => ours.query('SELECT 1'), size: () => ours.status().size - ours.status().opening, close: () => ours.close() },
    { name: 'mariadb pool', query: () => theirs.query('SELECT 1'), size: () => theirs.totalConnections(), close: () => theirs.end() },
  ];
  let readyAt = Infinity;
  let running = true;
  const firstOk = new Map<string, number>();
  const backToMin = new Map<string, number>();
  const loops = probes.map(async (p) => {
    while (running) {
      try {
        await p.query();
        const now = performance.now();
        if (now >= readyAt - 200 && !firstOk.has(p.name)) firstOk.set(p.name, now);
      } catch {
        // failing while the server is down is expected
      }
      if (performance.now() > readyAt && !backToMin.has(p.name) && p.size() >= 4) backToMin.set(p.name, performance.now());
      await new Promise((r) => setTimeout(r, 2));
    }
  });
  await db.kill();
  await new Promise((r) => setTimeout(r, 500));
  firstOk.clear();
  await db.restart();
  readyAt = performance.now();
  await new Promise((r) => setTimeout(r, 3000));
  running = false;
  await Promise.all(loops);
  for (const p of probes) await p.close();
  await db.stop();
  return probes.map((p) => ({ name: p.name, firstOkMs: (firstOk.get(p.name) ?? Infinity) - readyAt, backToMinMs: (backToMin.get(p.name) ?? Infinity) - readyAt }));
}

export async function recovery(opts: { quick: boolean }): Promise<{ results: unknown; tables: Table[] }> {
  const runs: Array<Awaited<ReturnType<typeof once>>> = [];
  // Quick mode (CI: the harness must run, its numbers are not read): one crash, not three.
  for (let i = 0; i < (opts.quick ? 1 : 3); i++) runs.push(await once());
  const names = ['mariapool', 'mariadb pool'];
  const rows = names.map((name) => {
    const mine = runs.map((r) => r.find((x) => x.name === name)!);
    return [name, median(mine.map((m) => m.firstOkMs)).toFixed(0), median(mine.map((m) => m.backToMinMs)).toFixed(0), mine.map((m) => `${m.firstOkMs.toFixed(0)}/${m.backToMinMs.toFixed(0)}`).join(', ')];
  });
  return {
    results: runs,
    tables: [{
      title: 'Recovery after a server crash (SIGKILL, 0.5 s down, restart): ms from "server ready" to …',
      header: ['pool', 'first successful query (median)', 'back at minSize 4 (median)', 'each run (first/min)'],
      rows,
      notes: ['"Server ready" is when our readiness check (mariadb-admin ping, every 50 ms) saw it, so a pool can succeed slightly before it (negative numbers). Target: first successful query within 100 ms.'],
    }],
  };
}
