import net from 'node:net';
import { startMariaDb, type MariaDbServer } from './mariadb-server.js';

/** The conventional local server the demos and tests default to. */
export const DEFAULT_MARIADB_URL = 'mariadb://root@127.0.0.1:3306/test';

function answers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * For demos: `MARIADB_URL` when set; else `defaultUrl` when something answers at its host and
 * port; else a private throw-away server (stopped when the process exits), so a newcomer with only
 * the OS's mariadb-server package installed still gets a running demo.
 */
export async function resolveDatabaseUrl(
  options: { defaultUrl?: string; log?: (message: string) => void } = {},
): Promise<{ url: string; server?: MariaDbServer }> {
  const log = options.log ?? console.log;
  const fromEnv = process.env['MARIADB_URL'];
  if (fromEnv) return { url: fromEnv };
  const defaultUrl = options.defaultUrl ?? DEFAULT_MARIADB_URL;
  const target = new URL(defaultUrl.replace(/^(mariadb|mysql):/, 'http:'));
  const host = target.hostname;
  const port = Number(target.port || 3306);
  if (await answers(host, port, 1000)) return { url: defaultUrl };
  log(`MARIADB_URL is not set and nothing answers on ${host}:${port}: starting a private throw-away MariaDB server for this demo`);
  const server = await startMariaDb();
  log(`throw-away MariaDB ready at ${server.url} (data in ${server.dataDir}; removed when the demo stops)`);
  return { url: server.url, server };
}
