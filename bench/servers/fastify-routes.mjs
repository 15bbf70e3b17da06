// fastify 5 with the 100 routes of route-table.mjs, default settings apart from logging, for the
// routing row: GET /r17/users/:id → {"id":"…"}.
// Usage: node servers/fastify-routes.mjs <port>   (prints "listening" when ready)
import Fastify from 'fastify';
import { ROUTE_TABLE } from './route-table.mjs';

const port = Number(process.argv[2] ?? 3000);
const app = Fastify({ logger: false });
const handler = (request, reply) => {
  reply.send({ id: request.params.id ?? null });
};
for (const template of ROUTE_TABLE) app.get(template, handler);
await app.listen({ port, host: '127.0.0.1' });
console.log('listening');
