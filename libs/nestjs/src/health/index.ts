export { PoolHealthIndicator } from './pool.health.js';
