// A real tiercel Server on TCP, a unix socket and the in-memory transport at once, and ws clients
// for each: the WebSocket tests run the same cases over every transport.
import 'reflect-metadata';
import { rmSync } from 'node:fs';
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { WebSocket, type ClientOptions, type RawData } from 'ws';
import type { TcpEndpoint } from '../../connection/index.js';
import { Server } from '../../hosting/index.js';
import type { ApplicationBuilder } from '../../pipeline/index.js';
import type { HttpOptions } from '../../protocols/http/index.js';
import { MemoryTransport } from '../../transports/index.js';
import { scratch } from '../support/real-server.js';

export type TransportName = 'tcp' | 'unix' | 'memory';
export const TRANSPORTS: readonly TransportName[] = ['tcp', 'unix', 'memory'];

export interface WsHarness {
  readonly server: Server;
  readonly port: number;
  /** A ws client for `path` over the given transport. */
  client(transport: TransportName, path: string, protocols?: string | string[], options?: ClientOptions): WebSocket;
  /** Sends raw bytes over the memory transport; resolves with all the server sent before closing. */
  raw(request: string): Promise<string>;
  stop(timeoutMs?: number): Promise<void>;
}

let names = 0;

export async function startWs(app: ApplicationBuilder, http?: HttpOptions): Promise<WsHarness> {
  const server = new Server({ logLevel: 'silent' });
  server.useHttp(app, http);
  const memoryName = `ws${++names}`;
  const socketPath = join(scratch(), `ws${process.pid}-${names}.sock`);
  server.listen('http://127.0.0.1:0');
  server.listen(`http://unix:${socketPath}`);
  server.listen(`http://memory:${memoryName}`);
  await server.start();
  const port = (server.endpoints[0] as TcpEndpoint).port;
  const memory = server.getTransport(MemoryTransport);
  return {
    server,
    port,
    client(transport, path, protocols, options = {}) {
      switch (transport) {
        case 'tcp':
          return new WebSocket(`ws://127.0.0.1:${port}${path}`, protocols, options);
        case 'unix':
          return new WebSocket(`ws+unix://${socketPath}:${path}`, protocols, options);
        case 'memory':
          return new WebSocket(`ws://tiercel.test${path}`, protocols, {
            ...options,
            createConnection: (() => memory.connect(memoryName)) as never,
          });
      }
    },
    raw(request) {
      return new Promise((resolve, reject) => {
        const socket = memory.connect(memoryName);
        const chunks: Buffer[] = [];
        socket.on('data', (c: Buffer) => chunks.push(c));
        socket.on('error', reject);
        socket.on('end', () => socket.end());
        socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
        socket.write(request);
      });
    },
    async stop(timeoutMs = 1_000) {
      await server.stop(timeoutMs);
      rmSync(socketPath, { force: true });
    },
  };
}

/** Resolves when the socket is open; rejects with the handshake's failure (see `refusal`). */
export function opened(ws: WebSocket): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

export interface Refusal {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** The HTTP response that refused the handshake (rejects if the socket opened instead). */
export function refusal(ws: WebSocket): Promise<Refusal> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => reject(new Error('the WebSocket opened; a refusal was expected')));
    ws.once('error', () => undefined);
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
  });
}

export interface Message {
  readonly data: Buffer;
  readonly isBinary: boolean;
}

export function nextMessage(ws: WebSocket, timeoutMs = 3_000): Promise<Message> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message in time')), timeoutMs);
    ws.once('message', (data: RawData, isBinary: boolean) => {
      clearTimeout(timer);
      resolve({ data: data as Buffer, isBinary });
    });
  });
}

export interface Closed {
  readonly code: number;
  readonly reason: string;
  readonly afterMs: number;
}

export function closed(ws: WebSocket, timeoutMs = 5_000): Promise<Closed> {
  const start = Date.now();
  if (ws.readyState === WebSocket.CLOSED) return Promise.reject(new Error('already closed'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the socket did not close in time')), timeoutMs);
    ws.once('close', (code: number, reason: Buffer) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString(), afterMs: Date.now() - start });
    });
  });
}

/** An HTTP/2 client session to the harness, once the server has said it takes extended CONNECT (RFC 8441). */
export async function h2Session(h: WsHarness): Promise<ClientHttp2Session> {
  const s = http2.connect(`http://127.0.0.1:${h.port}`);
  s.on('error', () => undefined);
  await new Promise<void>((resolve) => (s.remoteSettings.enableConnectProtocol ? resolve() : s.once('remoteSettings', () => resolve())));
  if (s.remoteSettings.enableConnectProtocol !== true) throw new Error('the server did not enable extended CONNECT');
  return s;
}

/** An extended CONNECT for a WebSocket on `path`; resolves with the response head and the stream. */
export function h2ConnectWs(
  s: ClientHttp2Session,
  path: string,
  extra: Record<string, string> = {},
): Promise<{ headers: IncomingHttpHeaders; stream: ClientHttp2Stream }> {
  const stream = s.request({
    ':method': 'CONNECT',
    ':protocol': 'websocket',
    ':scheme': 'http',
    ':path': path,
    ':authority': 'tiercel.test',
    'sec-websocket-version': '13',
    ...extra,
  });
  return new Promise((resolve, reject) => {
    stream.once('response', (headers) => resolve({ headers, stream }));
    stream.once('error', reject);
  });
}
