// A tiercel Server serving a small raw HttpApplication over HTTP/2 (and HTTP/1.1), on the
// in-memory transport and on TCP 127.0.0.1:0, plus a promise-based node:http2 client.
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import http2, { type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Logger, TcpEndpoint } from '../../../connection/index.js';
import { LOGGER } from '../../../di/index.js';
import { Server } from '../../../hosting/index.js';
import type { HttpApplication, HttpExchange, HttpOptions, HttpProtocols } from '../../../protocols/index.js';
import { Http2Exchange, HttpExtendedConnectFeature, HttpResponseTrailersFeature, nodeServerOptions, resolveHttp2Limits, resolveHttpLimits } from '../../../protocols/index.js';
import { MemoryTransport } from '../../../transports/index.js';
import { delay } from '../../support/streams.js';
import type { FloodKind, FloodResult } from './flooder.js';

/** What the app saw. */
export interface Seen {
  readonly requests: string[];
  readonly protocols: string[];
  /** `code` of every body-read rejection. */
  readonly bodyErrors: string[];
  /** Paths whose exchange's `aborted` signal fired. */
  readonly aborted: string[];
  /** Request trailers seen by `/trailers`. */
  readonly requestTrailers: Record<string, string>[];
  hosts: (string | undefined)[];
}

async function readAll(ex: HttpExchange): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let c = await ex.readBody(); c !== null; c = await ex.readBody()) chunks.push(c);
  return Buffer.concat(chunks);
}

/**
 * - `/hello` → `hello` · `/proto` → `exchange.protocol` · `/host` → the host header
 * - `/echo` → the body streamed back · `/sha` → `<sha256> <length>` of the body
 * - `/stream?n=&size=` → n chunks written one by one · `/status/<n>` → that status, body `x`
 * - `/trailers` → reads the body, answers `got <n>` with trailers `x-sha` and `x-count`
 * - `/hang` → never answers until the stream is aborted · `/slow?ms=` → `slow` after ms
 * - `/connect` (extended CONNECT) → `upgrade()` and echo on the tunnel
 */
export function makeApp(seen: Seen): HttpApplication {
  return {
    async handle(ex) {
      const url = new URL(ex.target, 'http://x');
      seen.requests.push(`${ex.method} ${url.pathname}`);
      seen.protocols.push(ex.protocol);
      ex.aborted.addEventListener('abort', () => seen.aborted.push(url.pathname));
      try {
        const connect = ex.feature(HttpExtendedConnectFeature);
        if (connect !== undefined && ex.method === 'CONNECT') {
          const { transport } = connect.accept();
          transport.on('data', (d: Buffer) => transport.write(d));
          transport.on('end', () => transport.end());
          return;
        }
        switch (url.pathname) {
          case '/hello':
            ex.responseHeaders.set('content-type', 'text/plain');
            return ex.end('hello');
          case '/proto':
            return ex.end(ex.protocol);
          case '/bad-length': {
            const v = url.searchParams.get('v') ?? '';
            ex.responseHeaders.set('content-length', v);
            if (url.searchParams.has('twice')) ex.responseHeaders.append('content-length', v);
            try {
              return ex.end('ok');
            } catch {
              ex.responseHeaders.delete('content-length');
              ex.statusCode = 500;
              return ex.end();
            }
          }
          case '/host':
            seen.hosts.push(ex.headers.get('host'));
            return ex.end(ex.headers.get('host') ?? '-');
          case '/echo':
            for (let c = await ex.readBody(); c !== null; c = await ex.readBody()) if (!ex.write(c)) await ex.drain();
            return ex.end();
          case '/sha': {
            const body = await readAll(ex);
            return ex.end(`${createHash('sha256').update(body).digest('hex')} ${body.length}`);
          }
          case '/stream': {
            const n = Number(url.searchParams.get('n') ?? 10);
            const size = Number(url.searchParams.get('size') ?? 100);
            for (let i = 0; i < n; i++) if (!ex.write(String.fromCharCode(97 + (i % 26)).repeat(size))) await ex.drain();
            return ex.end();
          }
          case '/trailers': {
            const body = await readAll(ex);
            if (ex instanceof Http2Exchange && ex.requestTrailers !== null) seen.requestTrailers.push(ex.requestTrailers.toObject());
            ex.write(`got ${body.length}`);
            ex.feature(HttpResponseTrailersFeature)!.responseTrailers.set('x-sha', createHash('sha256').update(body).digest('hex')).set('x-count', '1');
            return ex.end();
          }
          case '/hang':
            await new Promise((r) => ex.aborted.addEventListener('abort', r));
            return;
          case '/slow':
            await delay(Number(url.searchParams.get('ms') ?? 100));
            return ex.end('slow');
          default: {
            const m = /^\/status\/(\d+)$/.exec(url.pathname);
            ex.statusCode = m === null ? 404 : Number(m[1]);
            return ex.end('x');
          }
        }
      } catch (err) {
        const e = err as { code?: string; status?: number };
        seen.bodyErrors.push(e.code ?? String(err));
        if (!ex.headersSent) {
          ex.statusCode = e.status ?? 500;
          ex.end();
        }
      }
    },
  };
}

export interface H2Harness {
  readonly server: Server;
  readonly seen: Seen;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  /** A node:http2 session over the in-memory transport. */
  connectMemory(): ClientHttp2Session;
  /** A node:http2 session over TCP. */
  connectTcp(): ClientHttp2Session;
  stop(timeoutMs?: number): Promise<void>;
}

let counter = 0;

export async function startH2(
  options: { http?: HttpOptions; protocols?: HttpProtocols; app?: HttpApplication | { build(): HttpApplication }; logger?: Logger } = {},
): Promise<H2Harness> {
  const seen: Seen = { requests: [], protocols: [], bodyErrors: [], aborted: [], requestTrailers: [], hosts: [] };
  const server = new Server({ logLevel: 'silent' });
  if (options.logger !== undefined) server.services.register(LOGGER, { useValue: options.logger });
  server.useHttp(options.app ?? makeApp(seen), options.http);
  const name = `h2-${process.pid}-${++counter}`;
  server.listen(`http://memory:${name}`, (ep) => options.protocols && ep.useProtocols(options.protocols));
  server.listen('http://127.0.0.1:0', (ep) => options.protocols && ep.useProtocols(options.protocols));
  await server.start();
  const port = (server.endpoints[1] as TcpEndpoint).port;
  const origin = `http://127.0.0.1:${port}`;
  const memory = server.getTransport(MemoryTransport);
  const sessions: ClientHttp2Session[] = [];
  const track = (s: ClientHttp2Session): ClientHttp2Session => {
    sessions.push(s);
    s.on('error', () => {});
    return s;
  };
  return {
    server,
    seen,
    origin,
    port,
    connectMemory: () => track(http2.connect('http://tiercel.test', { createConnection: () => memory.connect(name) })),
    connectTcp: () => track(http2.connect(origin)),
    async stop(timeoutMs = 2_000) {
      for (const s of sessions) if (!s.destroyed) s.destroy();
      await server.stop(timeoutMs);
    },
  };
}

/** Runs `fn` against a fresh server and always stops it. */
export async function withServer(fn: (h: H2Harness) => Promise<void>, options: Parameters<typeof startH2>[0] = {}): Promise<void> {
  const h = await startH2(options);
  try {
    await fn(h);
  } finally {
    await h.stop();
  }
}

export interface H2Response {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly trailers: IncomingHttpHeaders | undefined;
}

/** One request on `session`; `body` is sent whole (or streamed with `trailers` after it). */
export function request(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  body?: Buffer | string,
  sendTrailers?: OutgoingHttpHeaders,
): Promise<H2Response> {
  return new Promise((resolve, reject) => {
    const req = session.request(headers, { endStream: body === undefined && sendTrailers === undefined, waitForTrailers: sendTrailers !== undefined });
    if (sendTrailers !== undefined) req.on('wantTrailers', () => req.sendTrailers(sendTrailers));
    let status = 0;
    let got: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    req.on('response', (h) => {
      got = h;
      status = Number(h[':status']);
    });
    req.on('trailers', (t) => {
      trailers = t;
    });
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => resolve({ status, headers: got, body: Buffer.concat(chunks), trailers }));
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else if (sendTrailers !== undefined) req.end();
  });
}

export const get = (session: ClientHttp2Session, path: string, extra: OutgoingHttpHeaders = {}): Promise<H2Response> =>
  request(session, { ':path': path, ...extra });

/** A bare node:http2 server, the one an attack on tiercel is compared with. */
export interface BareH2 {
  readonly port: number;
  /** Sessions node:http2 ended with an error (its 'sessionError'), and what it said. */
  readonly sessionErrors: string[];
  /** Streams the server saw (its 'stream' events). */
  readonly streams: number;
  /** Sessions still open. */
  openSessions(): number;
  stop(): Promise<void>;
}

/**
 * node:http2 with the SETTINGS tiercel's engine gives nghttp2 for `http` (the same concurrency,
 * windows and header list size), serving `/hang` → nothing, ever; `/slow…` → `hello` after 200 ms; anything else → `hello`.
 */
export async function startBareH2(http: HttpOptions = {}): Promise<BareH2> {
  const server = http2.createServer(nodeServerOptions(resolveHttpLimits(http.limits), resolveHttp2Limits(http.http2)));
  const sessions = new Set<ServerHttp2Session>();
  const sessionErrors: string[] = [];
  let streams = 0;
  server.on('session', (s: ServerHttp2Session) => {
    sessions.add(s);
    s.once('close', () => sessions.delete(s));
  });
  server.on('sessionError', (err: Error & { code?: string }) => sessionErrors.push(`${err.code}: ${err.message}`));
  server.on('stream', (stream, headers) => {
    streams++;
    // Attacks make streams fail; an 'error' without a listener would end the test process.
    stream.on('error', () => undefined);
    const path = headers[':path'];
    if (path === '/hang') return;
    const answer = (): void => {
      if (stream.destroyed) return;
      stream.respond({ ':status': 200 });
      stream.end('hello');
    };
    if (path?.startsWith('/slow') === true) setTimeout(answer, 200);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    sessionErrors,
    get streams() {
      return streams;
    },
    openSessions: () => sessions.size,
    async stop() {
      for (const s of sessions) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const FLOODER = fileURLToPath(new URL('./flooder.js', import.meta.url));

/** Runs flooder.ts in its own process against `port` for at most `ms` (see there), and resolves with what it saw. */
export function floodFrom(port: number, kind: FloodKind, ms = 6_000): Promise<FloodResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [FLOODER, String(port), kind, String(ms)], { timeout: ms + 9_000 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`the flooder failed: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as FloodResult);
    });
  });
}
