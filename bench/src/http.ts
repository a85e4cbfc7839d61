/**
 * Part 3, HTTP end to end: GET /users/:id under autocannon (100 connections) against servers run
 * as separate processes. Fastify with our plugin (and with the handler releasing its connection
 * right after the query, and with app.pool.query() instead: what the default release point and the
 * request connection cost), the same route by hand on the mariadb pool, on
 * @fastify/mysql and on the minimal pool, a no-DB route (the HTTP ceiling); Nest (Fastify adapter)
 * with @Conn(), with @InjectConnection() (request scope) and with a direct pool.query().
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { fmt, median, spreadPct } from './stats.js';
import { interleaved, pairedRatio, roundCount } from './rounds.js';
import type { Table } from './report.js';
import { prepareUsersTable } from './queries.js';

const SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers', 'http-server.js');

/**
 * Also the order each round hammers them in (reversed every other round): the contenders of each
 * target sit side by side, a few seconds apart, so the machine's drift (±10-20 % within a minute
 * here) hits both alike. With the plugin five variants from the minimal route, per-round ratios
 * of the same code ran from 0.77 to 1.24.
 */
export const VARIANTS: Array<{ label: string; variant: string; path: string }> = [
  { label: 'Fastify, no DB (HTTP ceiling)', variant: 'fastify-no-db', path: '/users' },
  { label: 'Fastify + mariadb pool by hand', variant: 'fastify-mariadb-pool', path: '/users' },
  { label: 'Fastify + minimal pool by hand', variant: 'fastify-minimal', path: '/users' },
  { label: 'Fastify + @mariapool/fastify', variant: 'fastify-plugin', path: '/users' },
  { label: 'Fastify + @fastify/mysql', variant: 'fastify-mysql', path: '/users' },
  { label: 'Fastify + @mariapool/fastify, conn.release() after the query', variant: 'fastify-plugin-release', path: '/users' },
  { label: 'Fastify + @mariapool/fastify, app.pool.query() (no request connection)', variant: 'fastify-pool-query', path: '/users' },
  { label: 'Nest + pool.query()', variant: 'nest', path: '/direct/users' },
  { label: 'Nest + @Conn()', variant: 'nest', path: '/conn/users' },
  { label: 'Nest + @InjectConnection() (request scope)', variant: 'nest', path: '/scoped/users' },
];

/**
 * Starts one variant's server process and waits for its port. `wrapper`: a command to run Node
 * under, with its arguments (the instructions part uses valgrind); the server's pid is then the
 * wrapper's, which valgrind keeps. `nodeOptions`: options for Node itself.
 */
export async function startServer(variant: string, wrapper: string[] = [], nodeOptions: string[] = []): Promise<{ port: number; pid: number; stop: () => Promise<void> }> {
  const argv = [...wrapper, process.execPath, ...nodeOptions, SERVER, variant];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PORT: '0' } });
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
    pid: child.pid!,
    stop: () => new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/**
 * CPU time (µs) a process has used, user + system, from /proc (Linux); NaN elsewhere. Server CPU
 * per request varies far less than req/s on a machine where the load generator and the database
 * share the same 2 cores.
 */
function cpuMicros(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * (1e6 / 100); // clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/** GET `<base>/<id>` for a random user id of the bench table, a new one per request. */
export function userRequests(base: string): autocannon.Request[] {
  return [{ method: 'GET', setupRequest: (req: autocannon.Request) => ({ ...req, path: `${base}/${1 + Math.floor(Math.random() * 10_000)}` }) }];
}

async function hammer(server: { port: number; pid: number }, base: string, seconds: number) {
  const cpuBefore = cpuMicros(server.pid);
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}`,
    connections: 100,
    duration: seconds,
    requests: userRequests(base),
  });
  const cpuUsPerRequest = (cpuMicros(server.pid) - cpuBefore) / Math.max(1, result.requests.total);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx, cpuUsPerRequest };
}

export async function http(opts: { quick: boolean }): Promise<{ results: unknown; tables: Table[] }> {
  await prepareUsersTable();
  const seconds = opts.quick ? 1 : 2;
  // Every server runs at once (an idle one costs nothing); each round hammers each variant in turn.
  const servers = new Map<string, Awaited<ReturnType<typeof startServer>>>();
  for (const v of VARIANTS) if (!servers.has(v.variant)) servers.set(v.variant, await startServer(v.variant));
  // Quick mode runs one round: ten variants are the slowest part of the CI check.
  const perVariant = await interleaved(VARIANTS, opts.quick ? 1 : roundCount(false), async (v, warmUp) => {
    const run = await hammer(servers.get(v.variant)!, v.path, warmUp ? 1 : seconds); // warm-up: JIT, prepared plans
    process.stdout.write('.');
    return run;
  });
  for (const server of servers.values()) await server.stop();
  const results = VARIANTS.map((v, i) => {
    const runs = perVariant[i]!;
    return {
      label: v.label,
      rps: runs.map((r) => r.rps),
      cpuUsPerRequest: runs.map((r) => r.cpuUsPerRequest),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      errors: runs.reduce((a, r) => a + r.errors, 0),
    };
  });
  process.stdout.write('\n');
  const rps = (label: string) => results.find((r) => r.label === label)!.rps;
  const plugin = rps('Fastify + @mariapool/fastify');
  const handwritten = ['Fastify + mariadb pool by hand', 'Fastify + @fastify/mysql', 'Fastify + minimal pool by hand'];
  const vsBest = Math.min(...handwritten.map((label) => pairedRatio(plugin, rps(label))));
  const nestRatio = pairedRatio(rps('Nest + @Conn()'), rps('Nest + pool.query()'));
  return {
    results,
    tables: [{
      title: 'HTTP: GET /users/:id, autocannon 100 connections; server, database and load generator share the machine',
      header: ['server', 'req/s (±%)', 'server CPU µs/request', 'p50 / p99 ms', 'errors', '@mariapool/fastify ÷ this'],
      rows: results.map((r) => [
        r.label,
        `${fmt(median(r.rps))} (±${spreadPct(r.rps).toFixed(0)}%)`,
        fmt(median(r.cpuUsPerRequest)),
        `${r.p50} / ${r.p99}`,
        String(r.errors),
        `${pairedRatio(plugin, r.rps).toFixed(2)}x`,
      ]),
      notes: [
        `Fastify plugin ÷ best hand-written route: ${vsBest.toFixed(2)}x (target ≥ 1.0x). Nest @Conn() ÷ Nest pool.query(): ${nestRatio.toFixed(2)}x (target ≥ 0.9x).`,
        'The plugin rows with conn.release() after the query and with app.pool.query() are no targets: the first shows what holding the request connection until the response is written costs with 100 clients on 10 connections (the default; the hand-written routes release right after the query), the second what the per-request connection costs at all (against minimal by hand: what the core pool costs).',
        'All servers run at once; each round hammers every variant in turn (in table order, reversed every other round, so the contenders of each target run side by side) after a warm-up, and ratios are medians of per-round ratios. Server CPU per request is the steadier measure on 2 shared cores.',
      ],
    }],
  };
}
