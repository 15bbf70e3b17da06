// tiercel with middleware/router holding 100 routes (the same table as fastify-routes.mjs), for
// the routing row: one parameterised hit, GET /r17/users/:id → {"id":"…"}.
// Usage: node servers/tiercel-routes.mjs <port>   (prints "listening" when ready)
import { Server } from '../../bundle/hosting/index.js';
import { Router } from '../../bundle/middleware/index.js';
import { ApplicationBuilder } from '../../bundle/pipeline/index.js';
import { ROUTE_TABLE } from './route-table.mjs';

const port = Number(process.argv[2] ?? 3000);
const router = new Router();
const handler = (ctx) => ctx.response.json({ id: ctx.route.params.id ?? null });
for (const template of ROUTE_TABLE) router.get(template, handler);
const server = new Server({ logLevel: 'warn' });
server.useHttp(new ApplicationBuilder().use(router.middleware()));
server.listen(`http://127.0.0.1:${port}`);
await server.start();
console.log('listening');
