// A real tiercel Server on 127.0.0.1:0 (and optionally a unix socket) serving a small raw
// HttpApplication, with what the app saw recorded for assertions. Used by the real-client tests.
import 'reflect-metadata';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TcpEndpoint } from '../../connection/index.js';
import { Server, type EndpointBuilder } from '../../hosting/index.js';
import type { HttpApplication, HttpExchange, HttpLimits } from '../../protocols/index.js';
import { delay } from './streams.js';

// ---- the app under test --------------------------------------------------------------------

/** What the app saw, for assertions on the server side of each exchange. */
export interface Seen {
  /** `METHOD target` of every request the app was handed, in order. */
  readonly requests: string[];
  /** The `code` (or name) of every error a body read rejected with. */
  readonly bodyErrors: string[];
  /** Body bytes the app has read so far, over all requests. */
  bodyBytes: number;
  /** `expect` request header values the app saw. */
  readonly expects: string[];
}

async function readWholeBody(ex: HttpExchange, seen: Seen): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let chunk = await ex.readBody(); chunk !== null; chunk = await ex.readBody()) {
    seen.bodyBytes += chunk.length;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** A deterministic body for `/stream`: chunk i is `size` copies of one letter. */
export function streamBody(n: number, size: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String.fromCharCode(97 + (i % 26)).repeat(size);
  return out;
}

/**
 * The raw HttpApplication every test talks to:
 * - `/hello` → `hello`; `/conn` → the server-side connection id (to see socket reuse)
 * - `/echo` → the request body streamed back as it arrives (chunked)
 * - `/sha` → `<sha256 hex> <length> <method>` of the request body
 * - `/idx/<i>` → `<i>:<method>:<body length>:<body>`, with an optional `?delay=ms` before it
 * - `/stream?n=&size=` → n chunks written one by one (chunked), see `streamBody`
 * - `/no-read` → 403 without reading the body
 */
function makeApp(seen: Seen): HttpApplication {
  return {
    async handle(ex) {
      seen.requests.push(`${ex.method} ${ex.target}`);
      const expect = ex.headers.get('expect');
      if (expect !== undefined) seen.expects.push(expect);
      const url = new URL(ex.target, 'http://x');
      try {
        switch (url.pathname) {
          case '/hello':
            ex.responseHeaders.set('content-type', 'text/plain');
            ex.end('hello');
            return;
          case '/conn':
            ex.end(ex.connection.id);
            return;
          case '/echo': {
            ex.responseHeaders.set('content-type', 'application/octet-stream');
            for (let chunk = await ex.readBody(); chunk !== null; chunk = await ex.readBody()) {
              seen.bodyBytes += chunk.length;
              if (!ex.write(chunk)) await ex.drain();
            }
            ex.end();
            return;
          }
          case '/sha': {
            const body = await readWholeBody(ex, seen);
            ex.end(`${createHash('sha256').update(body).digest('hex')} ${body.length} ${ex.method}`);
            return;
          }
          case '/stream': {
            const n = Number(url.searchParams.get('n') ?? 10);
            const size = Number(url.searchParams.get('size') ?? 100);
            for (let i = 0; i < n; i++) {
              if (!ex.write(String.fromCharCode(97 + (i % 26)).repeat(size))) await ex.drain();
            }
            ex.end();
            return;
          }
          case '/no-read':
            ex.statusCode = 403;
            ex.end('no');
            return;
          default: {
            const m = /^\/idx\/(\d+)$/.exec(url.pathname);
            if (m === null) {
              ex.statusCode = 404;
              ex.end();
              return;
            }
            const ms = Number(url.searchParams.get('delay') ?? 0);
            if (ms > 0) await delay(ms);
            const body = (await readWholeBody(ex, seen)).toString('latin1');
            ex.end(`${m[1]}:${ex.method}:${body.length}:${body}`);
          }
        }
      } catch (err) {
        const e = err as { code?: string; name?: string; status?: number };
        seen.bodyErrors.push(e.code ?? e.name ?? String(err));
        if (!ex.headersSent) {
          ex.statusCode = e.status ?? 500;
          ex.end();
        }
      }
    },
  };
}

// ---- server harness ------------------------------------------------------------------------

export interface Harness {
  readonly server: Server;
  readonly seen: Seen;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly tcp: TcpEndpoint;
  /** The unix socket path, when started with `unix: true`. */
  readonly socketPath: string | undefined;
  /** Socket reads ('data' events) the server's transports delivered, over all connections. */
  reads: number;
  stop(): Promise<void>;
}

let tempDir: string | undefined;
export function scratch(): string {
  return (tempDir ??= mkdtempSync(join(tmpdir(), 'tiercel-clients-')));
}

export async function startServer(options: { unix?: boolean; limits?: Partial<HttpLimits> } = {}): Promise<Harness> {
  const seen: Seen = { requests: [], bodyErrors: [], bodyBytes: 0, expects: [] };
  const server = new Server({ logLevel: 'silent' });
  server.useHttp(makeApp(seen), { limits: options.limits });
  const harness = { reads: 0 } as Harness;
  // Counts what the transport delivers, after HTTP has attached its own listener.
  const countReads = (ep: EndpointBuilder): void => {
    ep.use(async (ctx, next) => {
      const done = next();
      ctx.transport.on('data', () => {
        harness.reads++;
      });
      await done;
    });
  };
  server.listen('http://127.0.0.1:0', countReads);
  const socketPath = options.unix ? join(scratch(), `s${process.pid}-${Math.random().toString(36).slice(2, 8)}.sock`) : undefined;
  if (socketPath !== undefined) server.listen(`http://unix:${socketPath}`, countReads);
  await server.start();
  const tcp = server.endpoints[0] as TcpEndpoint;
  Object.assign(harness, {
    server,
    seen,
    origin: `http://127.0.0.1:${tcp.port}`,
    tcp,
    socketPath,
    stop: async () => {
      await server.stop(500);
      if (socketPath !== undefined) rmSync(socketPath, { force: true });
    },
  });
  return harness;
}

/** Polls `check` until it holds (or fails after `timeoutMs` with `what`). */
export async function eventually(what: string, check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await delay(5);
  }
}

/** A 1 MiB random file (made once), with its sha256. */
let bigFile: { path: string; data: Buffer; sha: string } | undefined;
export function randomFile(): { path: string; data: Buffer; sha: string } {
  if (bigFile === undefined) {
    const data = randomBytes(1024 * 1024 + 123);
    const path = join(scratch(), 'upload.bin');
    writeFileSync(path, data);
    bigFile = { path, data, sha: createHash('sha256').update(data).digest('hex') };
  }
  return bigFile;
}

/** Resolves true once the server half-closes the socket ('end'), false if it has not after `ms`. */
export function serverEnds(socket: Socket, ms = 3_000): Promise<boolean> {
  if (socket.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('end', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Removes the scratch folder (sockets, upload files); call once, after the last test. */
export function removeScratch(): void {
  if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
  tempDir = undefined;
  bigFile = undefined;
}
