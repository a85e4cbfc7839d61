import { poolPlugin } from './pool.plugin.js';

export { poolPlugin, type PoolPluginOptions } from './pool.plugin.js';
export { POOL_HEALTH_SCHEMA, poolHealthCheck } from './health.js';
export { PoolPluginError, ServiceUnavailableError } from './errors.js';
export { UNAVAILABLE_MESSAGE } from '@mariapool/core/http';
export type { TransactionOption } from './types.js';
export default poolPlugin;
