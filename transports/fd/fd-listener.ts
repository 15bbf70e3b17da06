import type { Server, Socket } from 'node:net';
import { formatEndpoint, type Endpoint, type RemoteEndpointReader, type FdEndpoint, type PipeEndpoint } from '../../connection/index.js';
import { SocketListener, TcpLocalEndpoints, tcpEndpointsOf } from '../socket-listener.js';
import type { FdTransportOptions } from './fd-options.js';

/** The peer of a unix socket has no address of its own. */
const UNNAMED_PEER: PipeEndpoint = { kind: 'pipe', path: '' };

/**
 * Inherited listening sockets served as one endpoint: one descriptor (`fd:3`), or every
 * descriptor of a name (`fd:web`, which systemd gives each `ListenStream=` of a socket unit, an
 * IPv4 and an IPv6 one, say). TCP and unix sockets alike: a TCP connection carries tcp
 * endpoints, as the TCP transport's do; a unix one the unnamed pipe peer and, as its local
 * endpoint, the descriptor (`fd:4`), since node:net cannot tell the path of a socket it did not bind.
 */
export class FdListener extends SocketListener {
  readonly #endpoint: FdEndpoint;
  /** The local endpoint of each unix socket served, `fd:N`: neither it nor its connections know its path. */
  readonly #unixSockets = new Map<Server, FdEndpoint>();
  readonly #locals = new TcpLocalEndpoints();

  private constructor(endpoint: FdEndpoint, options: Required<FdTransportOptions>) {
    super({ noDelay: options.noDelay, highWaterMark: Math.min(options.maxReadBufferSize, options.maxWriteBufferSize) });
    this.#endpoint = endpoint;
  }

  /** Serves each of `fds`; on failure the ones already taken over are closed. */
  static open(endpoint: FdEndpoint, fds: readonly number[], options: Required<FdTransportOptions>): Promise<FdListener> {
    const listener = new FdListener(endpoint, options);
    return listener.bindOrDispose(async () => {
      for (const fd of fds) {
        const server = await listener.listen({ fd, backlog: options.backlog }, `${formatEndpoint(endpoint)} (descriptor ${fd})`);
        // A TCP socket's address is an object; node:net knows no path for a unix socket it did not bind.
        const address = server.address();
        if (typeof address !== 'object' || address === null) listener.#unixSockets.set(server, { kind: 'fd', fd, name: endpoint.name });
      }
    });
  }

  get endpoint(): FdEndpoint {
    return this.#endpoint;
  }

  protected get transportName(): string {
    return 'fd';
  }

  protected endpointsOf(socket: Socket, server: Server): { local: Endpoint; remote: Endpoint | RemoteEndpointReader } {
    const unix = this.#unixSockets.get(server);
    return unix === undefined ? tcpEndpointsOf(socket, server, this.#locals) : { local: unix, remote: UNNAMED_PEER };
  }
}
