import { fileURLToPath } from 'node:url';
import type { RawData, WebSocket } from 'ws';
import { InvalidOptionError, type TcpEndpoint } from '../connection/index.js';
import { HEALTH_CHECKS, HealthChecks } from '../middleware/health/index.js';
// Not through observability/index.ts, which re-exports tracing and the dashboard's page: the demo
// needs the metrics from the start, the dashboard from its first viewer.
import { metricsEndpoint } from '../observability/metrics-endpoint.js';
import type { ServerMetrics } from '../observability/server-metrics.js';
import { resolveDashboardOptions, type DashboardOptions } from '../observability/dashboard/dashboard-options.js';
import { bigDocument } from './demo-big-document.js';
import { ApplicationBuilder, HttpError, type HttpContext, type Middleware, type RequestHandler } from '../pipeline/index.js';

const HELLO = 'Hello, World!';

/**
 * The app `tiercel serve` runs when given no module: the TechEmpower-style routes the benchmark
 * uses, an echo and a health check.
 *
 * - `GET /plaintext` → `Hello, World!` (text/plain)
 * - `GET /json` → `{"message":"Hello, World!"}` (serialised per request, as TechEmpower requires)
 * - `POST /echo` → the request body back, streamed, with its content type
 * - `GET /healthz`, `GET /readyz` → the health report (JSON; `/readyz` is 503 once the server stops);
 *   the checks and their paths are `options.health`, else the app's container's `HEALTH_CHECKS`
 * - `GET /whoami` → what tiercel believes about the request: remote address and port, scheme, host,
 *   protocol, transport, TLS, and the pid of the process that answered (a worker, with --workers)
 * - `GET /ws` → a WebSocket that echoes every message (text stays text, binary stays binary)
 * - `GET /chat` → a page whose script joins `/chat/ws`, where every message goes to every member
 * - `GET /static/…` → the files of `hosting/demo-static/` (shipped with the package), `index.html`
 *   for `/static/`: ETag, Last-Modified, ranges
 * - `GET /big.json` → a JSON document of about 16 KiB, br- or gzip-compressed when the client accepts it
 * - `GET /early` → a `103 Early Hints` with a `Link` preload of the page's stylesheet, then the page
 * - `GET /users/:id` → `{"id":"…"}` (the router: other methods get 405 with `Allow: GET, HEAD`)
 * - `/json` allows any origin (CORS: preflights answered, `Access-Control-Allow-Origin: *`)
 * - `GET /limited` → `limited`, at most 10 requests per second per client address, then 429 with
 *   `Retry-After`
 * - `GET /metrics` → the server's metrics in Prometheus's text format, when `options.metrics` is
 *   given (`tiercel serve` gives it; the benchmark's plain tiercel row does not)
 * - `GET /_tiercel` → the live dashboard (and its WebSocket `/_tiercel/ws`), when
 *   `options.dashboard` is given with the metrics (`tiercel serve --dashboard`); local peers only
 */
export function demoApp(app = new ApplicationBuilder(), options: DemoOptions = {}): ApplicationBuilder {
  // Answered from the route switch rather than app.use(): a middleware in front would cost the
  // benchmarked routes a `next` closure per request. One of each per built app (per server).
  // The middleware of the routes below loads with their first request (onFirstUse): `tiercel
  // serve` listens without find-my-way, negotiator, zlib, the static files' or the dashboard's
  // code, which only some routes need (issue 11: ~60 ms of CPU at start).
  const demo: Demo = {
    room: new Set<WebSocket>(),
    health: options.health ?? (app.services?.isRegistered(HEALTH_CHECKS, true) === true ? app.services.resolve<HealthChecks>(HEALTH_CHECKS) : new HealthChecks()),
    users: onFirstUse(async () => {
      const { Router } = await import('../middleware/router/index.js');
      return new Router().get('/users/:id', (ctx) => ctx.response.json({ id: ctx.route!.params.id })).middleware();
    }),
    anyOrigin: onFirstUse(async () => (await import('../middleware/cors/index.js')).cors({ origins: '*' })),
    limited: onFirstUse(async () => (await import('../middleware/rate-limit/index.js')).rateLimit({ limiter: { kind: 'fixed-window', permits: 10, windowMs: 1_000 } })),
    // The package ships hosting/demo-static/ beside dist/: from dist/hosting/ it is ../../hosting/demo-static.
    statics: onFirstUse(async () => (await import('../middleware/static/index.js')).staticFiles({ root: fileURLToPath(new URL('../../hosting/demo-static/', import.meta.url)), fallthrough: false })),
    compression: onFirstUse(async () => (await import('../middleware/compression/index.js')).responseCompression()),
    metrics: options.metrics === undefined ? undefined : metricsEndpoint(options.metrics),
    dashboard: options.dashboard === undefined || options.dashboard === false ? undefined : demoDashboard(options),
  };
  return app.run((ctx) => handle(ctx, demo));
}

/**
 * A middleware made by `make` on its first request, whose modules are imported then: requests
 * that arrive meanwhile wait for the same import; later ones call the made middleware directly.
 * A failed import fails each request that needs it (500), never the server.
 */
function onFirstUse(make: () => Promise<Middleware>): Middleware {
  let made: Middleware | undefined;
  let making: Promise<Middleware> | undefined;
  return (ctx, next) => {
    if (made !== undefined) return made(ctx, next);
    making ??= make().then((m) => (made = m));
    return making.then((m) => m(ctx, next));
  };
}

/** What the demo's routes share, made once per built app. */
interface Demo {
  /** The chat room's members. */
  readonly room: Set<WebSocket>;
  readonly health: HealthChecks;
  readonly users: Middleware;
  readonly anyOrigin: Middleware;
  readonly limited: Middleware;
  readonly statics: Middleware;
  readonly compression: Middleware;
  /** `GET /metrics`, when the options gave metrics. */
  readonly metrics: RequestHandler | undefined;
  /** `/_tiercel` and `/_tiercel/ws`, when the options asked for the dashboard. */
  readonly dashboard: Middleware | undefined;
}

export interface DemoOptions {
  /** Serves these at `GET /metrics`; without them `/metrics` is a 404. */
  readonly metrics?: ServerMetrics;
  /** The health checks `/healthz` and `/readyz` (or the paths their options name) answer with. */
  readonly health?: HealthChecks;
  /**
   * The live dashboard at `/_tiercel` (true: its defaults), fed by `metrics`, which it needs.
   * Default false: `/_tiercel` is a 404.
   */
  readonly dashboard?: boolean | DashboardOptions;
}

function demoDashboard(options: DemoOptions): Middleware {
  const metrics = options.metrics;
  if (metrics === undefined) throw new InvalidOptionError('dashboard', 'needs metrics to show');
  const settings = options.dashboard === true ? {} : (options.dashboard as DashboardOptions);
  if (settings.path !== undefined && settings.path !== DASHBOARD_PATH) throw new InvalidOptionError('dashboard.path', `is ${DASHBOARD_PATH} in the demo app (its route switch names it)`);
  // What dashboard() refuses, refused now, when the app is built; the page and its code load with the first viewer.
  resolveDashboardOptions(settings);
  metrics.snapshot();
  return onFirstUse(async () => (await import('../observability/dashboard/index.js')).dashboard(metrics, settings));
}

/** Where the demo mounts the dashboard: a case of the route switch, so other routes never test for it. */
const DASHBOARD_PATH = '/_tiercel';

function handle(ctx: HttpContext, demo: Demo): void | Promise<void> {
  const { request, response } = ctx;
  switch (request.path) {
    case '/plaintext':
      return void response.send(HELLO);
    case '/json':
      // Only a cross-origin request pays for CORS: the benchmark sends no Origin.
      if (request.headers.has('origin')) return crossOriginJson(ctx, demo);
      return void response.json({ message: HELLO });
    case '/limited':
      return limited(ctx, demo);
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
      return join(ctx, demo.room);
    case '/big.json':
      // The compression middleware called for this route alone: the benchmarked routes above
      // never pass through it.
      return bigJson(ctx, demo);
    case '/early':
      return early(ctx);
    case '/static':
      return void response.redirect('/static/', 301);
    case '/metrics':
      if (demo.metrics !== undefined) return demo.metrics(ctx);
      break;
    case '/_tiercel':
    case '/_tiercel/ws':
      if (demo.dashboard !== undefined) return demo.dashboard(ctx, notFound);
      break;
  }
  if (request.path.startsWith('/static/')) return serveStatic(ctx, demo.statics);
  return healthOrUsers(ctx, demo);
}

// The `next` closures live in these helpers, not in handle(): a closure there capturing its locals
// would make every call of handle() allocate a context for them, the benchmarked routes' too.
function healthOrUsers(ctx: HttpContext, demo: Demo): void | Promise<void> {
  // The health middleware answers its two paths (configurable) and passes every other one on.
  return demo.health.middleware(ctx, () => demo.users(ctx, notFound));
}

function crossOriginJson(ctx: HttpContext, demo: Demo): void | Promise<void> {
  return demo.anyOrigin(ctx, () => void ctx.response.json({ message: HELLO }));
}

function limited(ctx: HttpContext, demo: Demo): void | Promise<void> {
  return demo.limited(ctx, () => void ctx.response.send('limited'));
}

function bigJson(ctx: HttpContext, demo: Demo): void | Promise<void> {
  return demo.compression(ctx, () => void ctx.response.json(bigDocument()));
}

/** What `map('/static', …)` would do, without a map in front of the benchmarked routes. */
function serveStatic(ctx: HttpContext, statics: Middleware): void | Promise<void> {
  const request = ctx.request;
  request.pathBase = '/static';
  request.path = request.path.slice('/static'.length);
  return statics(ctx, notFound);
}


async function early(ctx: HttpContext): Promise<void> {
  const { response } = ctx;
  // The client can fetch the stylesheet while the page is prepared (here: a short wait standing in
  // for the database query a real page would make).
  response.sendEarlyHints('</static/style.css>; rel=preload; as=style');
  await new Promise((resolve) => setTimeout(resolve, 20));
  response.headers.set('content-type', 'text/html; charset=utf-8');
  response.headers.set('link', '</static/style.css>; rel=preload; as=style');
  response.send(EARLY);
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

/** A send's options, made once: ws copies them into its own per send, so one object serves every message. */
const AS_BINARY = Object.freeze({ binary: true });
const AS_TEXT = Object.freeze({ binary: false });

/**
 * Sync, as the benchmarked HTTP routes are: the handshake completes at once, so `acceptNow` needs
 * no async function, await and promise chain through the pipeline (~900 B per accepted socket).
 * A bad handshake throws as `accept()` rejects: the pipeline answers it with its status.
 */
function echo(ctx: HttpContext): void {
  ctx.webSockets.acceptNow().on('message', echoMessage);
}

/**
 * Sends a message back on the socket it came from (`this`): one listener shared by every echo
 * socket, so an idle one keeps no closure of its own (ws on node:http, the benchmark's baseline,
 * keeps one). Backpressure: a client that sends faster than it reads is not read until its echoes
 * have gone out, so what the server holds for it stays near the high-water mark; ignoring it, the
 * queue would grow to maxBufferedAmount and the socket close with 1008. Past the mark the socket
 * is paused, and each echo sent while it is carries the callback that resumes it once drained.
 */
function echoMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  if (!this.isPaused && this.bufferedAmount < ECHO_HIGH_WATER) {
    this.send(data, isBinary ? AS_BINARY : AS_TEXT);
    return;
  }
  this.pause();
  this.send(data, isBinary ? AS_BINARY : AS_TEXT, resumeIfDrained.bind(this));
}

function resumeIfDrained(this: WebSocket): void {
  if (this.isPaused && this.bufferedAmount < ECHO_HIGH_WATER) this.resume();
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
    for (const member of room) member.send(data, AS_TEXT);
  });
}

const INDEX = `<!doctype html><meta charset="utf-8"><title>tiercel</title>
<h1>tiercel</h1><p>A Kestrel-class server for Node.js. Try
<a href="/plaintext">/plaintext</a>, <a href="/json">/json</a>, <a href="/healthz">/healthz</a>,
<a href="/readyz">/readyz</a>, <a href="/whoami">/whoami</a>, <a href="/metrics">/metrics</a>, <a href="/static/">/static/</a>,
<a href="/big.json">/big.json</a> (compressed), <a href="/early">/early</a> (103 Early Hints),
<a href="/users/42">/users/42</a>, <a href="/limited">/limited</a> (10 per second),
or <code>curl --data-binary @file http://localhost:5000/echo</code>. WebSockets: <code>/ws</code> (echo) and
<a href="/chat">/chat</a>.</p>`;

const EARLY = `<!doctype html><meta charset="utf-8"><title>tiercel early hints</title>
<link rel="stylesheet" href="/static/style.css">
<h1>103 Early Hints</h1><p>This page's stylesheet was announced in a <code>103 Early Hints</code> response before the
page itself: <code>curl -v http://localhost:5000/early</code> shows it.</p>`;

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

export { bigDocument };
