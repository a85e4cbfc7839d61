import '../support/guard.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPool } from '@mariapool/core';
import { ConnectionScope } from '@mariapool/core/http';
import { startFaultProxy, startMariaDb, type FaultProxy, type MariaDbServer } from '@mariapool/testing';
import { sleep } from '../support/db.js';
import { prng } from '../support/prng.js';

/** Bounded: 15 s by default (CI), longer with MARIAPOOL_SOAK_MS. */
const DURATION_MS = Number(process.env['MARIAPOOL_SOAK_MS'] ?? 15_000);
const SEED = Number(process.env['MARIAPOOL_SOAK_SEED'] ?? 7);


class Intentional extends Error {}

let db: MariaDbServer;
let proxy: FaultProxy;

before(async () => {
  db = await startMariaDb();
  await db.sql(`CREATE TABLE test.soak (id INT PRIMARY KEY); CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY 'soak-pw'; GRANT ALL ON test.* TO 'app'@'127.0.0.1';`);
  proxy = await startFaultProxy({ target: { host: db.host, port: db.port } });
});
after(async () => {
  await proxy.close();
  await db.stop();
});

describe('F26: randomized soak with faults', () => {
  it(`transactions, autocommit writes and client aborts under random network and server faults for ${DURATION_MS} ms (seed ${SEED}): every acknowledged write kept, no rolled-back write, nothing lent twice, nothing left`, async (t) => {
    const random = prng(SEED);
    const pool = await createPool(`mariadb://app:soak-pw@127.0.0.1:${proxy.port}/test`, {
      minSize: 2,
      maxSize: 6,
      acquireTimeoutMs: 1000,
      queryTimeoutMs: 500, // a statement caught in a black hole fails after 1.5 s
      pingThresholdMs: 50,
      validationIntervalMs: 500,
    });
    const acked = new Set<number>();
    const rolledBack = new Set<number>();
    const inDoubt = new Set<number>();
    const inUse = new Set<number | null>();
    let lentTwice = 0;
    let maxSeenSize = 0;
    let nextId = 1;
    let aborts = 0;
    let running = true;
    const faults: string[] = [];

    const worker = async (): Promise<void> => {
      while (running) {
        const id = nextId++;
        const abort = random() < 0.2;
        try {
          await pool.transaction(async (conn) => {
            if (inUse.has(conn.threadId)) lentTwice++;
            inUse.add(conn.threadId);
            try {
              await conn.query('INSERT INTO soak VALUES (?)', [id]);
              if (random() < 0.3) await sleep(Math.floor(random() * 20));
              if (abort) throw new Intentional('rollback on purpose');
            } finally {
              inUse.delete(conn.threadId);
            }
          });
          acked.add(id);
        } catch (error) {
          if (error instanceof Intentional) rolledBack.add(id);
          else inDoubt.add(id); // failed somewhere: committed or not, the client cannot know
          await sleep(5);
        }
        maxSeenSize = Math.max(maxSeenSize, pool.status().size);
      }
    };

    // Autocommit writers: pool.query() INSERTs, acknowledged when the promise resolves.
    const autocommitter = async (): Promise<void> => {
      while (running) {
        const id = nextId++;
        try {
          await pool.query('INSERT INTO soak VALUES (?)', [id]);
          acked.add(id);
        } catch {
          inDoubt.add(id);
          await sleep(5);
        }
      }
    };

    // Requests whose client hangs up mid-transaction: the scope (what both frameworks give a
    // request) finishes during BEGIN, during the INSERT, before COMMIT or during COMMIT.
    const aborter = async (): Promise<void> => {
      while (running) {
        const id = nextId++;
        const scope = new ConnectionScope();
        const abortAt = Math.floor(random() * 4);
        let committing = false;
        try {
          const conn = await scope.get('soak', pool);
          const begin = conn.beginTransaction();
          if (abortAt === 0) void scope.finish();
          await begin;
          const insert = conn.query('INSERT INTO soak VALUES (?)', [id]);
          if (abortAt === 1) void scope.finish();
          await insert;
          if (abortAt === 2) void scope.finish();
          committing = !conn.released; // a released lease sends no COMMIT
          const commit = conn.commit();
          if (abortAt === 3) void scope.finish();
          await commit;
          acked.add(id);
        } catch {
          // Before COMMIT was sent, the write must be rolled back; after, the client cannot know.
          (committing ? inDoubt : rolledBack).add(id);
        } finally {
          await scope.finish();
        }
        aborts++;
      }
    };

    const injector = async (): Promise<void> => {
      let restarted = false;
      while (running) {
        await sleep(200 + Math.floor(random() * 500));
        if (!running) break;
        const roll = random();
        if (roll < 0.25) {
          faults.push('reset');
          proxy.reset();
        } else if (roll < 0.45) {
          faults.push('black hole 300 ms');
          proxy.blackHole();
          await sleep(300);
          await proxy.pass();
        } else if (roll < 0.6) {
          faults.push('delay 30 ms');
          proxy.delay(30);
          await sleep(400);
          await proxy.pass();
        } else if (roll < 0.85) {
          const rows = await db.sql("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'app'");
          const victim = rows[Math.floor(random() * rows.length)]?.['ID'];
          if (victim) {
            faults.push('KILL CONNECTION');
            await db.sql(`KILL CONNECTION ${victim}`).catch(() => undefined);
          }
        } else if (!restarted) {
          restarted = true;
          faults.push('server SIGKILL + restart');
          await db.kill();
          await sleep(200);
          await db.restart();
        }
      }
    };

    const workers = [...Array.from({ length: 6 }, worker), autocommitter(), autocommitter(), aborter(), aborter()];
    const chaos = injector();
    await sleep(DURATION_MS);
    running = false;
    await chaos;
    await Promise.all(workers);
    await proxy.pass();

    const stored = new Set((await db.sql('SELECT id FROM test.soak')).map((r) => Number(r['id'])));
    const lostCommits = [...acked].filter((id) => !stored.has(id));
    const leakedRollbacks = [...rolledBack].filter((id) => stored.has(id));
    const unexplained = [...stored].filter((id) => !acked.has(id) && !inDoubt.has(id));
    await pool.close();
    let sessions = -1;
    for (let i = 0; i < 50 && sessions !== 0; i++) {
      sessions = Number((await db.sql("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = 'app'"))[0]?.['n']);
      if (sessions !== 0) await sleep(20);
    }

    const summary = `${acked.size} committed (transactions and autocommit writes), ${aborts} client aborts, ${rolledBack.size} rolled back, ${inDoubt.size} failed by faults; faults: ${faults.length} (${[...new Set(faults)].join(', ')}); stats ${JSON.stringify(pool.stats())}`;
    assert.ok(acked.size > 100, `too little work to mean anything: ${summary}`);
    assert.ok(aborts > 20, `too few client aborts: ${summary}`);
    assert.ok(faults.length >= 3, `too few faults injected: ${summary}`);
    assert.deepEqual(lostCommits, [], `acknowledged commits missing: ${summary}`);
    assert.deepEqual(leakedRollbacks, [], `rolled-back writes present: ${summary}`);
    assert.deepEqual(unexplained, [], `rows nobody wrote: ${summary}`);
    assert.equal(lentTwice, 0, 'a connection was lent to two borrowers at once');
    assert.ok(maxSeenSize <= 6, `size above maxSize: ${maxSeenSize}`);
    assert.equal(sessions, 0, 'sessions left on the server after close()');
    t.diagnostic(`F26 soak: ${summary}`);
  });
});
