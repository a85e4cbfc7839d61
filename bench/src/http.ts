/**
 * Part 3, HTTP end to end: GET /users/:id under autocannon (100 connections) against servers run
 * as separate processes. Fastify with our plugin, the same route by hand on the mariadb pool, on
 * @fastify/mysql and on the minimal pool, a no-DB route (the HTTP ceiling); Nest (Fastify adapter)
 * with @Conn(), with @InjectConnection() (request scope) and with a direct pool.query().
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { fmt, median, spreadPct } from './stats.js';
import type { Table } from './report.js';
import { createBenchPool } from './competitors.js';
import { ensureUsersTable } from './queries.js';

const SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers', 'http-server.js');

const VARIANTS: Array<{ label: string; variant: string; path: string }> = [
  { label: 'Fastify, no DB (HTTP ceiling)', variant: 'fastify-no-db', path: '/users' },
  { label: 'Fastify + @mariapool/fastify', variant: 'fastify-plugin', path: '/users' },
  { label: 'Fastify + mariadb pool by hand', variant: 'fastify-mariadb-pool', path: '/users' },
  { label: 'Fastify + @fastify/mysql', variant: 'fastify-mysql', path: '/users' },
  { label: 'Fastify + minimal pool by hand', variant: 'fastify-minimal', path: '/users' },
  { label: 'Nest + @Conn()', variant: 'nest', path: '/conn/users' },
  { label: 'Nest + @InjectConnection() (request scope)', variant: 'nest', path: '/scoped/users' },
  { label: 'Nest + pool.query()', variant: 'nest', path: '/direct/users' },
];

async function startServer(variant: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [SERVER, variant], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PORT: '0' } });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      const m = /READY (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`server ${variant} exited (${code})`)));
  });
  return {
    port,
    stop: () => new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

async function hammer(port: number, base: string, seconds: number) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: 100,
    duration: seconds,
    requests: [{ method: 'GET', setupRequest: (req: autocannon.Request) => ({ ...req, path: `${base}/${1 + Math.floor(Math.random() * 10_000)}` }) }],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

export async function http(opts: { quick: boolean }): Promise<{ results: unknown; tables: Table[] }> {
  const setup = await createBenchPool('mariapool', 1);
  await ensureUsersTable(setup.poolQuery!);
  await setup.close();
  const seconds = opts.quick ? 1 : 5;
  const results: Array<{ label: string; rps: number[]; p50: number; p99: number; errors: number }> = [];
  for (const v of VARIANTS) {
    const server = await startServer(v.variant);
    await hammer(server.port, v.path, 1); // warm-up: JIT, prepared plans
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await hammer(server.port, v.path, seconds));
    await server.stop();
    results.push({ label: v.label, rps: runs.map((r) => r.rps), p50: median(runs.map((r) => r.p50)), p99: median(runs.map((r) => r.p99)), errors: runs.reduce((a, r) => a + r.errors, 0) });
    process.stdout.write('.');
  }
  process.stdout.write('\n');
  const rps = (label: string) => median(results.find((r) => r.label === label)!.rps);
  const plugin = rps('Fastify + @mariapool/fastify');
  const nestConn = rps('Nest + @Conn()');
  const nestDirect = rps('Nest + pool.query()');
  const handwritten = Math.max(rps('Fastify + mariadb pool by hand'), rps('Fastify + @fastify/mysql'), rps('Fastify + minimal pool by hand'));
  return {
    results,
    tables: [{
      title: 'HTTP: GET /users/:id, autocannon 100 connections; server, database and load generator share the machine',
      header: ['server', 'req/s (±%)', 'p50 / p99 ms', 'errors', 'vs @mariapool/fastify'],
      rows: results.map((r) => [r.label, `${fmt(median(r.rps))} (±${spreadPct(r.rps).toFixed(0)}%)`, `${r.p50} / ${r.p99}`, String(r.errors), `${(median(r.rps) / plugin).toFixed(2)}x`]),
      notes: [
        `Fastify plugin ÷ best hand-written route: ${(plugin / handwritten).toFixed(2)}x (target ≥ 1.0x). Nest @Conn() ÷ Nest pool.query(): ${(nestConn / nestDirect).toFixed(2)}x (target ≥ 0.9x).`,
      ],
    }],
  };
}
