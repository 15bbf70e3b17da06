import 'reflect-metadata';
import type { DependencyContainer } from 'tsyringe';
import {
  ConnectionAbortedError,
  ConnectionLifetime,
  LifetimeFeature,
  NoTransportForEndpointError,
  ServerStateError,
  formatEndpoint,
  formatUrl,
  parseUrl,
  type ConnectionContext,
  type ConnectionDelegate,
  type ConnectionListener,
  type Endpoint,
  type Logger,
  type Scheme,
  type Transport,
} from '../connection/index.js';
import {
  LOGGER,
  SERVER_OPTIONS,
  createServerContainer,
  registerTransport,
  resolve,
  resolveTransports,
  type ServerOptions,
  type TransportClass,
} from '../di/index.js';
import { EndpointBuilder } from './endpoint-builder.js';
import { Heartbeat, resolveHttpOptions, type HttpApplication, type HttpOptions } from '../protocols/http/index.js';
import { alpnProtocols, httpConnectionDelegate } from '../protocols/http-connection.js';
import { ensureDevCertificate, type HttpsMiddleware } from '../protocols/tls/index.js';

/** An HTTP application, or something that builds one (an `ApplicationBuilder`). */
export type HttpApplicationSource = HttpApplication | { build(services?: DependencyContainer): HttpApplication };

export interface ServerStats {
  /** Connections accepted and handed to a pipeline since start. */
  readonly accepted: number;
  /** Connections closed at once because `maxConcurrentConnections` was reached. */
  readonly rejected: number;
  /** Connections open now. */
  readonly active: number;
}

interface BoundEndpoint {
  readonly builder: EndpointBuilder;
  readonly listener: ConnectionListener;
  readonly delegate: ConnectionDelegate;
  loop?: Promise<void>;
}

type State = 'new' | 'starting' | 'started' | 'stopping' | 'stopped';

/** A function that gives an endpoint with no terminal of its own its protocol (HTTP, later). */
export type DefaultTerminal = (endpoint: EndpointBuilder, services: DependencyContainer) => ConnectionDelegate;

/**
 * The server core: binds every endpoint through the transport that claims it, runs one accept loop
 * per listener, runs each connection through its endpoint's pipeline, tracks live connections,
 * enforces the connection limit, and stops gracefully.
 */
export class Server {
  /** The server's own DI container (a child container; never tsyringe's global one). */
  readonly services: DependencyContainer;
  readonly #options: Required<ServerOptions>;
  readonly #builders: EndpointBuilder[] = [];
  #bound: BoundEndpoint[] = [];
  readonly #live = new Set<ConnectionContext>();
  /** Connections whose pipeline is done, waiting for the peer to close (see ConnectionContext.close). */
  readonly #lingering = new Set<ConnectionContext>();
  #liveEmpty: (() => void) | undefined;
  #state: State = 'new';
  #accepted = 0;
  #rejected = 0;
  #defaultTerminal: DefaultTerminal | undefined;
  /** The HTTP versions `useHttp` serves, for the ALPN list of HTTPS endpoints. */
  #httpProtocols: HttpOptions['protocols'];
  readonly #https: HttpsMiddleware[] = [];
  readonly #heartbeat = new Heartbeat();
  #stopping: Promise<void> | undefined;
  /** When a graceful stop gives up and aborts what is left (Date.now() time); stop() may bring it forward. */
  #stopDeadline = 0;
  /** A later stop() brought the deadline forward (for the log line: not a timeout). */
  #stopHurried = false;
  /** Re-arms the running stop's timer after its deadline moved; undefined when no stop is waiting. */
  #rearmStopTimer: (() => void) | undefined;

  constructor(options: ServerOptions = {}) {
    this.services = createServerContainer(options);
    this.#options = resolve(this.services, SERVER_OPTIONS);
  }

  /** The server's logger: whatever is registered under `LOGGER` (a user may replace it before start). */
  get logger(): Logger {
    return resolve(this.services, LOGGER);
  }

  /**
   * Registers a transport class, resolved from the server's container with its own dependencies.
   * It is tried before every transport registered earlier, the built-in ones included.
   */
  addTransport(transport: TransportClass): this {
    this.#assertState('new', 'addTransport');
    registerTransport(this.services, transport);
    return this;
  }

  /** The transport instance of a class, as the server uses it (for `MemoryTransport.connect`). */
  getTransport<T extends Transport>(transport: TransportClass<T>): T {
    return this.services.resolve(transport);
  }

  /**
   * Adds an endpoint: a listen URL (`http://127.0.0.1:5000`, `http://unix:/run/app.sock`,
   * `http://memory:app`, …) or an endpoint object for a custom transport. `configure` adds its
   * connection middleware and terminal.
   */
  listen(url: string | Endpoint, configure?: (endpoint: EndpointBuilder) => void): EndpointBuilder {
    this.#assertState('new', 'listen');
    let endpoint: Endpoint;
    let scheme: Scheme = 'http';
    if (typeof url === 'string') ({ endpoint, scheme } = parseUrl(url));
    else endpoint = url;
    const builder = new EndpointBuilder(endpoint, scheme);
    configure?.(builder);
    this.#builders.push(builder);
    return builder;
  }

  /** Sets the protocol for endpoints that chose none (the HTTP layer plugs in here). */
  setDefaultTerminal(terminal: DefaultTerminal): this {
    this.#assertState('new', 'setDefaultTerminal');
    this.#defaultTerminal = terminal;
    return this;
  }

  /**
   * Serves HTTP with `app` on every endpoint that has no protocol of its own. The app is built
   * once, here; `options` holds the limits (see `HttpLimits`, `Http2Limits`), the Server header
   * and the HTTP versions served (`protocols`, default 'http1AndHttp2'; an endpoint may override
   * it with `useProtocols`).
   */
  useHttp(app: HttpApplicationSource, options: HttpOptions = {}): this {
    const resolved = resolveHttpOptions(options);
    // An ApplicationBuilder is built once, here, with the server's container as the parent of
    // each request's scope (and the source of its logger).
    const application =
      'handle' in app && typeof app.handle === 'function' ? app : (app as { build(services?: DependencyContainer): HttpApplication }).build(this.services);
    const heartbeat = this.#heartbeat;
    this.#httpProtocols = resolved.protocols;
    // HTTP/1.1 and HTTP/2 (ALPN with TLS, preface sniffing on cleartext) unless the endpoint or
    // `options.protocols` narrows it.
    return this.setDefaultTerminal((endpoint) =>
      httpConnectionDelegate(
        application,
        {
          ...resolved,
          heartbeat,
          logger: this.logger,
          maxReadBufferSize: endpoint.transportOptions.maxReadBufferSize ?? this.#options.transport.maxReadBufferSize,
        },
        endpoint.protocols ?? resolved.protocols,
      ),
    );
  }

  /** The endpoints actually bound (port 0 resolved), in `listen` order. Empty before start. */
  get endpoints(): Endpoint[] {
    return this.#bound.map((b) => b.listener.endpoint);
  }

  get urls(): string[] {
    return this.#bound.map((b) => formatUrl(b.listener.endpoint, b.builder.scheme));
  }

  get stats(): ServerStats {
    return { accepted: this.#accepted, rejected: this.#rejected, active: this.#live.size };
  }

  /**
   * Binds every endpoint and starts accepting. If any endpoint cannot bind, what was bound is
   * unbound again and the real cause is thrown (an `AddressInUseError`, say).
   */
  async start(): Promise<void> {
    this.#assertState('new', 'start');
    if (this.#builders.length === 0) throw new ServerStateError('No endpoints: call listen() before start()');
    this.#state = 'starting';
    const transports = resolveTransports(this.services);
    const bound: BoundEndpoint[] = [];
    try {
      for (const builder of this.#builders) {
        await this.#prepareHttps(builder);
        const delegate = this.#buildDelegate(builder);
        const transport = pickTransport(transports, builder.endpoint);
        const listener = await transport.bind(builder.endpoint, { ...this.#options.transport, ...builder.transportOptions });
        bound.push({ builder, listener, delegate });
      }
    } catch (err) {
      await Promise.allSettled(bound.map((b) => b.listener.dispose()));
      this.#disposeHttps();
      this.#state = 'stopped';
      throw err;
    }
    this.#bound = bound;
    for (const b of bound) {
      b.loop = this.#acceptLoop(b);
      this.logger.info(`Now listening on: ${formatUrl(b.listener.endpoint, b.builder.scheme)}`);
    }
    this.#state = 'started';
  }

  /**
   * Stops gracefully: unbinds every endpoint, asks every connection to close, waits up to
   * `timeoutMs` (default `shutdownTimeoutMs`), then aborts what is left. A call while a stop is
   * under way returns that stop, and brings its deadline forward if `timeoutMs` ends sooner:
   * `stop(0)` aborts what is left at once (a second Ctrl-C, as `stopOnSignals` does).
   */
  stop(timeoutMs = this.#options.shutdownTimeoutMs): Promise<void> {
    if (this.#state === 'stopping') {
      const deadline = Date.now() + timeoutMs;
      if (deadline < this.#stopDeadline) {
        this.#stopDeadline = deadline;
        this.#stopHurried = true;
        this.#rearmStopTimer?.();
      }
      return this.#stopping!;
    }
    if (this.#state === 'new') this.#state = 'stopped';
    if (this.#state === 'stopped') return Promise.resolve();
    this.#state = 'stopping';
    this.#stopDeadline = Date.now() + timeoutMs;
    this.#stopping = this.#stopGracefully();
    return this.#stopping;
  }

  async #stopGracefully(): Promise<void> {
    await Promise.allSettled(this.#bound.map((b) => b.listener.unbind()));
    await Promise.allSettled(this.#bound.map((b) => b.loop));
    // A connection whose protocol is already done has nothing to finish: close it now.
    for (const ctx of this.#lingering) ctx.abort(new ConnectionAbortedError('The server is shutting down'));
    for (const ctx of this.#live) ctx.features.get(LifetimeFeature)?.requestClose();
    if (this.#live.size > 0) {
      await new Promise<void>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const done = (): void => {
          clearTimeout(timer);
          this.#rearmStopTimer = undefined;
          resolve();
        };
        this.#rearmStopTimer = () => {
          clearTimeout(timer);
          timer = setTimeout(done, Math.max(0, this.#stopDeadline - Date.now()));
        };
        this.#rearmStopTimer();
        void this.#whenEmpty().then(done);
      });
      if (this.#live.size > 0) {
        const why = this.#stopHurried ? 'Stopping at once' : 'Shutdown timeout';
        this.logger.warn(`${why}: aborting ${this.#live.size} connection(s)`);
        for (const ctx of this.#live) ctx.abort(new ConnectionAbortedError('The server is shutting down'));
        await this.#whenEmpty();
      }
    }
    await Promise.allSettled(this.#bound.map((b) => b.listener.dispose()));
    this.#disposeHttps();
    this.#state = 'stopped';
  }

  /**
   * Creates an endpoint's TLS middleware with its ALPN list. An `https://` URL without `useHttps`
   * gets the development certificate (created on first use, as `tiercel dev-certs` does), unless
   * NODE_ENV is 'production', where a missing certificate is a configuration error.
   */
  async #prepareHttps(builder: EndpointBuilder): Promise<void> {
    if ((builder.scheme === 'https' && !builder.usesHttps) || builder.needsCertificate) {
      const url = formatUrl(builder.endpoint, 'https');
      if (process.env.NODE_ENV === 'production') {
        throw new ServerStateError(`Endpoint ${url} has no certificate: call useHttps({ certificate }) on it (the development certificate is not used when NODE_ENV=production)`);
      }
      const dev = await ensureDevCertificate();
      this.logger.info(`Using the development certificate for ${url}: ${dev.certFile}${dev.created ? ' (just created; trust it in your browser or pass it to curl --cacert)' : ''}`);
      const certificate = { certFile: dev.certFile, keyFile: dev.keyFile };
      if (builder.usesHttps) builder.supplyCertificate(certificate);
      else builder.useHttpsFirst({ certificate });
    }
    // HTTP/2 is offered by ALPN only where the endpoint serves it; a custom protocol gets http/1.1.
    const http = builder.hasTerminal ? 'http1' : (builder.protocols ?? this.#httpProtocols ?? 'http1AndHttp2');
    const logger = this.logger;
    const tls = builder.prepareHttps(alpnProtocols(http), logger);
    if (tls !== undefined) this.#https.push(tls);
  }

  #disposeHttps(): void {
    for (const tls of this.#https.splice(0)) tls.dispose();
  }

  #buildDelegate(builder: EndpointBuilder): ConnectionDelegate {
    if (!builder.hasTerminal) {
      if (this.#defaultTerminal === undefined) {
        throw new ServerStateError(
          `Endpoint ${formatEndpoint(builder.endpoint)} has no protocol: call useConnectionHandler() or run() on it`,
        );
      }
      builder.run(this.#defaultTerminal(builder, this.services));
    }
    return builder.buildWith(this.services);
  }

  async #acceptLoop(b: BoundEndpoint): Promise<void> {
    const max = this.#options.maxConcurrentConnections;
    for (;;) {
      let ctx: ConnectionContext | null;
      try {
        ctx = await b.listener.accept();
      } catch (err) {
        // A listener that throws from accept is broken; stop this loop rather than spin.
        this.logger.error(`Accept failed on ${formatEndpoint(b.listener.endpoint)}`, { error: err });
        return;
      }
      if (ctx === null) return;
      if (this.#live.size >= max) {
        this.#rejected++;
        this.logger.debug('Connection rejected: maxConcurrentConnections reached', { connectionId: ctx.id });
        ctx.abort(new ConnectionAbortedError('The server has reached maxConcurrentConnections'));
        continue;
      }
      this.#accepted++;
      this.#run(ctx, b.delegate);
    }
  }

  #run(ctx: ConnectionContext, delegate: ConnectionDelegate): void {
    this.#live.add(ctx);
    ctx.features.set(LifetimeFeature, new ConnectionLifetime());
    let settled: Promise<void>;
    try {
      settled = delegate(ctx);
    } catch (err) {
      settled = Promise.reject(err);
    }
    settled.then(
      () => {
        this.#lingering.add(ctx);
        ctx.close();
        this.#forgetWhenClosed(ctx);
      },
      (err: unknown) => {
        this.logger.debug('Connection pipeline failed', { connectionId: ctx.id, error: err });
        ctx.abort(err);
        this.#forgetWhenClosed(ctx);
      },
    );
  }

  /** The connection counts as live until its transport has really closed. */
  #forgetWhenClosed(ctx: ConnectionContext): void {
    ctx.onClosed(() => {
      this.#live.delete(ctx);
      this.#lingering.delete(ctx);
      if (this.#live.size === 0) this.#liveEmpty?.();
    });
  }

  #whenEmpty(): Promise<void> {
    if (this.#live.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.#liveEmpty;
      this.#liveEmpty = () => {
        this.#liveEmpty = previous;
        previous?.();
        resolve();
      };
    });
  }

  #assertState(expected: State, call: string): void {
    if (this.#state !== expected) throw new ServerStateError(`${call}() is not allowed once the server is ${this.#state}`);
  }
}

/** The last registered transport that can bind the endpoint (so users override built-ins). */
function pickTransport(transports: readonly Transport[], endpoint: Endpoint): Transport {
  for (let i = transports.length - 1; i >= 0; i--) {
    if (transports[i].canBind(endpoint)) return transports[i];
  }
  throw new NoTransportForEndpointError(formatEndpoint(endpoint), transports.map((t) => t.name));
}
