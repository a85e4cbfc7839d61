export { PoolModule } from './pool.module.js';
export { PoolCoreModule } from './pool-core.module.js';
export { PoolRegistry } from './pool.registry.js';
export { Conn, InjectConnection, InjectPool, Transactional } from './pool.decorators.js';
export { DEFAULT_POOL_NAME, getConnectionToken, getPoolToken } from './pool.tokens.js';
export { TransactionInterceptor } from './transaction.interceptor.js';
export { requestConnection, UNAVAILABLE_MESSAGE } from './request-scope.js';
export type { PoolModuleExtras, PoolModuleOptions } from './pool-module.options.js';
export { POOL_MODULE_OPTIONS, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } from './pool.module-definition.js';
