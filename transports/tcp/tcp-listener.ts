import type { Server, Socket } from 'node:net';
import { formatEndpoint, type Endpoint, type RemoteEndpointReader, type TcpEndpoint } from '../../connection/index.js';
import { SocketListener, TcpLocalEndpoints, errorCode, tcpEndpointsOf } from '../socket-listener.js';
import type { TcpTransportOptions } from './tcp-options.js';

/** Codes a bind to an IPv6 address gets on a machine (or container) without IPv6. */
const NO_IPV6 = new Set(['EAFNOSUPPORT', 'EADDRNOTAVAIL', 'EPROTONOSUPPORT']);

/**
 * With `localhost:0`, the port the OS picks for 127.0.0.1 may be taken on ::1; the bind starts
 * again with a new port this many times before it gives up.
 */
const LOCALHOST_ATTEMPTS = 5;

/** A bound TCP endpoint: one server, or two for `localhost` (127.0.0.1 and ::1 on one port). */
export class TcpListener extends SocketListener {
  #endpoint: TcpEndpoint;
  readonly #locals = new TcpLocalEndpoints();

  private constructor(requested: TcpEndpoint, options: Required<TcpTransportOptions>) {
    super({ noDelay: options.noDelay, highWaterMark: Math.min(options.maxReadBufferSize, options.maxWriteBufferSize) });
    this.#endpoint = requested;
  }

  /** Binds `endpoint`; on failure nothing stays bound. */
  static open(endpoint: TcpEndpoint, options: Required<TcpTransportOptions>): Promise<TcpListener> {
    const listener = new TcpListener(endpoint, options);
    return listener.bindOrDispose(async () => {
      const port = await listener.#bind(endpoint, options.backlog);
      listener.#endpoint = { kind: 'tcp', host: endpoint.host, port };
    });
  }

  get endpoint(): TcpEndpoint {
    return this.#endpoint;
  }

  protected get transportName(): string {
    return 'tcp';
  }

  protected endpointsOf(socket: Socket, server: Server): { local: Endpoint; remote: Endpoint | RemoteEndpointReader } {
    return tcpEndpointsOf(socket, server, this.#locals);
  }

  /** Binds every address the endpoint stands for; resolves with the port bound. */
  async #bind(endpoint: TcpEndpoint, backlog: number): Promise<number> {
    const described = formatEndpoint(endpoint);
    const at = (host: string, port: number, ipv6Only?: boolean) =>
      this.listen({ host, port, backlog, ipv6Only }, described);

    if (endpoint.host === '*') {
      try {
        // One dual-stack socket serves IPv4 (as ::ffff:a.b.c.d) and IPv6, as Kestrel's ListenAnyIP.
        return portOf(await at('::', endpoint.port, false));
      } catch (err) {
        if (!NO_IPV6.has(errorCode(err) ?? '')) throw err;
        return portOf(await at('0.0.0.0', endpoint.port));
      }
    }
    if (endpoint.host !== 'localhost') return portOf(await at(endpoint.host, endpoint.port));

    for (let attempt = 1; ; attempt++) {
      const v4 = await at('127.0.0.1', endpoint.port);
      const port = portOf(v4);
      try {
        await at('::1', port);
        return port;
      } catch (err) {
        const code = errorCode(err);
        if (NO_IPV6.has(code ?? '')) return port;
        if (code !== 'EADDRINUSE' || endpoint.port !== 0 || attempt === LOCALHOST_ATTEMPTS) throw err;
        await this.closeServer(v4);
      }
    }
  }
}

function portOf(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}
