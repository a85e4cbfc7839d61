export { TransactionalAdapterMariapool, type MariapoolTransaction, type MariapoolTransactionOptions } from './transactional-adapter.js';
