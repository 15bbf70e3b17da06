// A real tiercel Server serving HTTPS through `httpsMiddleware` on TCP (127.0.0.1:0) and on the
// in-memory transport at once, with an app that answers what the TLS feature says; and TLS
// clients to talk to it.
import 'reflect-metadata';
import { once } from 'node:events';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { TlsFeature, type TcpEndpoint } from '../../connection/index.js';
import { Server } from '../../hosting/index.js';
import type { HttpApplication } from '../../protocols/index.js';
import { httpsMiddleware, type HttpsMiddleware, type HttpsOptions } from '../../protocols/tls/index.js';
import { MemoryTransport } from '../../transports/index.js';
import { MemoryLogger } from '../pipeline/support.js';
import { parseResponses, type ParsedResponse } from './clients.js';
import { readAll } from './streams.js';

/** What `/tls` answers: the connection's TlsFeature, the client certificate reduced to its CN. */
export interface TlsReport {
  readonly alpnProtocol: string | null;
  readonly tlsVersion: string | null;
  readonly cipher: string | null;
  readonly serverName: string | null;
  readonly clientCN: string | null;
  readonly clientCertificateAuthorized: boolean;
  readonly connectionId: string;
}

export interface TlsHarness {
  readonly server: Server;
  readonly https: HttpsMiddleware;
  readonly logger: MemoryLogger;
  /** The TCP port on 127.0.0.1. */
  readonly port: number;
  /** The in-memory endpoint's name (on `server.getTransport(MemoryTransport)`). */
  readonly memoryName: string;
  /** Requests the app was handed (any path). */
  requests: number;
  /** A raw client connection to the in-memory endpoint (plain bytes: TLS goes over it). */
  connectMemory(): Duplex;
  stop(): Promise<void>;
}

export async function startTlsServer(options: HttpsOptions): Promise<TlsHarness> {
  const logger = new MemoryLogger();
  const mw = httpsMiddleware(options, logger);
  const harness = { requests: 0 } as TlsHarness;
  const app: HttpApplication = {
    handle(ex) {
      harness.requests++;
      const f = ex.connection.features.get(TlsFeature);
      const report: TlsReport | null =
        f === undefined
          ? null
          : {
              alpnProtocol: f.alpnProtocol,
              tlsVersion: f.tlsVersion,
              cipher: f.cipher,
              serverName: f.serverName,
              clientCN: ((f.clientCertificate?.subject as { CN?: string } | undefined)?.CN) ?? null,
              clientCertificateAuthorized: f.clientCertificateAuthorized,
              connectionId: ex.connection.id,
            };
      ex.responseHeaders.set('content-type', 'application/json');
      ex.end(JSON.stringify(report));
    },
  };
  const server = new Server({ logLevel: 'silent' });
  server.useHttp(app);
  const memoryName = `tls-${Math.random().toString(36).slice(2, 8)}`;
  server.listen('http://127.0.0.1:0', (ep) => ep.use(mw.middleware));
  server.listen(`http://memory:${memoryName}`, (ep) => ep.use(mw.middleware));
  await server.start();
  Object.assign(harness, {
    server,
    https: mw,
    logger,
    port: (server.endpoints[0] as TcpEndpoint).port,
    memoryName,
    connectMemory: () => server.getTransport(MemoryTransport).connect(memoryName),
    stop: async () => {
      mw.dispose();
      await server.stop(500);
    },
  });
  return harness;
}

/** Runs `body` against a fresh server for `options`, stopping it after. */
export async function withTlsServer(options: HttpsOptions, body: (h: TlsHarness) => Promise<void>): Promise<void> {
  const h = await startTlsServer(options);
  try {
    await body(h);
  } finally {
    await h.stop();
  }
}

/** Polls `check` (sync or async) until it holds, or fails after `timeoutMs` naming `what`. */
export async function pollUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The reasons of the handshake failures the middleware logged, in order. */
export function handshakeFailures(h: TlsHarness): string[] {
  return h.logger.entries.filter((e) => e.message.startsWith('TLS handshake failed')).map((e) => String(e.fields?.reason));
}

/** A TLS client over TCP or over any Duplex (`socket`); resolves once the handshake is done. */
export function tlsConnect(options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(options);
    socket.once('secureConnect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * Connects, and resolves with the handshake's error, or 'closed' when the connection was made and
 * then closed by the server without a byte of application data (a failure the client learns late,
 * as with TLS 1.3 client-certificate refusals).
 */
export async function tlsFailure(options: tls.ConnectionOptions, path = '/tls'): Promise<Error | 'closed'> {
  let socket: tls.TLSSocket;
  try {
    socket = await tlsConnect(options);
  } catch (err) {
    return err as Error;
  }
  socket.on('error', () => undefined);
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  const text = await readAll(socket);
  if (text !== '') throw new Error(`expected the server to close, got ${JSON.stringify(text.slice(0, 200))}`);
  return 'closed';
}

/** One `GET path` with `Connection: close` on an established TLS socket; the parsed response. */
export async function getOver(socket: tls.TLSSocket, path = '/tls', host = 'x'): Promise<ParsedResponse> {
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  const [response] = parseResponses(await readAll(socket));
  return response;
}

/** A GET with Node's https client (no agent: a new connection); the body and the served certificate. */
export async function httpsGet(url: string, options: https.RequestOptions): Promise<{ status: number; body: string; peer: tls.PeerCertificate }> {
  const req = https.get(url, { agent: false, ...options });
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  const peer = (res.socket as tls.TLSSocket).getPeerCertificate();
  let body = '';
  for await (const chunk of res) body += chunk;
  return { status: res.statusCode ?? 0, body, peer };
}
