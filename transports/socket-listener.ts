import { createServer, type ListenOptions, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  AddressInUseError,
  BindError,
  ConnectionContext,
  FeatureCollection,
  RemoteEndpointReader,
  SocketFeature,
  TransportFeature,
  type ConnectionListener,
  type Endpoint,
  type TcpEndpoint,
} from '../connection/index.js';
import { AcceptQueue } from './accept-queue.js';

/** How the servers of a socket listener treat each connection they take from the OS. */
export interface SocketServerSettings {
  /** Applied to both directions of every accepted socket (see the transports' options). */
  readonly highWaterMark: number;
  readonly noDelay: boolean;
}

/**
 * The part of the TCP and pipe listeners that is the same: one or more `net.Server`s feeding one
 * accept queue. A subclass binds its servers with `listen` and says how a socket becomes a
 * connection.
 */
export abstract class SocketListener implements ConnectionListener {
  readonly #settings: SocketServerSettings;
  readonly #servers = new Set<Server>();
  readonly #queue = new AcceptQueue<ConnectionContext>(
    (ctx) => !ctx.transport.destroyed,
    (ctx) => ctx.transport.destroy(),
    () => this.endpoint,
  );
  #unbinding: Promise<void> | undefined;
  /** The features every connection of the listener shares (its `TransportFeature`): nothing per connection. */
  #defaultFeatures: FeatureCollection | undefined;

  protected constructor(settings: SocketServerSettings) {
    this.#settings = settings;
  }

  abstract get endpoint(): Endpoint;

  /** The transport's name, for the connection's `TransportFeature`. */
  protected abstract get transportName(): string;

  /**
   * Where the connection came from and arrived. `server` is the one (of `listen`'s) that accepted
   * it, for a socket that cannot tell (a unix socket does not know its own path).
   */
  protected abstract endpointsOf(socket: Socket, server: Server): { local: Endpoint; remote: Endpoint | RemoteEndpointReader } | undefined;

  /** Runs once the servers are closed (the pipe listener removes its socket file). */
  protected async afterUnbind(): Promise<void> {}

  /**
   * Opens one more server feeding this listener. A failure closes nothing else: the caller decides
   * whether to retry, go on without it, or dispose. `described` names the endpoint in errors;
   * `options.fd` takes over a listening socket the process inherited (node:net's `{ fd }` handle).
   */
  protected async listen(options: ListenOptions | { readonly fd: number; readonly backlog: number }, described: string): Promise<Server> {
    const server = createServer({
      // Half-close is part of the contract: a peer's FIN ends our input, not our output.
      allowHalfOpen: true,
      noDelay: this.#settings.noDelay,
      highWaterMark: this.#settings.highWaterMark,
    });
    server.on('connection', (socket: Socket) => {
      // The context is made now, as the socket is accepted: its listeners handle a reset (reported
      // as 'error', which would crash the process without one, then 'close', which tells the
      // connection's owner and the queue that it is gone) from the start.
      const ctx = this.#connection(socket, server);
      if (ctx === undefined) socket.destroy();
      else this.#queue.push(ctx);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((err: unknown) => {
      throw bindFailure(err, described);
    });
    // Accept failures (EMFILE, ENFILE) are reported on the server, which goes on listening;
    // the connection that could not be accepted stays in the kernel's backlog.
    server.on('error', ignore);
    this.#servers.add(server);
    return server;
  }

  /** Runs `bind` (the subclass's `listen` calls); if it fails, closes whatever it had opened. */
  protected async bindOrDispose(bind: () => Promise<void>): Promise<this> {
    try {
      await bind();
      return this;
    } catch (err) {
      await this.dispose();
      throw err;
    }
  }

  /** Closes one server opened by `listen` (a half-done dual bind that has to start again). */
  protected closeServer(server: Server): Promise<void> {
    this.#servers.delete(server);
    return stopListening(server);
  }

  accept(): Promise<ConnectionContext | null> {
    return this.#queue.take();
  }

  acceptEach(sink: (ctx: ConnectionContext | null) => void): void {
    this.#queue.takeEach(sink);
  }

  unbind(): Promise<void> {
    this.#unbinding ??= this.#close();
    return this.#unbinding;
  }

  dispose(): Promise<void> {
    return this.unbind();
  }

  async #close(): Promise<void> {
    this.#queue.close();
    await Promise.all([...this.#servers].map(stopListening));
    this.#servers.clear();
    await this.afterUnbind();
  }

  #connection(socket: Socket, server: Server): ConnectionContext | undefined {
    const endpoints = this.endpointsOf(socket, server);
    if (endpoints === undefined) return undefined;
    const { local, remote } = endpoints;
    let defaultFeatures = this.#defaultFeatures;
    if (defaultFeatures === undefined) {
      defaultFeatures = this.#defaultFeatures = new FeatureCollection();
      defaultFeatures.set(TransportFeature, Object.freeze({ name: this.transportName, isSocket: true }));
      // Made when asked: an object per connection that nothing on the serving path reads.
      defaultFeatures.provide(SocketFeature, socketFeatureOf);
    }
    return new ConnectionContext({ transport: socket, localEndpoint: local, remoteEndpoint: remote, defaultFeatures });
  }
}

/** A socket connection's `SocketFeature`: the socket it was accepted on. */
function socketFeatureOf(owner: FeatureCollection): SocketFeature {
  return { socket: (owner as ConnectionContext).acceptedTransport as Socket };
}

/**
 * A TCP socket's two endpoints, as the socket reports them (IPv4 peers of a dual-stack socket in
 * their IPv4 form); the local one from `locals`, which made it once where it can, the remote one
 * read at the first ask (`TCP_REMOTE_ENDPOINTS`).
 */
export function tcpEndpointsOf(socket: Socket, server: Server, locals: TcpLocalEndpoints): { local: Endpoint; remote: RemoteEndpointReader } {
  return { local: locals.of(socket, server), remote: TCP_REMOTE_ENDPOINTS };
}

/**
 * Reads a TCP connection's peer when someone first asks. Until then neither node's cached peer
 * address nor an endpoint is kept (~140 bytes each idle connection kept when both were made at
 * accept). A peer that reset the connection before anyone asked cannot be read any more
 * (getpeername fails): its endpoint then has an empty host and port 0, as node:http's
 * `socket.remoteAddress` is undefined then.
 */
class TcpRemoteEndpoints extends RemoteEndpointReader {
  readRemoteEndpoint(transport: Duplex): TcpEndpoint {
    const socket = transport as Socket;
    const address = socket.remoteAddress;
    if (address === undefined) return UNKNOWN_TCP_PEER;
    return { kind: 'tcp', host: unmapIPv4(address), port: socket.remotePort ?? 0 };
  }
}

const TCP_REMOTE_ENDPOINTS = new TcpRemoteEndpoints();
const UNKNOWN_TCP_PEER: TcpEndpoint = Object.freeze({ kind: 'tcp', host: '', port: 0 });

/**
 * The local endpoints of a listener's TCP connections. A server bound to one address gives every
 * connection the same one, made once: reading the socket's own (getsockname) left node's cached
 * address object, its text and an endpoint on each idle connection, ~140 bytes. The connections
 * of a wildcard bind read theirs, and share the endpoint of the one before when it is the same.
 */
export class TcpLocalEndpoints {
  readonly #fixed = new WeakMap<Server, TcpEndpoint | null>();
  #last: TcpEndpoint | undefined;

  of(socket: Socket, server: Server): TcpEndpoint {
    let fixed = this.#fixed.get(server);
    if (fixed === undefined) {
      const bound = server.address();
      fixed = typeof bound === 'object' && bound !== null && !WILDCARDS.has(bound.address) ? { kind: 'tcp', host: unmapIPv4(bound.address), port: bound.port } : null;
      this.#fixed.set(server, fixed);
    }
    if (fixed !== null) return fixed;
    const host = unmapIPv4(socket.localAddress);
    const port = socket.localPort ?? 0;
    const last = this.#last;
    if (last !== undefined && last.host === host && last.port === port) return last;
    this.#last = { kind: 'tcp', host, port };
    return this.#last;
  }
}

/** Addresses a server bound to accept on every interface: its connections' local addresses differ. */
const WILDCARDS = new Set(['0.0.0.0', '::', '::ffff:0.0.0.0']);

/** A dual-stack socket reports IPv4 peers as `::ffff:a.b.c.d`; endpoints carry the IPv4 form. */
function unmapIPv4(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** A platform bind error as a domain error: EADDRINUSE is `AddressInUseError`, the rest `BindError`. */
export function bindFailure(err: unknown, described: string): Error {
  if (errorCode(err) === 'EADDRINUSE') return new AddressInUseError(described, { cause: err });
  const reason = err instanceof Error ? err.message : String(err);
  return new BindError(described, reason, { cause: err });
}

/** The errno code of a Node error, or of the platform error a domain error wraps. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && !code.startsWith('ERR_TIERCEL_')) return code;
  return errorCode((err as { cause?: unknown }).cause);
}

/**
 * Stops a server listening. `server.close()` closes the listening handle at once but calls back
 * only when every accepted connection has ended, and accepted connections are not the listener's
 * to wait for; one turn of the event loop lets the handle's close (and libuv's unlink of a unix
 * socket file) complete.
 */
function stopListening(server: Server): Promise<void> {
  server.close();
  return new Promise((resolve) => setImmediate(resolve));
}

function ignore(): void {}
