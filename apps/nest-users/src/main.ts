import { demoDatabase } from 'users-example';
import { createNestUsersApp } from './app.factory.js';

const port = Number(process.env['PORT'] ?? 3000);
const host = process.env['HOST'] ?? '127.0.0.1';
// A throw-away server, if one was started, is killed and its data removed when the process exits.
const { url } = await demoDatabase();
const app = await createNestUsersApp({ url, logger: ['log', 'error', 'warn'] });
app.enableShutdownHooks();
await app.listen(port, host);
console.log(`nest-users (Fastify adapter) listening on http://${host}:${port}
  try: curl http://${host}:${port}/users/1
       curl -X POST -H 'content-type: application/json' -d '{"name":"Alan","email":"alan@example.com"}' http://${host}:${port}/users
       curl http://${host}:${port}/health   curl http://${host}:${port}/pool`);
