// hono 4 on @hono/node-server (web-standard Request/Response adapted to node:http).
// Usage: node servers/hono.mjs <port>   (prints "listening" when ready)
import { Hono } from 'hono';
import { serve } from '@hono/node-server';

const port = Number(process.argv[2] ?? 3000);
const app = new Hono();

app.get('/plaintext', (c) => c.text('Hello, World!'));
// c.json serialises with JSON.stringify on every call.
app.get('/json', (c) => c.json({ message: 'Hello, World!' }));
app.post('/echo', (c) =>
  new Response(c.req.raw.body, {
    headers: { 'content-type': c.req.header('content-type') ?? 'application/octet-stream' },
  }),
);

serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => console.log('listening'));
