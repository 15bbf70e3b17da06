// Raw-socket attackers and a legitimate client for the flood and slow-client tests, and the bare
// node:http server each attack is compared with. Every attacker is bounded in count and time and
// talks to 127.0.0.1 only. The quick tests (test/protocols/http1/http1-floods.test.ts) run them
// with small numbers; test/soak/http1-floods.soak.ts runs the same attackers for longer.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { TcpEndpoint } from '../../connection/index.js';
import { LOGGER, type ServerOptions } from '../../di/index.js';
import { Server } from '../../hosting/index.js';
import type { HttpApplication, HttpLimits } from '../../protocols/index.js';
import { MemoryLogger } from '../pipeline/support.js';
import { delay } from './streams.js';

const HOST = '127.0.0.1';

/** A server an attack runs against: its port, and how many connections it holds open now. */
export interface Target {
  readonly name: string;
  readonly port: number;
  /** Connections the server holds open (accepted and not yet closed). */
  openConnections(): number;
  /** Connections the server accepted that have closed since it started. */
  closed(): number;
  /** The most connections the server held open at once since it started. */
  peakOpen(): number;
  stop(): Promise<void>;
}

/** What happened to one attacking connection. */
export interface Cut {
  /** Milliseconds from the connection's start until the server ended or reset it; -1 if it never did. */
  readonly ms: number;
  /** The status code of the first response the attacker got, or 0 for none. */
  readonly status: number;
  /** Bytes the attacker read. */
  readonly bytesRead: number;
}

export interface AttackReport {
  readonly cuts: readonly Cut[];
  /** Attackers the server cut. */
  readonly cut: number;
  /** The median and the slowest cut (ms from the start), over the attackers that were cut. */
  readonly medianMs: number;
  readonly slowestMs: number;
}

function report(cuts: Cut[]): AttackReport {
  const ms = cuts.filter((c) => c.ms >= 0).map((c) => c.ms).sort((a, b) => a - b);
  return { cuts, cut: ms.length, medianMs: ms[ms.length >> 1] ?? -1, slowestMs: ms[ms.length - 1] ?? -1 };
}

/** Opens a TCP connection to the target; resolves once connected. */
export function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, HOST, () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/**
 * Watches one attacking socket: records when the server ended or reset it, the first status it
 * answered and what was read. Reading is left to the caller when `read` is false (slow readers).
 */
export class Watched {
  readonly socket: Socket;
  readonly #start: number;
  closedAt = -1;
  status = 0;
  bytesRead = 0;
  #head = '';

  constructor(socket: Socket, start: number, read: boolean) {
    this.socket = socket;
    this.#start = start;
    const done = (): void => {
      if (this.closedAt < 0) this.closedAt = Date.now() - this.#start;
    };
    socket.on('end', done);
    socket.on('close', done);
    socket.on('error', done);
    if (read) socket.on('data', (d: Buffer) => this.took(d));
  }

  took(d: Buffer): void {
    this.bytesRead += d.length;
    if (this.status === 0 && this.#head.length < 16) {
      this.#head += d.toString('latin1', 0, Math.min(d.length, 16));
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(this.#head);
      if (m !== null) this.status = Number(m[1]);
    }
  }

  get gone(): boolean {
    return this.closedAt >= 0;
  }

  cut(): Cut {
    return { ms: this.closedAt, status: this.status, bytesRead: this.bytesRead };
  }
}

/**
 * Connections opened at once, at most: more than the listen backlog (511 for tiercel and
 * node:http) leaves the kernel dropping handshakes it retries seconds later, and times measured
 * from the client's side would be the kernel's, not the server's.
 */
const BURST = 400;

/**
 * Opens `count` connections in bursts of `BURST`, each watched from the moment it connects (the
 * server may close one before the last connects).
 */
async function openAll(port: number, count: number, read: boolean): Promise<Watched[]> {
  const out: Watched[] = [];
  for (let i = 0; i < count; i += BURST) {
    const burst = Array.from({ length: Math.min(BURST, count - i) }, () => open(port).then((s) => new Watched(s, Date.now(), read)));
    out.push(...(await Promise.all(burst)));
  }
  return out;
}

/** Waits (in steps of `stepMs`) until every attacker is gone or `untilMs` from `start` has passed. */
async function waitGone(watched: readonly Watched[], start: number, untilMs: number, tick?: () => void, stepMs = 50): Promise<void> {
  while (Date.now() - start < untilMs && watched.some((w) => !w.gone)) {
    tick?.();
    await delay(stepMs);
  }
}

export interface SlowOptions {
  /** Attacking connections. */
  readonly count: number;
  /** Time between two dribbles of the attack. */
  readonly intervalMs: number;
  /** The attack gives up (and closes its sockets) after this long. */
  readonly durationMs: number;
}

/**
 * Slowloris (slowhttptest -H): each connection sends a request line and then one more header
 * line every `intervalMs`, never the empty line that ends the head.
 */
export async function slowHeaders(port: number, o: SlowOptions): Promise<AttackReport> {
  const start = Date.now();
  const watched = await openAll(port, o.count, true);
  for (const w of watched) w.socket.write('GET /hello HTTP/1.1\r\nHost: x\r\n');
  let n = 0;
  let last = Date.now();
  await waitGone(watched, start, o.durationMs, () => {
    if (Date.now() - last < o.intervalMs) return;
    last = Date.now();
    n++;
    for (const w of watched) if (!w.gone) w.socket.write(`X-${n}: ${n}\r\n`);
  });
  for (const w of watched) w.socket.destroy();
  return report(watched.map((w) => w.cut()));
}

/**
 * R-U-Dead-Yet (slowhttptest -B): each connection sends a whole head declaring `contentLength`
 * bytes of body to `path`, then one byte every `intervalMs`.
 */
export async function slowBody(port: number, o: SlowOptions & { readonly path: string; readonly contentLength: number }): Promise<AttackReport> {
  const start = Date.now();
  const watched = await openAll(port, o.count, true);
  for (const w of watched) w.socket.write(`POST ${o.path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${o.contentLength}\r\n\r\n`);
  let last = Date.now();
  await waitGone(watched, start, o.durationMs, () => {
    if (Date.now() - last < o.intervalMs) return;
    last = Date.now();
    for (const w of watched) if (!w.gone) w.socket.write('a');
  });
  for (const w of watched) w.socket.destroy();
  return report(watched.map((w) => w.cut()));
}

/**
 * Slow read (slowhttptest -X): each connection asks for a large response (`request`) and takes it
 * at `bytesPerSecond`, far below what the server would send. The server's cut shows to the client
 * only after it has read what the kernel still holds, so `serverCut` (the server's own count of
 * the attackers it cut) decides when the attack is over.
 */
export async function slowRead(
  port: number,
  o: { readonly count: number; readonly request: string; readonly bytesPerSecond: number; readonly durationMs: number; serverCut(): number },
): Promise<AttackReport & { readonly serverCut: number; readonly serverCutMs: number }> {
  const start = Date.now();
  const watched = await openAll(port, o.count, false);
  for (const w of watched) {
    w.socket.pause();
    w.socket.write(o.request);
  }
  const step = 100;
  const budget = Math.max(1, Math.floor((o.bytesPerSecond * step) / 1000));
  let serverCutMs = -1;
  while (Date.now() - start < o.durationMs) {
    for (const w of watched) {
      if (w.gone) continue;
      const d = w.socket.read(Math.min(budget, w.socket.readableLength || budget)) as Buffer | null;
      if (d !== null) w.took(d);
      // A paused socket learns of the server's FIN only by reading past everything before it.
      else if (w.socket.readableEnded) w.closedAt = Date.now() - start;
    }
    if (o.serverCut() >= o.count) {
      serverCutMs = Date.now() - start;
      break;
    }
    await delay(step);
  }
  for (const w of watched) w.socket.destroy();
  return { ...report(watched.map((w) => w.cut())), serverCut: o.serverCut(), serverCutMs };
}

/**
 * A connection flood: `count` connections opened as fast as the server accepts them, each
 * sending nothing. Resolves `settleMs` after every connection is up, with the sockets (to hold
 * or close) and how many the server had closed by then.
 */
export async function connectionFlood(
  port: number,
  o: { readonly count: number; readonly settleMs: number },
): Promise<{ sockets: Socket[]; closedAtOnce: number; watched: Watched[] }> {
  const watched = await openAll(port, o.count, true);
  await delay(o.settleMs);
  return { sockets: watched.map((w) => w.socket), closedAtOnce: watched.filter((w) => w.gone).length, watched };
}

/** Cuts of a flood's connections, waiting `untilMs` at most for the ones still held. */
export async function floodCuts(watched: Watched[], untilMs: number): Promise<AttackReport> {
  const start = Date.now();
  await waitGone(watched, start, untilMs);
  return report(watched.map((w) => w.cut()));
}

/**
 * A huge pipelined batch: `requests` copies of `request` sent in writes of `perWrite`, while the
 * responses are read as they come. Resolves with how many responses came back (counted by their
 * status line) and whether the server closed the connection.
 */
export async function pipelinedBatch(
  port: number,
  o: { readonly requests: number; readonly request: string; readonly perWrite: number; readonly timeoutMs: number },
): Promise<{ responses: number; sentBytes: number; ms: number; closed: boolean }> {
  const start = Date.now();
  const s = await open(port);
  const marker = 'HTTP/1.1 200 ';
  let responses = 0;
  let tail = '';
  let closed = false;
  s.on('close', () => (closed = true));
  s.on('error', () => {});
  s.on('data', (d: Buffer) => {
    const text = tail + d.toString('latin1');
    for (let i = text.indexOf(marker); i !== -1; i = text.indexOf(marker, i + marker.length)) responses++;
    tail = text.slice(-(marker.length - 1));
  });
  const batch = Buffer.from(o.request.repeat(o.perWrite), 'latin1');
  let sent = 0;
  let sentBytes = 0;
  while (sent < o.requests && !closed) {
    const n = Math.min(o.perWrite, o.requests - sent);
    const chunk = n === o.perWrite ? batch : batch.subarray(0, n * o.request.length);
    sent += n;
    sentBytes += chunk.length;
    if (!s.write(chunk)) await new Promise((r) => s.once('drain', r));
  }
  while (responses < o.requests && !closed && Date.now() - start < o.timeoutMs) await delay(20);
  s.destroy();
  return { responses, sentBytes, ms: Date.now() - start, closed };
}

// ---- the legitimate client -----------------------------------------------------------------

/** What a legitimate client saw while an attack ran. */
export interface Legit {
  ok: number;
  failed: number;
  slowestMs: number;
}

/** Asks for `/hello` on a fresh connection every `everyMs` while `attack` runs; resolves with both. */
export async function besideLegit<T>(target: Target, attack: Promise<T>, everyMs = 200): Promise<{ result: T; legit: Legit }> {
  let done = false;
  const legit: Legit = { ok: 0, failed: 0, slowestMs: 0 };
  const loop = (async () => {
    while (!done) {
      const a = await fetchOnce(target.port, '/hello');
      if (a.status === 200 && a.body.toString() === 'hello') legit.ok++;
      else legit.failed++;
      legit.slowestMs = Math.max(legit.slowestMs, a.ms);
      await delay(everyMs);
    }
  })();
  try {
    return { result: await attack, legit };
  } finally {
    done = true;
    await loop;
  }
}

let gc: (() => void) | undefined;

/** heapUsed now, after a full collection. */
export function heap(): number {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  return process.memoryUsage().heapUsed;
}

export interface Answer {
  readonly status: number;
  readonly body: Buffer;
  readonly ms: number;
}

/**
 * One request on a fresh connection (`connection: close`), read to the end. Resolves with the
 * status 0 when the server closed without an answer (a connection over its limit).
 */
export async function fetchOnce(port: number, path: string, body?: Buffer, timeoutMs = 5_000): Promise<Answer> {
  const start = Date.now();
  let s: Socket;
  try {
    s = await open(port);
  } catch {
    return { status: 0, body: Buffer.alloc(0), ms: Date.now() - start };
  }
  const chunks: Buffer[] = [];
  const text = await new Promise<Buffer>((resolve) => {
    const timer = setTimeout(() => resolve(Buffer.concat(chunks)), timeoutMs);
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    const length = body === undefined ? '' : `Content-Length: ${body.length}\r\n`;
    s.write(`${body === undefined ? 'GET' : 'POST'} ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${length}\r\n`);
    if (body !== undefined) s.write(body);
  });
  s.destroy();
  return { ...parseOne(text), ms: Date.now() - start };
}

/** A keep-alive client on one connection: one request at a time, content-length or chunked answers. */
export class KeepAliveClient {
  readonly socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #waiter: (() => void) | undefined;
  #closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? d : Buffer.concat([this.#buffer, d]);
      this.#waiter?.();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.#closed = true;
      this.#waiter?.();
    });
  }

  static async connect(port: number): Promise<KeepAliveClient> {
    return new KeepAliveClient(await open(port));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends one GET and resolves with its response, or status 0 if the connection closed first. */
  async get(path: string, timeoutMs = 5_000): Promise<Answer> {
    const start = Date.now();
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const until = start + timeoutMs;
    for (;;) {
      const whole = responseLength(this.#buffer);
      if (whole > 0) {
        const one = this.#buffer.subarray(0, whole);
        this.#buffer = this.#buffer.subarray(whole);
        return { ...parseOne(one), ms: Date.now() - start };
      }
      if (this.#closed || Date.now() > until) return { status: 0, body: Buffer.alloc(0), ms: Date.now() - start };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The length of the first complete content-length response in `buf`, or 0 if it is not all there. */
function responseLength(buf: Buffer): number {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return 0;
  const head = buf.toString('latin1', 0, headEnd).toLowerCase();
  const m = /\r\ncontent-length: *(\d+)/.exec(head);
  const length = m === null ? 0 : Number(m[1]);
  return buf.length >= headEnd + 4 + length ? headEnd + 4 + length : 0;
}

/** Status and body of one response (content-length, chunked, or read to the close). */
export function parseOne(raw: Buffer): { status: number; body: Buffer } {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd < 0) return { status: 0, body: Buffer.alloc(0) };
  const head = raw.toString('latin1', 0, headEnd);
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  const status = m === null ? 0 : Number(m[1]);
  let body = raw.subarray(headEnd + 4);
  if (/\r\ntransfer-encoding: *chunked/i.test(head)) body = dechunk(body);
  else {
    const cl = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (cl !== null) body = body.subarray(0, Number(cl[1]));
  }
  return { status, body };
}

/** The data of a chunked body (trailers dropped); stops at a chunk that is not all there. */
export function dechunk(raw: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(raw.toString('latin1', at, eol), 16);
    if (!(size > 0) || eol + 2 + size > raw.length) break;
    out.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

// ---- the servers under attack --------------------------------------------------------------

/** A tiercel server an attack runs against, with what its app saw. */
export interface TiercelTarget extends Target {
  readonly server: Server;
  readonly logger: MemoryLogger;
  /** Responses cut before they ended (the exchange's `aborted` fired). */
  aborted(): number;
  /** Requests whose body read failed, by error code. */
  readonly bodyErrors: string[];
  /** For each response cut or body failed: ms from the request reaching the app to the cut. */
  readonly cutAfterMs: number[];
  /** For each closed connection: ms from its accept to its close. */
  readonly lifetimesMs: number[];
}

const BIG_CHUNK = Buffer.alloc(16 * 1024, 'r');

/**
 * The app node:http's twin serves too: `/hello`, `/echo` (the body streamed back, chunked),
 * `/sha` (the body's sha256, once it is all read), `/big?size=` (`size` bytes in 16 KiB writes,
 * waiting for drain as a good app does).
 */
function floodApp(t: { abortedCount: number; bodyErrors: string[]; cutAfterMs: number[] }): HttpApplication {
  return {
    async handle(ex) {
      const started = Date.now();
      const q = ex.target.indexOf('?');
      const path = q < 0 ? ex.target : ex.target.slice(0, q);
      if (path === '/hello') return ex.end('hello');
      if (path === '/echo' || path === '/sha') {
        const hash = path === '/sha' ? createHash('sha256') : undefined;
        try {
          for (let c = await ex.readBody(); c !== null; c = await ex.readBody()) {
            if (hash !== undefined) hash.update(c);
            else if (!ex.write(c)) await ex.drain();
          }
        } catch (err) {
          t.bodyErrors.push((err as { code?: string }).code ?? String(err));
          t.cutAfterMs.push(Date.now() - started);
          // A cut echo must not end like a whole one: the client would take it for the full body.
          if (ex.headersSent) return ex.abort(err);
          ex.statusCode = (err as { status?: number }).status ?? 500;
          return ex.end();
        }
        return ex.end(hash?.digest('hex'));
      }
      if (path === '/big') {
        const size = Number(new URL(ex.target, 'http://x').searchParams.get('size'));
        ex.aborted.addEventListener('abort', () => {
          t.abortedCount++;
          t.cutAfterMs.push(Date.now() - started);
        });
        ex.responseHeaders.set('content-length', size);
        for (let sent = 0; sent < size && !ex.aborted.aborted; sent += BIG_CHUNK.length) {
          if (!ex.write(BIG_CHUNK)) await ex.drain();
        }
        if (!ex.aborted.aborted) ex.end();
        return;
      }
      ex.statusCode = 404;
      ex.end();
    },
  };
}

/** tiercel on 127.0.0.1:0 with `limits` and its default protocols, a MemoryLogger as its LOGGER. */
export async function startTiercelServer(limits: Partial<HttpLimits>, options: ServerOptions = {}): Promise<TiercelTarget> {
  const logger = new MemoryLogger();
  const server = new Server({ logLevel: 'silent', ...options });
  server.services.register(LOGGER, { useValue: logger });
  const state = { abortedCount: 0, bodyErrors: [] as string[], cutAfterMs: [] as number[] };
  const lifetimesMs: number[] = [];
  let open = 0;
  let peak = 0;
  server.useHttp(floodApp(state), { limits });
  server.listen(`http://${HOST}:0`, (ep) =>
    ep.use((ctx, next) => {
      const accepted = Date.now();
      peak = Math.max(peak, ++open);
      ctx.onClosed(() => {
        open--;
        lifetimesMs.push(Date.now() - accepted);
      });
      return next();
    }),
  );
  await server.start();
  return {
    name: 'tiercel',
    server,
    logger,
    port: (server.endpoints[0] as TcpEndpoint).port,
    openConnections: () => server.stats.active,
    closed: () => server.stats.accepted - server.stats.active,
    peakOpen: () => peak,
    aborted: () => state.abortedCount,
    bodyErrors: state.bodyErrors,
    cutAfterMs: state.cutAfterMs,
    lifetimesMs,
    stop: () => server.stop(500),
  };
}

// ---- the bare node:http server each attack is compared with ---------------------------------

export interface NodeLimits {
  /** node:http's headersTimeout (it needs requestTimeout above it, or 0). */
  readonly headersTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** How often node:http checks the two timeouts above (its default is 30 s). */
  readonly checkingIntervalMs?: number;
  readonly maxConnections?: number;
}

/**
 * node:http serving what the flood tests' tiercel app serves: `/hello`, `/echo` (the body
 * streamed back), `/sha`, `/big?size=` (`size` bytes streamed with backpressure). `aborted` counts the
 * responses cut before they finished.
 */
export interface NodeTarget extends Target {
  /** Responses cut before they finished. */
  aborted(): number;
}

export async function startNodeServer(limits: NodeLimits = {}): Promise<NodeTarget> {
  let aborted = 0;
  const chunk = Buffer.alloc(16 * 1024, 'r');
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.checkingIntervalMs,
    },
    (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      res.on('close', () => {
        if (!res.writableFinished) aborted++;
      });
      if (url.pathname === '/hello') {
        res.end('hello');
      } else if (url.pathname === '/echo') {
        req.pipe(res);
      } else if (url.pathname === '/sha') {
        const hash = createHash('sha256');
        req.on('data', (c: Buffer) => hash.update(c));
        req.on('end', () => res.end(hash.digest('hex')));
      } else if (url.pathname === '/big') {
        const size = Number(url.searchParams.get('size'));
        res.setHeader('content-length', size);
        let sent = 0;
        const pump = (): void => {
          while (sent < size && !res.destroyed) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          if (!res.destroyed) res.end();
        };
        pump();
      } else {
        res.statusCode = 404;
        res.end();
      }
    },
  );
  if (limits.maxConnections !== undefined) server.maxConnections = limits.maxConnections;
  const sockets = new Set<Socket>();
  let closed = 0;
  let peak = 0;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    peak = Math.max(peak, sockets.size);
    s.on('close', () => {
      sockets.delete(s);
      closed++;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return {
    name: 'node:http',
    port: (server.address() as AddressInfo).port,
    openConnections: () => sockets.size,
    closed: () => closed,
    peakOpen: () => peak,
    aborted: () => aborted,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
