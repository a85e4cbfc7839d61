import '../support/guard.js';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createPool, PoolOpenError } from '@mariapool/core';
import { startMariaDb, type MariaDbServer } from '@mariapool/testing';

const exec = promisify(execFile);
const PASSWORD = 'Tls-Secret-4417';
let dir: string;
let tlsDb: MariaDbServer;
let plainDb: MariaDbServer;
let ca: string;
let otherCa: string;

async function openssl(...args: string[]): Promise<void> {
  await exec('openssl', args, { cwd: dir });
}

/** A throw-away CA, a server certificate for 127.0.0.1/localhost signed by it, and an unrelated CA. */
async function makeCertificates(): Promise<void> {
  await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=mariapool test CA');
  await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other-key.pem', '-out', 'other-ca.pem', '-days', '2', '-subj', '/CN=unrelated CA');
  await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server-key.pem', '-out', 'server.csr', '-subj', '/CN=localhost');
  await writeFile(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'server-cert.pem', '-days', '2', '-extfile', 'san.ext');
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mariapool-tls-'));
  await makeCertificates();
  ca = await readFile(path.join(dir, 'ca.pem'), 'utf8');
  otherCa = await readFile(path.join(dir, 'other-ca.pem'), 'utf8');
  tlsDb = await startMariaDb({ args: [`--ssl-ca=${dir}/ca.pem`, `--ssl-cert=${dir}/server-cert.pem`, `--ssl-key=${dir}/server-key.pem`] });
  plainDb = await startMariaDb();
  for (const db of [tlsDb, plainDb]) {
    await db.sql(`CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'; GRANT ALL ON test.* TO 'app'@'127.0.0.1';`);
  }
});
after(async () => {
  await tlsDb.stop();
  await plainDb.stop();
  await rm(dir, { recursive: true, force: true });
});

function options(db: MariaDbServer, ssl: unknown) {
  return { host: '127.0.0.1', port: db.port, user: 'app', password: PASSWORD, database: 'test', minSize: 1, maxSize: 1, acquireTimeoutMs: 2000, ssl: ssl as boolean };
}

async function openFails(db: MariaDbServer, ssl: unknown, pattern: RegExp): Promise<void> {
  const started = performance.now();
  const error = await createPool(options(db, ssl)).catch((e: unknown) => e);
  assert.ok(performance.now() - started < 1000, 'a TLS configuration error fails at once, not at the open deadline');
  assert.ok(error instanceof PoolOpenError, `expected PoolOpenError, got ${String(error)}`);
  const text = `${error.message}\n${(error.cause as Error | undefined)?.message}\n${(error.cause as { code?: string } | undefined)?.code}`;
  assert.match(text, pattern);
  const printable = [error.message, error.stack, inspect(error, { depth: 8 }), JSON.stringify(error), (error.cause as Error)?.stack].join('\n');
  assert.ok(!printable.includes(PASSWORD), 'password in a TLS failure');
}

describe('S2: TLS', () => {
  it('ssl: { ca } connects encrypted (non-empty Ssl_cipher)', async () => {
    const pool = await createPool(options(tlsDb, { ca }));
    const [row] = await pool.query<Array<{ Value: string }>>("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
    assert.ok((row?.Value ?? '').length > 0, 'no cipher: not encrypted');
    await pool.close();
  });

  it('a wrong CA fails verification', () => openFails(tlsDb, { ca: otherCa }, /self[- ]signed|unable to verify|certificate/i));

  it('a host name mismatch fails', () => openFails(tlsDb, { ca, servername: 'db.example.invalid' }, /altname|does not match|Hostname/i));

  it('ssl: true verifies by default (self-signed chain refused)', () => openFails(tlsDb, true, /self[- ]signed|unable to verify|certificate/i));

  it('asking for TLS from a server without TLS fails: no silent downgrade', () => openFails(plainDb, { ca }, /ssl|tls|secure/i));
});
