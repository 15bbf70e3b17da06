import type { Endpoint, TcpEndpoint } from '../../connection/index.js';
import { HttpError, type HttpContext, type Middleware, type WebSocketManager } from '../../pipeline/index.js';
import type { ServerMetrics } from '../server-metrics.js';
import { FrameMaker } from './dashboard-frame.js';
import { resolveDashboardOptions, type DashboardOptions, type ResolvedDashboardOptions } from './dashboard-options.js';
import { DASHBOARD_PAGE } from './dashboard-page.js';

/**
 * The live dashboard: middleware that serves one self-contained page at `options.path` (default
 * `/_tiercel`) and, at `<path>/ws`, a WebSocket that pushes a `DashboardFrame` (JSON) every
 * `intervalMs` to each viewer, made from `metrics.snapshot()`. Anything else goes to `next`.
 * Loopback peers only unless `allowRemote`; for a separate endpoint, give it its own app on its
 * own listener (see the README's "Live dashboard"). `metrics` must keep its own counters
 * (`prometheus`, the default).
 */
export function dashboard(metrics: ServerMetrics, options: DashboardOptions = {}): Middleware {
  const resolved = resolveDashboardOptions(options);
  // Fails now, not at the first viewer, when the metrics keep no counters.
  metrics.snapshot();
  const viewers = new Viewers(new FrameMaker(metrics), resolved);
  const page = resolved.path;
  const socket = `${page}/ws`;
  return (ctx, next) => {
    const path = ctx.request.path;
    if (path !== page && path !== socket) return next();
    if (!resolved.allowRemote && !isLocal(ctx.connection.remoteEndpoint)) throw new HttpError(403, 'The dashboard answers local peers only (allowRemote is false)');
    if (path === socket) return viewers.join(ctx);
    return servePage(ctx);
  };
}

function servePage(ctx: HttpContext): void {
  const { request, response } = ctx;
  if (request.method !== 'GET' && request.method !== 'HEAD') throw new HttpError(405, 'Use GET', { headers: { allow: 'GET, HEAD' } });
  response.headers.set('content-type', 'text/html; charset=utf-8');
  response.headers.set('cache-control', 'no-store');
  // Everything is inline: no other origin, no framing by another site.
  response.headers.set('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'");
  response.send(DASHBOARD_PAGE);
}

/** A TCP peer on a loopback address, or any peer of a unix socket, named pipe or in-memory transport. */
function isLocal(endpoint: Endpoint): boolean {
  if (endpoint.kind === 'pipe' || endpoint.kind === 'memory') return true;
  if (endpoint.kind !== 'tcp') return false;
  const host = (endpoint as TcpEndpoint).host;
  return host === '::1' || host.startsWith('127.') || host.startsWith('::ffff:127.');
}

/** ws's socket, named through the pipeline (observability does not load ws). */
type WebSocket = Awaited<ReturnType<WebSocketManager['accept']>>;

/**
 * The connected pages. One timer for all, running while there is at least one; each tick makes
 * one frame, serialises it once and sends that string to every viewer.
 */
class Viewers {
  readonly #frames: FrameMaker;
  readonly #options: ResolvedDashboardOptions;
  readonly #sockets = new Set<WebSocket>();
  #timer: NodeJS.Timeout | undefined;
  /** The last frame sent, for a viewer that joins between two ticks. */
  #last: string | undefined;

  constructor(frames: FrameMaker, options: ResolvedDashboardOptions) {
    this.#frames = frames;
    this.#options = options;
  }

  async join(ctx: HttpContext): Promise<void> {
    if (!ctx.webSockets.isWebSocketRequest) throw new HttpError(400, 'This is the dashboard\'s WebSocket: open it as one');
    if (this.#sockets.size >= this.#options.maxViewers) {
      throw new HttpError(503, `The dashboard has its ${this.#options.maxViewers} viewers (maxViewers)`, { headers: { 'retry-after': '5' } });
    }
    const ws = await ctx.webSockets.accept();
    this.#sockets.add(ws);
    ws.on('close', () => this.#leave(ws));
    // A viewer only listens; what it sends is ignored.
    if (this.#timer === undefined) {
      this.#frames.start();
      this.#timer = setInterval(() => this.#tick(), this.#options.intervalMs);
    }
    // A frame at once, so a page does not sit empty for a tick: the last one, as the others saw it
    // (making a new one would cut everyone's tick short).
    ws.send((this.#last ??= JSON.stringify(this.#frames.next())));
  }

  #leave(ws: WebSocket): void {
    if (!this.#sockets.delete(ws) || this.#sockets.size > 0) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#last = undefined;
    this.#frames.stop();
  }

  #tick(): void {
    const text = (this.#last = JSON.stringify(this.#frames.next()));
    for (const ws of this.#sockets) {
      // A viewer that does not read would hold its frames in memory: it is dropped, not waited for.
      // terminate(), not close(): a close frame would queue behind what it is not reading.
      if (ws.bufferedAmount > this.#options.maxViewerBacklogBytes) {
        ws.terminate();
        this.#leave(ws);
      } else ws.send(text);
    }
  }
}
