import type { WebSocket } from 'ws';
import type { TcpEndpoint } from '../connection/index.js';
import { HealthChecks } from '../middleware/index.js';
import { ApplicationBuilder, HttpError, type HttpContext } from '../pipeline/index.js';

const HELLO = 'Hello, World!';

/**
 * The app `tiercel serve` runs when given no module: the TechEmpower-style routes the benchmark
 * uses, an echo and a health check.
 *
 * - `GET /plaintext` → `Hello, World!` (text/plain)
 * - `GET /json` → `{"message":"Hello, World!"}` (serialised per request, as TechEmpower requires)
 * - `POST /echo` → the request body back, streamed, with its content type
 * - `GET /healthz`, `GET /readyz` → the health report (JSON; `/readyz` is 503 once the server stops)
 * - `GET /whoami` → what tiercel believes about the request: remote address and port, scheme, host,
 *   protocol, transport, TLS, and the pid of the process that answered (a worker, with --workers)
 * - `GET /ws` → a WebSocket that echoes every message (text stays text, binary stays binary)
 * - `GET /chat` → a page whose script joins `/chat/ws`, where every message goes to every member
 */
export function demoApp(app = new ApplicationBuilder()): ApplicationBuilder {
  // One chat room per built app (per server), not per module.
  const room = new Set<WebSocket>();
  // Answered from the route switch rather than app.use(): a middleware in front would cost the
  // benchmarked routes a `next` closure per request.
  const health = new HealthChecks();
  return app.run((ctx) => handle(ctx, room, health));
}

function handle(ctx: HttpContext, room: Set<WebSocket>, health: HealthChecks): void | Promise<void> {
  const { request, response } = ctx;
  switch (request.path) {
    case '/plaintext':
      return void response.send(HELLO);
    case '/json':
      return void response.json({ message: HELLO });
    case '/healthz':
    case '/readyz':
      return health.middleware(ctx, notFound);
    case '/whoami':
      return void response.json(whoami(ctx));
    case '/echo': {
      if (request.method !== 'POST') throw new HttpError(405, 'Use POST', { headers: { allow: 'POST' } });
      const type = request.headers.get('content-type');
      if (type !== undefined) response.headers.set('content-type', type);
      if (request.contentLength >= 0) response.headers.set('content-length', request.contentLength);
      return response.stream(request.body);
    }
    case '/':
      response.headers.set('content-type', 'text/html; charset=utf-8');
      return void response.send(INDEX);
    case '/ws':
      return echo(ctx);
    case '/chat':
      response.headers.set('content-type', 'text/html; charset=utf-8');
      return void response.send(CHAT);
    case '/chat/ws':
      return join(ctx, room);
  }
  throw new HttpError(404);
}

function notFound(): never {
  throw new HttpError(404);
}

/** What tiercel believes about the request, for operators (and tests) to see. */
function whoami(ctx: HttpContext): Record<string, unknown> {
  const { connection, request } = ctx;
  // A custom endpoint's kind is any string, so `kind === 'tcp'` alone does not narrow the union.
  const remote = connection.remoteEndpoint.kind === 'tcp' ? (connection.remoteEndpoint as TcpEndpoint) : undefined;
  const tls = connection.tls;
  return {
    remoteAddress: remote?.host ?? null,
    remotePort: remote?.port ?? null,
    scheme: connection.isSecure ? 'https' : 'http',
    host: request.host ?? null,
    protocol: request.protocol,
    transport: connection.transport ?? null,
    tls: connection.isSecure,
    tlsVersion: tls?.tlsVersion ?? null,
    alpnProtocol: tls?.alpnProtocol ?? null,
    // Which process answered: with --workers, which worker.
    pid: process.pid,
  };
}

/** Past this many bytes queued for a client, the echo stops reading from it until they are sent. */
const ECHO_HIGH_WATER = 64 * 1024;

async function echo(ctx: HttpContext): Promise<void> {
  const ws = await ctx.webSockets.accept();
  // Backpressure: a client that sends faster than it reads is not read until its echoes have gone
  // out, so what the server holds for it stays near the high-water mark; ignoring it, the queue would
  // grow to maxBufferedAmount and the socket close with 1008.
  const resumeIfDrained = (): void => {
    if (ws.isPaused && ws.bufferedAmount < ECHO_HIGH_WATER) ws.resume();
  };
  ws.on('message', (data, isBinary) => {
    ws.send(data, { binary: isBinary }, resumeIfDrained);
    if (ws.bufferedAmount >= ECHO_HIGH_WATER) ws.pause();
  });
}

async function join(ctx: HttpContext, room: Set<WebSocket>): Promise<void> {
  const ws = await ctx.webSockets.accept();
  room.add(ws);
  ws.on('close', () => room.delete(ws));
  ws.on('message', (data, isBinary) => {
    // Text only: the page sends text, and a binary frame is not a chat message.
    if (isBinary) return;
    // A member that stops reading is closed with 1008 once maxBufferedAmount is queued for it
    // (and leaves the room); the others are not held back by it.
    for (const member of room) member.send(data, { binary: false });
  });
}

const INDEX = `<!doctype html><meta charset="utf-8"><title>tiercel</title>
<h1>tiercel</h1><p>A Kestrel-class server for Node.js. Try
<a href="/plaintext">/plaintext</a>, <a href="/json">/json</a>, <a href="/healthz">/healthz</a>,
<a href="/readyz">/readyz</a>, <a href="/whoami">/whoami</a>,
or <code>curl --data-binary @file http://localhost:5000/echo</code>. WebSockets: <code>/ws</code> (echo) and
<a href="/chat">/chat</a>.</p>`;

const CHAT = `<!doctype html><meta charset="utf-8"><title>tiercel chat</title>
<h1>tiercel chat</h1>
<ul id="log"></ul>
<form id="f"><input id="m" autocomplete="off" autofocus placeholder="Say something"><button>Send</button></form>
<script>
const log = document.getElementById('log');
const input = document.getElementById('m');
const say = (text) => { const li = document.createElement('li'); li.textContent = text; log.append(li); };
const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/chat/ws');
ws.onopen = () => say('* connected');
ws.onclose = (e) => say('* disconnected (' + e.code + ')');
ws.onmessage = (e) => say(e.data);
document.getElementById('f').onsubmit = (e) => {
  e.preventDefault();
  if (input.value !== '' && ws.readyState === WebSocket.OPEN) ws.send(input.value);
  input.value = '';
};
</script>`;
