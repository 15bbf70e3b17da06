// Real servers for the observability tests: tiercel on TCP (loopback, port 0) with an app, and
// raw-socket exchanges so a test controls keep-alive and bad bytes exactly.
import 'reflect-metadata';
import type { ClientHttp2Session } from 'node:http2';
import { connect, type Socket } from 'node:net';
import type { TcpEndpoint } from '../../connection/index.js';
import { Server } from '../../hosting/index.js';
import type { HttpOptions } from '../../protocols/http/index.js';
import type { ApplicationBuilder } from '../../pipeline/index.js';
import type { ServerOptions } from '../../di/index.js';

export interface Running {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

export async function startTcp(app: ApplicationBuilder, options: ServerOptions = {}, http?: HttpOptions): Promise<Running> {
  const server = new Server({ logLevel: 'silent', ...options });
  server.useHttp(app, http);
  server.listen('http://127.0.0.1:0');
  await server.start();
  const port = (server.endpoints[0] as TcpEndpoint).port;
  return { server, port, url: `http://127.0.0.1:${port}`, stop: () => server.stop(2_000) };
}

/** Sends `bytes` on a new connection and resolves with everything read until the server closes it. */
export function exchange(port: number, bytes: string | Buffer, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; read: ${Buffer.concat(chunks).toString('latin1')}`));
    }, timeoutMs);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.write(bytes);
  });
}

/** Waits until `check` holds (events published when a socket closes come a turn later). */
export async function until(what: string, check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** One HTTP/2 GET on `session`, its body read to the end. */
export function http2Get(session: ClientHttp2Session, path = '/'): Promise<void> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    stream.on('error', reject);
    stream.resume();
    stream.on('end', resolve);
  });
}
