import '../support/guard.js';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { whenResponseEnds } from '@mariapool/core/http';

class FakeResponse extends EventEmitter {
  writableEnded = false;
  destroyed = false;
  socket: unknown;
  constructor(socket: unknown) {
    super();
    this.socket = socket;
  }
}

class FakeSocket extends EventEmitter {
  destroyed = false;
}

describe('whenResponseEnds', () => {
  for (const event of ['prefinish', 'close'] as const) {
    it(`calls onEnd at '${event}'`, () => {
      const socket = new FakeSocket();
      const res = new FakeResponse(socket);
      let ends = 0;
      assert.equal(whenResponseEnds(res, socket, () => ends++), true);
      res.emit(event);
      assert.equal(ends, 1);
    });
  }

  it('registers nothing and says so for a response already ended or destroyed', () => {
    const socket = new FakeSocket();
    const ended = Object.assign(new FakeResponse(socket), { writableEnded: true });
    const destroyed = Object.assign(new FakeResponse(socket), { destroyed: true });
    assert.equal(whenResponseEnds(ended, socket, () => undefined), false);
    assert.equal(whenResponseEnds(destroyed, socket, () => undefined), false);
    assert.equal(ended.listenerCount('close') + destroyed.listenerCount('close'), 0);
  });

  it('a pipelined response with no socket yet ends with its socket, and the socket listener goes away', () => {
    const socket = new FakeSocket();
    const res = new FakeResponse(null);
    let ends = 0;
    assert.equal(whenResponseEnds(res, socket, () => ends++), true);
    assert.equal(socket.listenerCount('close'), 1);
    socket.emit('close'); // the client hung up before this response got the socket
    assert.equal(ends, 1);
    assert.equal(socket.listenerCount('close'), 0, 'keep-alive sockets outlive requests: no listener left');
  });

  it('a pipelined response that ends normally also removes its socket listener', () => {
    const socket = new FakeSocket();
    const res = new FakeResponse(null);
    let ends = 0;
    whenResponseEnds(res, socket, () => ends++);
    res.emit('prefinish');
    assert.equal(ends, 1);
    assert.equal(socket.listenerCount('close'), 0);
  });

  it('a pipelined response whose socket is already gone is over', () => {
    const socket = Object.assign(new FakeSocket(), { destroyed: true });
    assert.equal(whenResponseEnds(new FakeResponse(null), socket, () => undefined), false);
  });
});
