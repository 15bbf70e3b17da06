// A real tiercel Server on 127.0.0.1:0 with the forwarded-headers middleware in its pipeline,
// answering what the app believes about the request: client address, immediate peer, scheme and
// host. Used by the middleware tests (raw sockets) and the nginx test.
import 'reflect-metadata';
import { formatEndpoint, type TcpEndpoint } from '../../connection/index.js';
import { Server } from '../../hosting/index.js';
import { forwardedHeaders, type ForwardedHeadersOptions } from '../../middleware/index.js';
import { ApplicationBuilder } from '../../pipeline/index.js';
import { parseResponses } from './clients.js';
import { connectAndSend, readUntilClosed } from './proxy-headers.js';

/** What `/whoami` answers. */
export interface Believed {
  readonly remote: string;
  readonly peer: string;
  /** What the connection itself says, whatever a middleware set for the request. */
  readonly socket: string;
  readonly scheme: string;
  readonly host: string | null;
}

export interface ForwardedServer {
  readonly port: number;
  stop(): Promise<void>;
}

export async function startForwardedServer(options?: ForwardedHeadersOptions): Promise<ForwardedServer> {
  const app = new ApplicationBuilder().use(forwardedHeaders(options)).run((ctx) => {
    const body: Believed = {
      remote: formatEndpoint(ctx.connection.remoteEndpoint),
      peer: formatEndpoint(ctx.connection.peerEndpoint),
      socket: formatEndpoint(ctx.exchange.connection.remoteEndpoint),
      scheme: ctx.request.scheme,
      host: ctx.request.host ?? null,
    };
    return ctx.response.json(body);
  });
  const server = new Server({ logLevel: 'silent' });
  server.useHttp(app);
  server.listen('http://127.0.0.1:0');
  await server.start();
  return { port: (server.endpoints[0] as TcpEndpoint).port, stop: () => server.stop(500) };
}

/**
 * Sends one raw `GET /whoami` with `headers` (lines without CRLF) from `localAddress` and returns
 * the status and what the app believed.
 */
export async function rawWhoami(port: number, headers: readonly string[], localAddress = '127.0.0.1'): Promise<{ status: number; believed: Believed }> {
  const head = ['GET /whoami HTTP/1.1', 'Host: origin.test', ...headers, 'Connection: close', '', ''].join('\r\n');
  const socket = await connectAndSend(port, Buffer.from(head, 'latin1'), localAddress);
  const { data } = await readUntilClosed(socket);
  const [response] = parseResponses(data.toString('latin1'));
  return { status: response.status, believed: JSON.parse(response.body) as Believed };
}
