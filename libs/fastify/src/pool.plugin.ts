import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Pool, type PoolConnection, type PoolOptions } from '@mariapool/core';
import { PoolPluginError, withHttpStatus } from './errors.js';
import { connectionsFor, kState, recordReply } from './request-connections.js';
import { addTransactionHooks } from './transaction-hooks.js';
import './types.js';

/** Plugin options: the core's pool options (and `uri`), plus `name` for a pool other than the default. */
export interface PoolPluginOptions extends PoolOptions {
  /** Registers a named pool (`app.pools[name]`, `request.getConnection(name)`). @default "default" */
  name?: string;
}

const DEFAULT = 'default';
/** Names that would collide with object internals or the default pool's key. */
const RESERVED = new Set(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', DEFAULT]);
/** Options Fastify itself reads from `register()`: not pool options. */
const FASTIFY_REGISTER_KEYS = ['prefix', 'logLevel', 'logSerializers'] as const;

function splitOptions(options: PoolPluginOptions): { key: string; poolOptions: PoolOptions } {
  const { name, ...rest }: PoolPluginOptions = { ...options };
  for (const k of FASTIFY_REGISTER_KEYS) delete (rest as Record<string, unknown>)[k];
  if (name !== undefined && (typeof name !== 'string' || name === '' || RESERVED.has(name))) {
    throw new PoolPluginError('ERR_POOL_PLUGIN_NAME', `invalid pool name ${JSON.stringify(name)}: use a non-empty name other than ${[...RESERVED].join(', ')} (omit name for the default pool)`);
  }
  return { key: name ?? DEFAULT, poolOptions: { ...rest, name: name ?? DEFAULT } };
}

/** Installs, once per Fastify instance tree, the registry, the request decorators and the release hooks. */
function installRequestSupport(fastify: FastifyInstance): Record<string, Pool> {
  if (fastify.hasDecorator('pools')) return fastify.pools as Record<string, Pool>;
  const pools: Record<string, Pool> = Object.create(null);
  fastify.decorate('pools', pools);
  fastify.decorateRequest(kState, null);
  fastify.decorateRequest('getConnection', function getConnection(this: FastifyRequest, name: string = DEFAULT): Promise<PoolConnection> {
    const pool = pools[name];
    if (pool === undefined) {
      return Promise.reject(new PoolPluginError('ERR_POOL_UNKNOWN', `no pool named "${name}" is registered (registered: ${Object.keys(pools).join(', ') || 'none'})`));
    }
    // Listeners on the response instead of Fastify's onSend / onResponse / onRequestAbort /
    // onTimeout hooks: a global hook costs every request, DB or not.
    const connections = connectionsFor(this, SCOPE_OPTIONS);
    if (connections === undefined) {
      return Promise.reject(new PoolPluginError('ERR_POOL_PLUGIN_ORDER', 'request.getConnection() ran before the @mariapool/fastify onRequest hook: register the plugin before the hooks that borrow a connection'));
    }
    return connections.get(name, pool);
  });
  // The one release point is the end of the request, however it ends (response written, error
  // handler, validation failure, client abort, socket or handler timeout): see connectionsFor.
  // It is armed by the first getConnection(), so a request that never borrows pays for nothing
  // but this one hook, which only records the reply (Fastify gives a request no way to reach it),
  // and the one request property.
  //
  // Why not Fastify's request.signal to cancel waits: on Node 20 it follows IncomingMessage
  // 'close', which fires as soon as a POST body is read, while the handler still runs (Fastify
  // 5.12); it would cancel healthy acquires. ConnectionScope withdraws its own queued
  // acquire when the request ends instead.
  fastify.addHook('onRequest', (request, reply, done) => {
    recordReply(request, reply);
    done();
  });
  fastify.addHook('onRoute', addTransactionHooks);
  return pools;
}

/** Pool errors get an HTTP status on their way to the handler (503 for "no connection"). */
const SCOPE_OPTIONS = { mapError: withHttpStatus };

async function poolPluginImpl(fastify: FastifyInstance, options: PoolPluginOptions): Promise<void> {
  const { key, poolOptions } = splitOptions(options);
  const pools = installRequestSupport(fastify);
  if (pools[key] !== undefined) {
    throw new PoolPluginError('ERR_POOL_PLUGIN_DUPLICATE', `a pool named "${key}" is already registered on this Fastify instance`);
  }
  // Unless given one, the pool reports to the app's logger, tagged with the pool's name.
  const pool = new Pool({ ...poolOptions, logger: poolOptions.logger ?? fastify.log.child({ pool: key }) });
  await pool.open();
  pools[key] = pool;
  if (key === DEFAULT) fastify.decorate('pool', pool);
  fastify.addHook('onClose', async () => {
    await pool.close();
    delete pools[key];
  });
}

/**
 * Opens a mariapool pool during registration (a bad configuration or an unreachable server fails
 * `ready()`), closes it in `onClose`, decorates `app.pool` / `app.pools[name]` and
 * `request.getConnection(name?)`, and runs routes with `config: { transaction: true | name }` in a
 * transaction. Register it before the routes that use it.
 */
export const poolPlugin = fp(poolPluginImpl, { fastify: '5.x', name: '@mariapool/fastify' });
