import http from 'node:http';

export interface PendingRequest {
  /** Settles with the status and body, or with status 0 when the request was aborted or failed. */
  readonly response: Promise<{ status: number; body: string }>;
  /** Hangs up the client side, as a browser tab that was closed. */
  abort(): void;
}

/** One HTTP request over a real socket that the test can abort at any moment. */
export function startRequest(port: number, method: string, path: string, body?: unknown): PendingRequest {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const req = http.request({
    host: '127.0.0.1',
    port,
    method,
    path,
    agent: false,
    headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
  });
  const response = new Promise<{ status: number; body: string }>((resolve) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
  });
  req.end(payload);
  return { response, abort: () => req.destroy() };
}
