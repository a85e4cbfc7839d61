import { poolPlugin } from './pool.plugin.js';

export { poolPlugin, type PoolPluginOptions } from './pool.plugin.js';
export { POOL_HEALTH_SCHEMA, poolHealthCheck } from './health.js';
export { PoolPluginError, ServiceUnavailableError, UNAVAILABLE_MESSAGE } from './errors.js';
export type { TransactionOption } from './types.js';
export default poolPlugin;
