import { accessSync, constants } from 'node:fs';
import path from 'node:path';

const SEARCH = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/opt/mariadb/bin'];

/** The MariaDB programs a throw-away server needs, found on PATH or in the usual places. */
export interface MariaDbBinaries {
  server: string;
  installDb: string;
  client: string;
  admin: string;
}

function find(names: string[]): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(path.delimiter), ...SEARCH];
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** Throws a clear error naming the OS package when a program is missing. */
export function findBinaries(): MariaDbBinaries {
  const server = find(['mariadbd', 'mysqld']);
  const installDb = find(['mariadb-install-db', 'mysql_install_db']);
  const client = find(['mariadb', 'mysql']);
  const admin = find(['mariadb-admin', 'mysqladmin']);
  if (!server || !installDb) {
    throw new Error('mariadbd not found: install the MariaDB server from the OS packages (Debian/Ubuntu: apt-get install mariadb-server)');
  }
  if (!client || !admin) {
    throw new Error('the mariadb client programs were not found: install them from the OS packages (Debian/Ubuntu: apt-get install mariadb-client)');
  }
  return { server, installDb, client, admin };
}
