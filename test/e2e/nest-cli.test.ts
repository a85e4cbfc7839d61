import '../support/guard.js';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { MARIADB_URL, sleep } from '../support/db.js';

/** The Nest CLI on the monorepo's nest-cli.json: `nest build <app>` and `nest start <app>` for both demos. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const NEST = path.join(ROOT, 'node_modules', '.bin', 'nest');

async function startAndAsk(app: string, port: number): Promise<unknown> {
  // Its own process group: nest start runs the app as a child, and both must go at the end.
  const child = spawn(NEST, ['start', app], { cwd: ROOT, env: { ...process.env, PORT: String(port), MARIADB_URL }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  try {
    for (let i = 0; i < 300 && !output.includes('listening on'); i++) await sleep(100);
    assert.ok(output.includes('listening on'), `nest start ${app} did not start:\n${output}`);
    return await (await fetch(`http://127.0.0.1:${port}/users/1`)).json();
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-(child.pid as number), 'SIGTERM');
    await exited;
    for (let i = 0; i < 100 && (await fetch(`http://127.0.0.1:${port}/users/1`).then(() => true, () => false)); i++) await sleep(50);
  }
}

describe('the Nest CLI', () => {
  for (const [app, port] of [['nest-users', 3141], ['fastify-users', 3142]] as const) {
    it(`nest build ${app} builds it, nest start ${app} serves it`, async () => {
      execFileSync(NEST, ['build', app], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
      const user = (await startAndAsk(app, port)) as { id?: number };
      assert.equal(user.id, 1);
      const stillServing = await fetch(`http://127.0.0.1:${port}/users/1`).then(() => true, () => false);
      assert.equal(stillServing, false, 'the app outlived nest start');
    });
  }
});
