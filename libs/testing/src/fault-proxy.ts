import net from 'node:net';

export type FaultMode = 'pass' | 'blackHole' | 'delay';

export interface FaultProxyOptions {
  target: { host: string; port: number };
  /** Where the proxy listens. @default { host: '127.0.0.1', port: 0 (free) } */
  listen?: { host?: string; port?: number };
}

/** Traffic counters, for asserting that something was (or was not) sent. */
export interface FaultProxyStats {
  mode: FaultMode;
  open: number;
  accepted: number;
  bytesToServer: number;
  bytesToClient: number;
}

export interface FaultProxy {
  readonly host: string;
  readonly port: number;
  /** Forward both ways; bytes held by a black hole are delivered (TCP retransmits after a heal); listening again after refuse(). */
  pass(): Promise<void>;
  /** Accept and keep every socket, forward nothing, answer nothing, no RST: a network partition. */
  blackHole(): void;
  /** Forward, each chunk `ms` later (order kept). */
  delay(ms: number): void;
  /** RST every open connection now (new ones pass). */
  reset(): void;
  /** Stop listening: new connections get ECONNREFUSED; open ones stay. Resolves once new connections are refused. */
  refuse(): Promise<void>;
  stats(): FaultProxyStats;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  server: net.Socket;
  held: Array<[net.Socket, Buffer]>;
}

/**
 * A loopback TCP proxy between a client (the pool) and a server, with switchable faults. Models
 * what a pool meets in production: partitions (black hole), latency, resets, refused connects.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const listenHost = options.listen?.host ?? '127.0.0.1';
  let mode: FaultMode = 'pass';
  let delayMs = 0;
  const pairs = new Set<Pair>();
  const counters = { accepted: 0, bytesToServer: 0, bytesToClient: 0 };

  function forward(from: net.Socket, to: net.Socket, pair: Pair, counter: 'bytesToServer' | 'bytesToClient'): void {
    let chain = Promise.resolve();
    from.on('data', (chunk: Buffer) => {
      counters[counter] += chunk.length;
      if (mode === 'blackHole') {
        pair.held.push([to, chunk]);
        return;
      }
      const ms = mode === 'delay' ? delayMs : 0;
      chain = chain.then(() => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : undefined)).then(() => {
        if (!to.destroyed) to.write(chunk);
      });
    });
  }

  function onConnection(client: net.Socket): void {
    counters.accepted++;
    client.setNoDelay(true);
    const server = net.connect(options.target);
    server.setNoDelay(true);
    const pair: Pair = { client, server, held: [] };
    pairs.add(pair);
    forward(client, server, pair, 'bytesToServer');
    forward(server, client, pair, 'bytesToClient');
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on('error', end).on('close', end);
    server.on('error', end).on('close', end);
  }

  let listener = net.createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(options.listen?.port ?? 0, listenHost, resolve);
  });
  const port = (listener.address() as net.AddressInfo).port;

  return {
    host: listenHost,
    port,
    async pass() {
      mode = 'pass';
      for (const pair of pairs) {
        for (const [to, chunk] of pair.held.splice(0)) if (!to.destroyed) to.write(chunk);
      }
      if (!listener.listening) {
        listener = net.createServer(onConnection);
        await new Promise<void>((resolve) => listener.listen(port, listenHost, resolve));
      }
    },
    blackHole() {
      mode = 'blackHole';
    },
    delay(ms: number) {
      mode = 'delay';
      delayMs = ms;
    },
    reset() {
      for (const pair of [...pairs]) {
        pair.client.resetAndDestroy();
        pair.server.destroy();
        pairs.delete(pair);
      }
    },
    async refuse() {
      // close() stops listening at once; its callback waits for every open socket to end, which
      // is not what "refuse new connections" means (open ones stay, as the doc says).
      if (listener.listening) listener.close();
    },
    stats: () => ({ mode, open: pairs.size, ...counters }),
    async close() {
      for (const pair of [...pairs]) {
        pair.client.destroy();
        pair.server.destroy();
      }
      pairs.clear();
      if (listener.listening) await new Promise((resolve) => listener.close(resolve));
    },
  };
}
