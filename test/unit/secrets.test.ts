import '../support/guard.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { InvalidPoolOptionError, Pool } from '@mariapool/core';
import { setup } from '../support/fake-pool.js';

describe('secrets', () => {
  it('never shows the password in status, inspect, JSON or errors', async () => {
    const password = 'pw-UNIQUE-7781';
    const { pool } = setup({ user: 'app', password });
    await pool.open();
    const outputs = [inspect(pool, { depth: 10 }), String(pool), JSON.stringify(pool.status()), JSON.stringify(pool.stats())];
    for (const text of outputs) assert.ok(!text.includes(password), text);
    await pool.close();
    const bad = (() => {
      try {
        new Pool({ uri: `mariadb://app:${password}@h/db?maxSize=abc` });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    assert.ok(bad instanceof InvalidPoolOptionError);
    assert.ok(!`${bad.message}${bad.stack}${JSON.stringify(bad)}`.includes(password));
  });
});
