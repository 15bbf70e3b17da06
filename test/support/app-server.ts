// Helpers for the request-middleware tests: an ApplicationBuilder on a real TCP server (HTTP/1.1
// and, by the preface, h2c), and raw bytes over TestServer's in-memory transport (no client to
// normalise the request line).
import 'reflect-metadata';
import type { TcpEndpoint } from '../../connection/index.js';
import { Server, type TestServer } from '../../hosting/index.js';
import type { ApplicationBuilder } from '../../pipeline/index.js';

/** Serves `app` on 127.0.0.1:0 while `fn` runs with the port; stops the server after. */
export async function withAppServer(app: ApplicationBuilder, fn: (port: number) => Promise<void>): Promise<void> {
  const server = new Server({ logLevel: 'silent' });
  server.useHttp(app);
  server.listen('http://127.0.0.1:0');
  await server.start();
  try {
    await fn((server.endpoints[0] as TcpEndpoint).port);
  } finally {
    await server.stop(1_000);
  }
}

/** Writes `head` as is on a fresh in-memory connection and returns everything read until the server ends it (latin1). */
export async function rawExchange(ts: TestServer, head: string): Promise<string> {
  const socket = ts.connect();
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  const ended = new Promise<void>((resolve) => socket.on('end', () => resolve()));
  socket.write(head);
  await ended;
  socket.destroy();
  return Buffer.concat(chunks).toString('latin1');
}
