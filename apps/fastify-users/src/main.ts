import { demoDatabase } from 'users-example';
import { buildApp } from './app.js';

const port = Number(process.env['PORT'] ?? 3000);
const host = process.env['HOST'] ?? '127.0.0.1';
const { url, server } = await demoDatabase();
const app = await buildApp({ url, fastify: { logger: { level: process.env['LOG_LEVEL'] ?? 'info' } } });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void app.close().then(() => server?.stop()).then(() => process.exit(0)));
}
await app.listen({ port, host });
console.log(`fastify-users listening on http://${host}:${port}
  try: curl http://${host}:${port}/users/1
       curl -X POST -H 'content-type: application/json' -d '{"name":"Alan","email":"alan@example.com"}' http://${host}:${port}/users
       curl http://${host}:${port}/health   curl http://${host}:${port}/pool`);
