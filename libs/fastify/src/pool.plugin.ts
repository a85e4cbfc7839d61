import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ConnectionScope, Pool, ScopeFinishedError, type PoolConnection, type PoolOptions } from '@mariapool/core';
import { PoolPluginError, withHttpStatus } from './errors.js';
import { addTransactionHooks, hasOpenTransaction, isStream, kTransaction } from './transaction-hooks.js';
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

const kConnections = 'mariapoolConnections';
const FINISHED = 'finished';
type RequestSlot = ConnectionScope | typeof FINISHED | null;
type SlotRequest = FastifyRequest & { [kConnections]: RequestSlot };

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
  fastify.decorateRequest(kConnections, null);
  fastify.decorateRequest(kTransaction, null);
  fastify.decorateRequest('getConnection', function getConnection(this: FastifyRequest, name: string = DEFAULT): Promise<PoolConnection> {
    const request = this as SlotRequest;
    const pool = pools[name];
    if (pool === undefined) {
      return Promise.reject(new PoolPluginError('ERR_POOL_UNKNOWN', `no pool named "${name}" is registered (registered: ${Object.keys(pools).join(', ') || 'none'})`));
    }
    let slot = request[kConnections];
    if (slot === FINISHED) return Promise.reject(new ScopeFinishedError(name));
    if (slot === null) slot = request[kConnections] = new ConnectionScope(SCOPE_OPTIONS);
    return slot.get(name, pool);
  });
  // The one release point, reached however the request ends: response sent (success, error
  // handler, validation failure), client abort, socket timeout. Why not Fastify's request.signal
  // to cancel waits: on Node 20 it follows IncomingMessage 'close', which fires as soon as a POST
  // body is read, while the handler still runs (measured, Fastify 5.12); it would cancel healthy
  // acquires. ConnectionScope withdraws its own queued acquire instead.
  //
  // The hooks run on every request, DB or not: callback style, and nothing allocated when the
  // request borrowed nothing (an async hook costs a promise per request and per hook).
  //
  // Early release in onSend: once the payload is final and not a stream, the handler is done with
  // the database, so the connection goes back before the response is written (holding it while
  // bytes go to a slow client would cut throughput). A stream may still read through the
  // connection: it keeps it until onResponse. An open route transaction is settled and released
  // by the route's own onSend hook, which runs after this one.
  fastify.addHook('onSend', (request, _reply, payload, done) => {
    if (isStream(payload) || hasOpenTransaction(request)) return done(null, payload);
    const releasing = finish(request);
    if (releasing === undefined) return done(null, payload);
    releasing.then(() => done(null, payload), done);
  });
  fastify.addHook('onResponse', (request, _reply, done) => afterFinish(request, done));
  fastify.addHook('onRequestAbort', (request, done) => afterFinish(request, done));
  fastify.addHook('onTimeout', (request, _reply, done) => afterFinish(request, done));
  fastify.addHook('onRoute', addTransactionHooks);
  return pools;
}

/** Pool errors get an HTTP status on their way to the handler (503 for "no connection"). */
const SCOPE_OPTIONS = { mapError: withHttpStatus };

/** Ends the request's scope: no more connections for it. Returns the release in progress, if any. */
function finish(request: FastifyRequest): Promise<void> | undefined {
  const r = request as SlotRequest;
  const slot = r[kConnections];
  r[kConnections] = FINISHED;
  return slot !== null && slot !== FINISHED ? slot.finish() : undefined;
}

function afterFinish(request: FastifyRequest, done: (error?: Error) => void): void {
  const releasing = finish(request);
  if (releasing === undefined) done();
  else releasing.then(() => done(), done);
}

async function poolPluginImpl(fastify: FastifyInstance, options: PoolPluginOptions): Promise<void> {
  const { key, poolOptions } = splitOptions(options);
  const pools = installRequestSupport(fastify);
  if (pools[key] !== undefined) {
    throw new PoolPluginError('ERR_POOL_PLUGIN_DUPLICATE', `a pool named "${key}" is already registered on this Fastify instance`);
  }
  const pool = new Pool(poolOptions);
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
