/**
 * @mariapool/core/legacy: the MariaDB Connector/Python 1.x-style pool (fixed size, a
 * getConnection() that never waits, named pools looked up with getPool()), for porting code.
 * New code uses Pool from @mariapool/core.
 */
export { ConnectionPool, LegacyConnection, getPool, type ConnectionPoolOptions } from './connection-pool.js';
