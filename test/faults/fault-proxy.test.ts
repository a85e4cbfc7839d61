import '../support/guard.js';
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startFaultProxy, type FaultProxy } from '@mariapool/testing';

/** The fault proxy's own contract, on a plain TCP echo server. */
let echo: net.Server;
let proxy: FaultProxy;

before(async () => {
  echo = net.createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: (echo.address() as AddressInfo).port } });
});
after(async () => {
  await proxy.close();
  await new Promise((resolve) => echo.close(resolve));
});

function connect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(proxy.port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

function roundTrip(socket: net.Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (chunk) => resolve(String(chunk)));
    socket.write(text);
  });
}

describe('startFaultProxy', () => {
  it('refuse() resolves while a proxied socket is open, refuses new connections, keeps the open one; pass() listens again', async () => {
    const open = await connect();
    assert.equal(await roundTrip(open, 'before'), 'before');
    const refused = await Promise.race([
      proxy.refuse().then(() => 'resolved'),
      new Promise((resolve) => setTimeout(() => resolve('still pending after 1 s'), 1000)),
    ]);
    assert.equal(refused, 'resolved');
    await assert.rejects(connect(), { code: 'ECONNREFUSED' });
    assert.equal(await roundTrip(open, 'still here'), 'still here');
    await proxy.pass();
    const again = await connect();
    assert.equal(await roundTrip(again, 'after'), 'after');
    open.destroy();
    again.destroy();
  });

  it('blackHole() holds bytes without a reset and delivers them after pass()', async () => {
    const socket = await connect();
    proxy.blackHole();
    let got = '';
    socket.on('data', (chunk) => (got += String(chunk)));
    socket.write('held');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(got, '');
    await proxy.pass();
    for (let i = 0; i < 100 && got === ''; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(got, 'held');
    socket.destroy();
  });
});
