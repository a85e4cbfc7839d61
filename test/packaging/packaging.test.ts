import '../support/guard.js';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { MARIADB_URL } from '../support/db.js';

/*
 * The packages as a user gets them: packed into tarballs, installed into fresh apps outside the
 * workspace, compiled with the settings those apps use, and run against the database. A CommonJS
 * Nest app as `nest new` makes it (module commonjs, skipLibCheck false), on Nest 11 and Nest 12,
 * and an ES module Fastify app.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const PACKAGES = ['libs/core', 'libs/nestjs', 'libs/fastify', 'libs/testing'];

let work: string;
const tarballs: Record<string, string> = {};

function run(cmd: string, args: string[], cwd: string, timeoutMs = 240_000): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, MARIADB_URL, npm_config_fund: 'false', npm_config_audit: 'false' } });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? ''}\n${e.message}`);
  }
}

before(() => {
  work = mkdtempSync(path.join(tmpdir(), 'mariapool-packaging-'));
  const packs = path.join(work, 'tarballs');
  mkdirSync(packs);
  for (const dir of PACKAGES) run('npm', ['pack', '--silent', '--pack-destination', packs], path.join(ROOT, dir));
  for (const file of readdirSync(packs)) {
    const name = /^mariapool-(\w+)-/.exec(file)?.[1];
    if (name) tarballs[name] = path.join(packs, file);
  }
});
after(() => rmSync(work, { recursive: true, force: true }));

function app(name: string, pkg: object, files: Record<string, string>): string {
  const dir = path.join(work, name);
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, ...pkg }, null, 2));
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir);
  return dir;
}

describe('the packed tarballs', () => {
  it('carry README and LICENSE, no build leftovers, no source maps without their sources', () => {
    for (const [name, file] of Object.entries(tarballs)) {
      const listing = run('tar', ['-tzf', file], work).split('\n');
      assert.ok(listing.includes('package/README.md'), `${name}: no README`);
      assert.ok(listing.includes('package/LICENSE'), `${name}: no LICENSE`);
      assert.deepEqual(listing.filter((f) => /tsbuildinfo|\.map$|\/src\//.test(f)), [], `${name}: leftovers`);
    }
    assert.deepEqual(Object.keys(tarballs).sort(), ['core', 'fastify', 'nestjs', 'testing']);
  });

  for (const nest of ['11', '12']) {
    it(`a CommonJS Nest ${nest} app (nest new settings, skipLibCheck false) compiles and serves a request's connection`, () => {
      const dir = app(`nest${nest}-cjs`, {
        dependencies: {
          '@mariapool/core': `file:${tarballs['core']}`,
          '@mariapool/nestjs': `file:${tarballs['nestjs']}`,
          '@nestjs/common': `^${nest}`,
          '@nestjs/core': `^${nest}`,
          '@nestjs/platform-express': `^${nest}`,
          '@nestjs/terminus': `^${nest}`,
          mariadb: '^3.5.4',
          'reflect-metadata': '^0.2.2',
          rxjs: '^7.8.2',
        },
        devDependencies: { '@types/node': '^20.19.0' },
      }, {
        'tsconfig.json': JSON.stringify({
          compilerOptions: {
            module: 'commonjs', declaration: true, removeComments: true, emitDecoratorMetadata: true, experimentalDecorators: true,
            allowSyntheticDefaultImports: true, target: 'ES2021', outDir: './dist', baseUrl: './', skipLibCheck: false,
            strictNullChecks: true, noImplicitAny: false, types: ['node'],
          },
          include: ['src'],
        }),
        'src/main.ts': `
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { PoolConnection } from '@mariapool/core';
import { Conn, PoolModule, Transactional } from '@mariapool/nestjs';
import { PoolHealthIndicator } from '@mariapool/nestjs/health';

@Controller()
class AppController {
  @Get('one') @Transactional() async one(@Conn() conn: PoolConnection) {
    const rows = await conn.query('SELECT 1 AS one');
    return { one: Number(rows[0].one), thread: conn.threadId };
  }
}

@Module({ imports: [PoolModule.forRoot({ uri: process.env.MARIADB_URL, minSize: 1, maxSize: 2 })], controllers: [AppController] })
class AppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const port = app.getHttpServer().address().port;
  const body = await (await fetch('http://127.0.0.1:' + port + '/one')).json();
  console.log(JSON.stringify({ body, health: typeof PoolHealthIndicator, module: typeof require }));
  await app.close();
}
void main();
`,
      });
      run('node', [TSC, '-p', '.'], dir);
      const out = JSON.parse(run('node', ['dist/main.js'], dir).trim().split('\n').at(-1) as string);
      assert.equal(out.body.one, 1);
      assert.equal(typeof out.body.thread, 'number');
      assert.equal(out.health, 'function', '@mariapool/nestjs/health resolved');
      assert.equal(out.module, 'function', 'ran as CommonJS');
    });
  }

  it('an ES module Fastify app (module nodenext, skipLibCheck false) compiles and serves a request\'s connection', () => {
    const dir = app('fastify-esm', {
      type: 'module',
      dependencies: {
        '@mariapool/core': `file:${tarballs['core']}`,
        '@mariapool/fastify': `file:${tarballs['fastify']}`,
        fastify: '^5.0.0',
        mariadb: '^3.5.4',
      },
      devDependencies: { '@types/node': '^20.19.0' },
    }, {
      'tsconfig.json': JSON.stringify({
        compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'ES2022', outDir: './dist', strict: true, skipLibCheck: false, types: ['node'] },
        include: ['src'],
      }),
      'src/main.ts': `
import Fastify from 'fastify';
import { poolPlugin } from '@mariapool/fastify';
import { ConnectionScope } from '@mariapool/core/http';

const app = Fastify();
await app.register(poolPlugin, { uri: process.env.MARIADB_URL, minSize: 1, maxSize: 2 });
app.get('/one', { config: { transaction: true } }, async (req) => {
  const conn = await req.getConnection();
  const rows = await conn.query<Array<{ one: number }>>('SELECT 1 AS one');
  return { one: Number(rows[0]?.one), thread: conn.threadId };
});
await app.listen({ port: 0, host: '127.0.0.1' });
const { port } = app.server.address() as { port: number };
const body = await (await fetch('http://127.0.0.1:' + port + '/one')).json();
console.log(JSON.stringify({ body, scope: typeof ConnectionScope, status: app.pool.status().size }));
await app.close();
`,
    });
    run('node', [TSC, '-p', '.'], dir);
    const out = JSON.parse(run('node', ['dist/main.js'], dir).trim().split('\n').at(-1) as string);
    assert.equal(out.body.one, 1);
    assert.equal(out.scope, 'function', '@mariapool/core/http resolved');
    assert.ok(out.status >= 1);
  });

  it('a plain CommonJS script can require() every package', () => {
    const dir = path.join(work, 'nest12-cjs');
    const script = "for (const m of ['@mariapool/core', '@mariapool/core/http', '@mariapool/core/legacy', '@mariapool/nestjs']) console.log(m, Object.keys(require(m)).length)";
    const out = run('node', ['-e', script], dir);
    for (const line of out.trim().split('\n')) assert.ok(Number(line.split(' ')[1]) > 0, line);
  });
});
