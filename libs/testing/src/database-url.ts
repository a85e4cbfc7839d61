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
 * For demos: `MARIADB_URL` when set; else the default local server when something answers on
 * 127.0.0.1:3306; else a private throw-away server (stopped when the process exits), so a newcomer
 * with only the OS's mariadb-server package installed still gets a running demo.
 */
export async function resolveDatabaseUrl(log: (message: string) => void = console.log): Promise<{ url: string; server?: MariaDbServer }> {
  const fromEnv = process.env['MARIADB_URL'];
  if (fromEnv) return { url: fromEnv };
  if (await answers('127.0.0.1', 3306, 1000)) return { url: DEFAULT_MARIADB_URL };
  log('MARIADB_URL is not set and nothing answers on 127.0.0.1:3306: starting a private throw-away MariaDB server for this demo');
  const server = await startMariaDb();
  log(`throw-away MariaDB ready at ${server.url} (data in ${server.dataDir}; removed when the demo stops)`);
  return { url: server.url, server };
}
