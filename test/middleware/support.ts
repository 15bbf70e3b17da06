// Both protocols for the middleware tests: each app is served by a TestServer (HTTP/1.1 over the
// in-memory transport) and by a real TCP server that a node:http2 client talks h2c to (prior
// knowledge), and each test runs once per protocol through the same small client shape.
import 'reflect-metadata';
import http2 from 'node:http2';
import { Server, TestServer } from '../../hosting/index.js';
import type { ApplicationBuilder } from '../../pipeline/index.js';

export interface Reply {
  readonly status: number;
  /** Lower-case names; repeated fields joined with ', ' (set-cookie: see `cookies`). */
  readonly headers: Readonly<Record<string, string>>;
  /** Each set-cookie field, as sent. */
  readonly cookies: readonly string[];
  readonly body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

export interface Call {
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: string;
}

export interface Client {
  readonly protocol: 'HTTP/1.1' | 'HTTP/2';
  request(path: string, call?: Call): Promise<Reply>;
}

function reply(status: number, headers: Record<string, string>, cookies: readonly string[], body: Buffer): Reply {
  return { status, headers, cookies, body, text: () => body.toString('utf8'), json: <T>() => JSON.parse(body.toString('utf8')) as T };
}

/** Runs `fn` over HTTP/1.1 (TestServer), then over HTTP/2 (h2c on a TCP port), each with a fresh server for `build()`. */
export async function overBoth(build: () => ApplicationBuilder, fn: (client: Client) => Promise<void>): Promise<void> {
  const ts = await TestServer.start(build(), { server: { logLevel: 'silent' } });
  try {
    await fn({
      protocol: 'HTTP/1.1',
      request: async (path, call = {}) => {
        const res = await ts.request({ path, method: call.method, headers: call.headers, body: call.body });
        const cookies: string[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) if (res.rawHeaders[i].toLowerCase() === 'set-cookie') cookies.push(res.rawHeaders[i + 1]);
        return reply(res.status, { ...res.headers }, cookies, res.body);
      },
    });
  } finally {
    await ts.stop();
  }
  await withH2(build(), (client) => fn(client));
}

/** A real TCP server for `app` and an h2c session to it. */
export async function withH2(app: ApplicationBuilder, fn: (client: Client, port: number) => Promise<void>): Promise<void> {
  const server = new Server({ logLevel: 'silent' });
  server.useHttp(app);
  server.listen('http://127.0.0.1:0');
  await server.start();
  const port = (server.endpoints[0] as { port: number }).port;
  const session = http2.connect(`http://127.0.0.1:${port}`);
  try {
    await fn({ protocol: 'HTTP/2', request: (path, call = {}) => h2Request(session, path, call) }, port);
  } finally {
    session.close();
    await server.stop(500);
  }
}

function h2Request(session: http2.ClientHttp2Session, path: string, call: Call): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':method': call.method ?? 'GET', ':path': path, ...call.headers }, { endStream: call.body === undefined });
    const chunks: Buffer[] = [];
    let status = 0;
    const headers: Record<string, string> = {};
    let cookies: string[] = [];
    req.on('response', (h) => {
      status = Number(h[':status']);
      for (const [name, value] of Object.entries(h)) {
        if (name.startsWith(':') || value === undefined) continue;
        if (name === 'set-cookie') cookies = value as string[];
        headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
      }
    });
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => resolve(reply(status, headers, cookies, Buffer.concat(chunks))));
    req.on('error', reject);
    if (call.body !== undefined) req.end(call.body);
  });
}
