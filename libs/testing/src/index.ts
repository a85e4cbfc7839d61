export { startMariaDb, type MariaDbServer, type StartMariaDbOptions } from './mariadb-server.js';
export { startFaultProxy, type FaultMode, type FaultProxy, type FaultProxyOptions, type FaultProxyStats } from './fault-proxy.js';
export type { TextRow } from './sql-client.js';
export { resolveDatabaseUrl, DEFAULT_MARIADB_URL } from './database-url.js';
