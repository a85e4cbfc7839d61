import '../support/guard.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { DEFAULT_POOL_OPTIONS, InvalidPoolOptionError, parseConnectionUri, resolvePoolOptions, Secret, type PoolOptions } from '@mariapool/core';

function rejects(input: string | PoolOptions, option: string, pattern: RegExp): void {
  assert.throws(
    () => resolvePoolOptions(input),
    (e: unknown) => e instanceof InvalidPoolOptionError && e.option === option && pattern.test(e.message) && e.code === 'ERR_POOL_INVALID_OPTION',
  );
}

describe('resolvePoolOptions', () => {
  it('applies the documented defaults', () => {
    const o = resolvePoolOptions({});
    assert.equal(o.maxSize, 10);
    assert.equal(o.minSize, 10, 'minSize defaults to maxSize');
    assert.equal(o.acquireTimeoutMs, DEFAULT_POOL_OPTIONS.acquireTimeoutMs);
    assert.equal(o.maxIdleTimeMs, 600_000);
    assert.equal(o.maxLifetimeMs, 3_600_000);
    assert.equal(o.validationIntervalMs, 30_000);
    assert.equal(o.pingThresholdMs, 250);
    assert.equal(o.enableHealthCheck, true);
    assert.equal(o.resetConnection, false);
    assert.equal(o.maxWaiters, 0);
    assert.equal(o.leakDetectionThresholdMs, 0);
    assert.match(o.name, /^pool-\d+$/);
    assert.deepEqual(o.connection.hosts, [{ host: 'localhost', port: 3306 }]);
  });

  it('minSize follows maxSize; maxSize grows to a larger minSize', () => {
    assert.equal(resolvePoolOptions({ maxSize: 3 }).minSize, 3);
    assert.equal(resolvePoolOptions({ minSize: 20 }).maxSize, 20);
    assert.equal(resolvePoolOptions({ minSize: 0, maxSize: 5 }).minSize, 0);
  });

  it('keeps 0 (?? not ||)', () => {
    const o = resolvePoolOptions({ pingThresholdMs: 0, maxIdleTimeMs: 0, maxLifetimeMs: 0 });
    assert.deepEqual([o.pingThresholdMs, o.maxIdleTimeMs, o.maxLifetimeMs], [0, 0, 0]);
  });

  it('returns a frozen object and does not mutate its input', () => {
    const input = { maxSize: 4, host: 'db', uri: 'mariadb://u@x/db' };
    const copy = structuredClone(input);
    const o = resolvePoolOptions(input);
    assert.deepEqual(input, copy);
    assert.ok(Object.isFrozen(o) && Object.isFrozen(o.connection));
  });

  it('rejects unknown keys with a hint', () => {
    rejects({ maxsize: 3 } as PoolOptions, 'maxsize', /did you mean maxSize/);
    rejects({ connectionLimit: 3 } as PoolOptions, 'connectionLimit', /did you mean maxSize/);
    rejects({ username: 'app' } as PoolOptions, 'username', /did you mean user\?/);
    rejects({ queueLimit: 10 } as PoolOptions, 'queueLimit', /did you mean maxWaiters/);
    rejects({ idleTimeout: 3 } as PoolOptions, 'idleTimeout', /maxIdleTimeMs/);
    rejects({ conectTimeout: 3 } as PoolOptions, 'conectTimeout', /connectTimeout/);
    rejects({ zzzzzzzzz: 1 } as PoolOptions, 'zzzzzzzzz', /unknown option$/);
  });

  it('rejects wrong types, negatives and contradictions, naming the option', () => {
    rejects({ maxSize: '10' as unknown as number }, 'maxSize', /integer/);
    rejects({ maxSize: 0 }, 'maxSize', /at least 1/);
    rejects({ maxSize: 1.5 }, 'maxSize', /integer/);
    rejects({ maxSize: 100_000 }, 'maxSize', /at most 1000/);
    rejects({ minSize: 5, maxSize: 2 }, 'minSize', /must not exceed maxSize/);
    rejects({ acquireTimeoutMs: -1 }, 'acquireTimeoutMs', />= 0/);
    rejects({ maxLifetimeMs: Number.NaN }, 'maxLifetimeMs', /time in ms/);
    rejects({ enableHealthCheck: 'yes' as unknown as boolean }, 'enableHealthCheck', /boolean/);
    rejects({ port: 70000 }, 'port', /1-65535/);
    rejects({ logger: {} as never }, 'logger', /warn\(\) and error\(\)/);
    rejects({ hosts: [], host: 'x' } as PoolOptions, 'hosts', /non-empty/);
    rejects({ hosts: [{ host: 'a' }], host: 'x' } as PoolOptions, 'hosts', /either hosts or host/);
  });

  it('wraps the password so nothing prints it, and accepts a rotation function', async () => {
    const o = resolvePoolOptions({ password: 'hunter2-SECRET' });
    const p = o.connection.password as Secret;
    for (const text of [inspect(o, { depth: 10 }), JSON.stringify(o), String(p), `${p}`]) {
      assert.ok(!text.includes('hunter2-SECRET'), text);
    }
    assert.equal(await p.reveal(), 'hunter2-SECRET');
    let n = 0;
    const rotating = resolvePoolOptions({ password: () => `pw${++n}` }).connection.password as Secret;
    assert.equal(await rotating.reveal(), 'pw1');
    assert.equal(await rotating.reveal(), 'pw2');
  });

  it('merges a URI with explicit options; explicit keys win', () => {
    const o = resolvePoolOptions('mariadb://app:s%40cret@db.local:3307/shop?maxSize=7&connectTimeout=2500&ssl=true', {
      maxSize: 9,
      name: 'orders',
    });
    assert.equal(o.maxSize, 9);
    assert.equal(o.name, 'orders');
    assert.equal(o.connection.user, 'app');
    assert.equal(o.connection.database, 'shop');
    assert.equal(o.connection.connectTimeout, 2500);
    assert.equal(o.connection.ssl, true);
    assert.deepEqual(o.connection.hosts, [{ host: 'db.local', port: 3307 }]);
  });

  it('types and validates URI query options', () => {
    assert.equal(resolvePoolOptions('mysql://u@h/db?resetConnection=true&minSize=0&maxSize=3').resetConnection, true);
    rejects('mariadb://u:pw-in-uri@h/db?maxSize=ten', 'maxSize', /integer/);
    rejects('mariadb://u@h/db?nosuch=1', 'nosuch', /unknown option/);
    rejects('mariadb://u@h/db?logger=x', 'logger', /cannot be given in the URI/);
    rejects('postgres://u@h/db', 'uri', /mariadb:\/\/ or mysql:\/\//);
  });
});

describe('parseConnectionUri', () => {
  it('decodes percent-encoded credentials and database', () => {
    const u = parseConnectionUri('mariadb://us%3Aer:p%40ss%3Aw%2Fd@host/my%20db');
    assert.deepEqual([u.user, u.password, u.database], ['us:er', 'p@ss:w/d', 'my db']);
  });

  it('reads several hosts, IPv6 and default ports', () => {
    const u = parseConnectionUri('mariadb://u@h1:3306,h2:3307,[::1]:3308,h4/db');
    assert.deepEqual(u.hosts, [
      { host: 'h1', port: 3306 },
      { host: 'h2', port: 3307 },
      { host: '::1', port: 3308 },
      { host: 'h4', port: 3306 },
    ]);
  });

  it('reads a unix socket as an encoded path or a query option', () => {
    assert.equal(parseConnectionUri('mariadb://app@%2Frun%2Fmysqld%2Fmysqld.sock/db').socketPath, '/run/mysqld/mysqld.sock');
    const o = resolvePoolOptions('mariadb://app@/db?socketPath=%2Ftmp%2Fm.sock');
    assert.equal(o.connection.socketPath, '/tmp/m.sock');
    assert.deepEqual(o.connection.hosts, []);
  });

  it('never echoes the URI (it may hold a password) in errors', () => {
    for (const uri of ['mariadb://u:TOPSECRET%zz@h/db', 'mariadb://u:TOPSECRET@h:99999/db', 'http://u:TOPSECRET@h']) {
      assert.throws(() => parseConnectionUri(uri), (e: unknown) => e instanceof InvalidPoolOptionError && !e.message.includes('TOPSECRET'));
    }
  });
});
