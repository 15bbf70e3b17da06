import '../connection/tsyringe.js';
import type { DependencyContainer } from 'tsyringe';
import {
  ConnectionAbortedError,
  ConnectionLifetime,
  CLOCK,
  LOGGER_FACTORY,
  LOG_CATEGORIES,
  LOG_EVENTS,
  silentLogger,
  LifetimeFeature,
  NoTransportForEndpointError,
  ServerStateError,
  TRANSPORT_OPTIONS,
  connectionClosedChannel,
  connectionEndReason,
  connectionOpenedChannel,
  connectionRejectedChannel,
  formatEndpoint,
  formatUrl,
  isConnectionLost,
  parseUrl,
  serveConnection,
  setConnectionEndReason,
  type ConnectionCompletion,
  type ConnectionContext,
  type ConnectionDelegate,
  type ConnectionListener,
  type ConnectionMessage,
  type Endpoint,
  type Logger,
  type Scheme,
  type Transport,
} from '../connection/index.js';
import {
  ENVIRONMENT,
  SERVER_OPTIONS,
  createServerContainer,
  registerTransport,
  resolve,
  resolveTransports,
  type ServerOptions,
  type TransportClass,
} from '../di/index.js';
import { EndpointBuilder } from './endpoint-builder.js';
import { HTTP_APPLICATION, HTTP_OPTIONS, resolveHttpOptions, type HttpApplication, type HttpOptions } from '../protocols/http/index.js';
import { TLS_OPTIONS, type HttpsMiddleware } from '../protocols/tls/configuration.js';
import { httpAlpn, httpTerminal } from './http-terminal.js';
import { acmeChallenges, prepareHttps } from './https-setup.js';
import { AllLiveConnections, type LiveConnections } from './live-connections.js';
import { RejectionWarnings } from './rejection-warnings.js';
import {
  applyConfiguration,
  isResolvedConfiguration,
  loadConfiguration,
  watchConfiguration,
  type ConfigurationWatcher,
  type ResolvedConfiguration,
  type TiercelConfiguration,
} from './configuration/index.js';

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
  /** The builder and pipeline new connections get; `replaceEndpoint` swaps them, the listener stays. */
  builder: EndpointBuilder;
  delegate: ConnectionDelegate;
  https: HttpsMiddleware | undefined;
  readonly listener: ConnectionListener;
  /** This endpoint's open connections (counted in the server's), so that removing it closes only them. */
  readonly live: LiveConnections;
  /** The server's `#pipelineEnded`: where a `ServedConnection` reports, without a field of its own for it. */
  readonly ended: (served: ServedConnection, b: BoundEndpoint, failed: boolean, err: unknown) => void;
  /** The server's `#forget`: a connection whose transport has closed stops counting as live. */
  readonly forget: (ctx: ConnectionContext, b: BoundEndpoint) => void;
  /** What a `ServedConnection` keeps in place of this once it has reported (one per endpoint). */
  readonly reported: ReportedEndpoint;
  loop?: Promise<void>;
}

/** An endpoint as its served connections keep it after their report: a later report is ignored. */
interface ReportedEndpoint {
  readonly reportedFrom: BoundEndpoint;
}

type State = 'new' | 'starting' | 'started' | 'stopping' | 'stopped';

/** A function that gives an endpoint with no terminal of its own its protocol (HTTP, later). */
export type DefaultTerminal = (endpoint: EndpointBuilder, services: DependencyContainer) => ConnectionDelegate;

/**
 * The server core: binds every endpoint through the transport that claims it, runs one accept loop
 * per listener, runs each connection through its endpoint's pipeline, tracks live connections,
 * enforces the connection limit, and stops gracefully. Everything replaceable (transports, clock,
 * loggers, protocol adapters, the HTTP app, certificate providers, options) is resolved from its
 * container at `start()`.
 */
export class Server {
  /** The server's own DI container (never tsyringe's global one). */
  readonly services: DependencyContainer;
  readonly #options: Required<ServerOptions>;
  readonly #builders: EndpointBuilder[] = [];
  #bound: BoundEndpoint[] = [];
  readonly #live = new AllLiveConnections();
  /** Connections whose pipeline is done, waiting for the peer to close (see ConnectionContext.close). */
  readonly #lingering = new Set<ConnectionContext>();
  #state: State = 'new';
  #accepted = 0;
  #rejected = 0;
  #defaultTerminal: DefaultTerminal | undefined;
  #logger: Logger | undefined;
  /** What `fromConfig` applied; with `reloadOnChange`, its file is watched from start to stop. */
  #configuration: ResolvedConfiguration | undefined;
  #watcher: ConfigurationWatcher | undefined;
  /** `tiercel.connections`: accepted, rejected, lost (debug). */
  #connectionLog: Logger = silentLogger;
  /** The throttled warn for connections refused at maxConcurrentConnections; made at start. */
  #rejectionWarnings: RejectionWarnings | undefined;
  #stopping: Promise<void> | undefined;
  /** When a graceful stop gives up and aborts what is left (Date.now() time); stop() may bring it forward. */
  #stopDeadline = 0;
  /** A later stop() brought the deadline forward (for the log line: not a timeout). */
  #stopHurried = false;
  /** Re-arms the running stop's timer after its deadline moved; undefined when no stop is waiting. */
  #rearmStopTimer: (() => void) | undefined;

  /**
   * `new Server(options)` makes its own container (a child of tsyringe's root) with tiercel's
   * defaults. `new Server(container)` uses yours, which `addTiercel(container, options)` must
   * have filled (else `ERR_TIERCEL_DI_UNREGISTERED`); register your replacements in it before
   * `start()`.
   */
  constructor(options: ServerOptions | DependencyContainer = {}) {
    this.services = isContainer(options) ? options : createServerContainer(options);
    this.#options = resolve(this.services, SERVER_OPTIONS);
  }

  /**
   * A server configured by `config`: its endpoints, certificates, limits, shutdown timeout and log
   * level. A plain `TiercelConfiguration` is taken alone (checked; defaults for the rest);
   * `loadConfiguration({ file, code })` layers a file, the environment and your code first. Add the
   * app with `useHttp(app)` and `start()` it. Throws a `ConfigurationError` naming the bad key.
   */
  static fromConfig(config: TiercelConfiguration | ResolvedConfiguration): Server {
    const resolved = isResolvedConfiguration(config) ? config : loadConfiguration({ code: config, env: {} });
    const server = new Server({ shutdownTimeoutMs: resolved.shutdownTimeoutMs, logLevel: resolved.logLevel, logFormat: resolved.logFormat });
    // The environment was read once, by loadConfiguration (which unsets systemd's LISTEN_* once
    // read): the server sees that reading, not a second one.
    if (isResolvedConfiguration(config)) server.services.register(ENVIRONMENT, { useValue: resolved.sources.environment });
    applyConfiguration(server, resolved);
    server.#configuration = resolved;
    return server;
  }

  /** The server's logger (category `tiercel.server`), from the `LOGGER_FACTORY` registered now. */
  get logger(): Logger {
    return this.#logger ?? resolve(this.services, LOGGER_FACTORY).create('tiercel.server');
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
    return resolve(this.services, transport);
  }

  /**
   * Adds an endpoint: a listen URL (`http://127.0.0.1:5000`, `http://unix:/run/app.sock`,
   * `http://memory:app`, …) or an endpoint object for a custom transport. `configure` adds its
   * connection middleware and terminal.
   */
  listen(url: string | Endpoint, configure?: (endpoint: EndpointBuilder) => void): EndpointBuilder {
    this.#assertState('new', 'listen');
    const builder = makeBuilder(url, configure);
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
   * Serves HTTP with `app` on every endpoint that has no protocol of its own: registers it as
   * `HTTP_APPLICATION` (an `ApplicationBuilder` is built once, here, with the server's container as
   * the parent of each request's scope) and, when `options` are given, their checked form as
   * `HTTP_OPTIONS` (the limits, see `HttpLimits` and `Http2Limits`, the Server header and the HTTP
   * versions, `protocols`, default 'http1AndHttp2', which an endpoint may narrow with `useProtocols`).
   * A container that has an `HTTP_APPLICATION` registered serves HTTP without this call.
   */
  useHttp(app: HttpApplicationSource, options?: HttpOptions): this {
    this.#assertState('new', 'useHttp');
    if (options !== undefined) this.services.register(HTTP_OPTIONS, { useValue: resolveHttpOptions(options) });
    const application =
      'handle' in app && typeof app.handle === 'function' ? app : (app as { build(services?: DependencyContainer): HttpApplication }).build(this.services);
    this.services.register(HTTP_APPLICATION, { useValue: application });
    return this.setDefaultTerminal(httpTerminal);
  }

  /** The endpoints actually bound (port 0 resolved), in `listen` order. Empty before start. */
  get endpoints(): Endpoint[] {
    return this.#bound.map((b) => b.listener.endpoint);
  }

  get urls(): string[] {
    return this.#bound.map((b) => formatUrl(b.listener.endpoint, b.builder.scheme));
  }

  /** The endpoints bound now, in the order they were bound; each one's `name` is its configuration key. */
  get boundEndpoints(): EndpointBuilder[] {
    return this.#bound.map((b) => b.builder);
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
    const bound: BoundEndpoint[] = [];
    try {
      const loggers = resolve(this.services, LOGGER_FACTORY);
      this.#logger = loggers.create(LOG_CATEGORIES.server);
      this.#connectionLog = loggers.create(LOG_CATEGORIES.connections);
      // In the server's category, not the connections' (each refusal, at debug): it is about the
      // server's capacity, and one line per interval cannot flood the log.
      this.#rejectionWarnings = new RejectionWarnings(this.#logger, resolve(this.services, CLOCK), this.#options.connectionRejectionLogIntervalMs);
      this.#defaultTerminal ??= this.services.isRegistered(HTTP_APPLICATION, true) ? httpTerminal : undefined;
      // Before any endpoint is built: the cleartext ones answer HTTP-01 for the HTTPS ones.
      const acmeEverywhere = this.services.isRegistered(TLS_OPTIONS, true) && resolve(this.services, TLS_OPTIONS).acme !== undefined;
      if (acmeEverywhere || this.#builders.some((b) => b.usesAcme)) acmeChallenges(this.services);
      for (const builder of this.#builders) bound.push(await this.#bind(builder));
    } catch (err) {
      await Promise.allSettled(bound.map((b) => b.listener.dispose()));
      for (const b of bound) b.https?.dispose();
      this.#state = 'stopped';
      throw err;
    }
    this.#bound = bound;
    for (const b of bound) this.#startAccepting(b);
    this.#state = 'started';
    if (this.#configuration?.reloadOnChange === true) this.#watcher = watchConfiguration(this, this.#configuration, resolve(this.services, LOGGER_FACTORY).create('tiercel.configuration'));
  }

  /**
   * Adds an endpoint to a started server and binds it now (`listen` is for a server not yet
   * started). A bind that fails throws and leaves the server as it was.
   */
  async addEndpoint(url: string | Endpoint, configure?: (endpoint: EndpointBuilder) => void): Promise<EndpointBuilder> {
    this.#assertState('started', 'addEndpoint');
    const b = await this.#bind(makeBuilder(url, configure));
    if (this.#state !== 'started') {
      await b.listener.dispose();
      b.https?.dispose();
      throw new ServerStateError(`addEndpoint() is not allowed once the server is ${this.#state}`);
    }
    this.#bound.push(b);
    this.#startAccepting(b);
    return b.builder;
  }

  /**
   * Gives a bound endpoint a new connection pipeline (other limits, certificate, protocols) built
   * from `configure`: connections it accepts from now on run the new one; its listener and the
   * connections already open stay as they are.
   */
  async replaceEndpoint(endpoint: EndpointBuilder, configure?: (endpoint: EndpointBuilder) => void): Promise<EndpointBuilder> {
    this.#assertState('started', 'replaceEndpoint');
    const b = this.#boundOf(endpoint);
    const next = new EndpointBuilder(b.builder.endpoint, b.builder.scheme);
    configure?.(next);
    const { delegate, https } = await this.#prepare(next);
    const previous = b.https;
    Object.assign(b, { builder: next, delegate, https });
    previous?.dispose();
    return next;
  }

  /**
   * Stops one endpoint of a started server: unbinds it, asks its connections to close, waits up to
   * `timeoutMs` (default `shutdownTimeoutMs`), then aborts what is left. Other endpoints and their
   * connections are not touched.
   */
  async removeEndpoint(endpoint: EndpointBuilder, timeoutMs = this.#options.shutdownTimeoutMs): Promise<void> {
    this.#assertState('started', 'removeEndpoint');
    const b = this.#boundOf(endpoint);
    this.#bound = this.#bound.filter((x) => x !== b);
    await b.listener.unbind();
    await b.loop;
    for (const ctx of b.live) {
      if (this.#lingering.has(ctx)) ctx.abort(new ConnectionAbortedError('The endpoint was removed'));
      else ctx.features.get(LifetimeFeature)?.requestClose();
    }
    if (!(await b.live.whenEmpty(timeoutMs))) {
      for (const ctx of b.live) ctx.abort(new ConnectionAbortedError('The endpoint was removed'));
      await b.live.whenEmpty();
    }
    this.#live.forget(b.live);
    await b.listener.dispose();
    b.https?.dispose();
    this.logger.info(`Stopped listening on: ${formatUrl(b.listener.endpoint, b.builder.scheme)}`);
  }

  #boundOf(endpoint: EndpointBuilder): BoundEndpoint {
    const b = this.#bound.find((x) => x.builder === endpoint);
    if (b === undefined) throw new ServerStateError('That endpoint is not bound by this server (it was removed, or replaced: use the builder replaceEndpoint returned)');
    return b;
  }

  /** The endpoint's TLS middleware and pipeline, resolved from the container now. */
  async #prepare(builder: EndpointBuilder): Promise<{ delegate: ConnectionDelegate; https: HttpsMiddleware | undefined }> {
    // HTTP/2 is offered by ALPN only where the endpoint serves it; a protocol of its own gets http/1.1.
    const servedByHttp = !builder.hasTerminal && this.#defaultTerminal === httpTerminal;
    const https = await prepareHttps(builder, this.services, servedByHttp ? httpAlpn(builder, this.services) : ['http/1.1']);
    try {
      return { delegate: this.#buildDelegate(builder), https };
    } catch (err) {
      https?.dispose();
      throw err;
    }
  }

  async #bind(builder: EndpointBuilder): Promise<BoundEndpoint> {
    const { delegate, https } = await this.#prepare(builder);
    try {
      const transport = pickTransport(resolveTransports(this.services), builder.endpoint);
      const listener = await transport.bind(builder.endpoint, { ...resolve(this.services, TRANSPORT_OPTIONS), ...builder.transportOptions });
      const reported = {} as { reportedFrom: BoundEndpoint };
      const bound: BoundEndpoint = { builder, listener, delegate, https, live: this.#live.part(), ended: this.#pipelineEnded, forget: this.#forget, reported };
      reported.reportedFrom = bound;
      return bound;
    } catch (err) {
      https?.dispose();
      throw err;
    }
  }

  #startAccepting(b: BoundEndpoint): void {
    b.loop = this.#acceptLoop(b);
    // The URL in the message only: the text line stays the one a terminal user copies from.
    this.logger.info(LOG_EVENTS.Listening, `Now listening on: ${formatUrl(b.listener.endpoint, b.builder.scheme)}`);
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
    await this.#watcher?.close();
    await Promise.allSettled(this.#bound.map((b) => b.listener.unbind()));
    await Promise.allSettled(this.#bound.map((b) => b.loop));
    this.#rejectionWarnings?.flush(this.#options.maxConcurrentConnections);
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
        void this.#live.whenEmpty().then(done);
      });
      if (this.#live.size > 0) {
        const why = this.#stopHurried ? 'Stopping at once' : 'Shutdown timeout';
        this.logger.warn({ ...LOG_EVENTS.ShutdownTimeout, connections: this.#live.size, hurried: this.#stopHurried }, `${why}: aborting ${this.#live.size} connection(s)`);
        for (const ctx of this.#live) ctx.abort(new ConnectionAbortedError('The server is shutting down'));
        await this.#live.whenEmpty();
      }
    }
    await Promise.allSettled(this.#bound.map((b) => b.listener.dispose()));
    for (const b of this.#bound) b.https?.dispose();
    this.#state = 'stopped';
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

  /** Settles once the listener is unbound (it delivered null, or its accept failed). */
  #acceptLoop(b: BoundEndpoint): Promise<void> {
    const listener = b.listener;
    if (listener.acceptEach === undefined) return this.#awaitEach(b);
    // Each connection in the listener's own turn: no promise and no await per connection.
    return new Promise<void>((resolve) => {
      listener.acceptEach!((ctx) => {
        if (ctx === null) resolve();
        else this.#admit(ctx, b);
      });
    });
  }

  /** The accept loop of a listener with no `acceptEach`, a custom transport's. */
  async #awaitEach(b: BoundEndpoint): Promise<void> {
    for (;;) {
      let ctx: ConnectionContext | null;
      try {
        ctx = await b.listener.accept();
      } catch (err) {
        // A listener that throws from accept is broken; stop this loop rather than spin.
        this.logger.error({ ...LOG_EVENTS.AcceptFailed, endpoint: formatEndpoint(b.listener.endpoint), err }, `Accept failed on ${formatEndpoint(b.listener.endpoint)}`);
        return;
      }
      if (ctx === null) return;
      this.#admit(ctx, b);
    }
  }

  #admit(ctx: ConnectionContext, b: BoundEndpoint): void {
    const max = this.#options.maxConcurrentConnections;
    if (this.#live.size >= max) {
      this.#rejected++;
      this.#connectionLog.debug({ ...LOG_EVENTS.ConnectionRejected, connectionId: ctx.id }, 'Connection rejected: maxConcurrentConnections reached');
      this.#rejectionWarnings?.rejected(max);
      if (connectionRejectedChannel.hasSubscribers) {
        connectionRejectedChannel.publish({ connection: ctx, endpoint: b.listener.endpoint, reason: 'max-concurrent-connections' });
      }
      ctx.abort(new ConnectionAbortedError('The server has reached maxConcurrentConnections'));
      return;
    }
    this.#accepted++;
    // Asked first: the record's fields (and the connection id's text) would be garbage per accepted connection.
    if (this.#connectionLog.isLevelEnabled?.('debug') !== false) {
      this.#connectionLog.debug({ ...LOG_EVENTS.ConnectionAccepted, connectionId: ctx.id, endpoint: b.listener.endpoint, remote: ctx.remoteEndpoint }, 'Connection accepted');
    }
    if (connectionOpenedChannel.hasSubscribers || connectionClosedChannel.hasSubscribers) publishOpened(ctx, b.listener.endpoint);
    this.#run(ctx, b);
  }

  #run(ctx: ConnectionContext, b: BoundEndpoint): void {
    b.live.add(ctx);
    const served = new ServedConnection(ctx, b);
    ctx.features.set(LifetimeFeature, served);
    // Through the delegate's `serve` when it has one (an endpoint without connection middleware):
    // no promise and no reaction kept for the connection's life.
    serveConnection(b.delegate, ctx, served);
  }

  /** A connection's pipeline is done (`failed`: it threw or rejected with `err`). */
  readonly #pipelineEnded = (served: ServedConnection, b: BoundEndpoint, failed: boolean, err: unknown): void => {
    const ctx = served.ctx;
    // The connection counts as live until its transport has really closed (the served connection
    // is the listener: a closure per connection was garbage on every close).
    if (!failed) {
      this.#lingering.add(ctx);
      ctx.close();
      ctx.onClosed(served);
      return;
    }
    // The protocols settle normally whatever the client does, so what fails here is a
    // connection middleware or handler of the app's: its bug, unless the connection was lost.
    setConnectionEndReason(ctx, isConnectionLost(err) ? 'transport-closed' : 'pipeline-error');
    if (isConnectionLost(err)) {
      const log = this.#connectionLog;
      if (log.isLevelEnabled?.('debug') !== false) log.debug({ ...LOG_EVENTS.ConnectionClosed, connectionId: ctx.id, reason: 'transport-closed', err }, 'Connection pipeline ended: the connection was lost');
    } else this.logger.error({ ...LOG_EVENTS.ConnectionPipelineError, connectionId: ctx.id, err }, 'Unhandled error in the connection pipeline; the connection was aborted');
    ctx.abort(err);
    ctx.onClosed(served);
  };

  readonly #forget = (ctx: ConnectionContext, b: BoundEndpoint): void => {
    this.#lingering.delete(ctx);
    b.live.delete(ctx);
  };

  #assertState(expected: State, call: string): void {
    if (this.#state !== expected) throw new ServerStateError(`${call}() is not allowed once the server is ${this.#state}`);
  }
}

/**
 * One served connection: its `LifetimeFeature`, and the completion its pipeline reports its end
 * to (the first report counts, as a promise settles once). One object for both, since each is
 * kept for as long as the connection is open.
 */
class ServedConnection extends ConnectionLifetime implements ConnectionCompletion {
  readonly ctx: ConnectionContext;
  /**
   * The endpoint until the first report, then its `reported` marker, so that a later report is
   * ignored and the close still finds the endpoint (no field of its own for either).
   */
  #endpoint: BoundEndpoint | ReportedEndpoint;

  constructor(ctx: ConnectionContext, endpoint: BoundEndpoint) {
    super();
    this.ctx = ctx;
    this.#endpoint = endpoint;
  }

  complete(): void {
    const b = this.#endpoint;
    if ('reportedFrom' in b) return;
    this.#endpoint = b.reported;
    b.ended(this, b, false, undefined);
  }

  fail(err: unknown): void {
    const b = this.#endpoint;
    if ('reportedFrom' in b) return;
    this.#endpoint = b.reported;
    b.ended(this, b, true, err);
  }

  /** The transport closed (the served connection is its context's closed listener once it has reported). */
  handleConnectionClosed(): void {
    const e = this.#endpoint;
    const b = 'reportedFrom' in e ? e.reportedFrom : e;
    b.forget(this.ctx, b);
  }
}

function makeBuilder(url: string | Endpoint, configure: ((endpoint: EndpointBuilder) => void) | undefined): EndpointBuilder {
  let endpoint: Endpoint;
  let scheme: Scheme = 'http';
  if (typeof url === 'string') ({ endpoint, scheme } = parseUrl(url));
  else endpoint = url;
  const builder = new EndpointBuilder(endpoint, scheme);
  configure?.(builder);
  return builder;
}

/** `tiercel:connection.opened` now, and `closed` with the same message when the transport closes. */
function publishOpened(ctx: ConnectionContext, endpoint: Endpoint): void {
  const message: ConnectionMessage = { connection: ctx, endpoint, startTime: performance.now() };
  connectionOpenedChannel.publish(message);
  ctx.onClosed(() => {
    message.closeKind = ctx.closeKind;
    message.endReason = connectionEndReason(ctx) ?? (ctx.closeKind === 'abort' ? 'aborted' : 'closed');
    connectionClosedChannel.publish(message);
  });
}

/** The last registered transport that can bind the endpoint (so users override built-ins). */
function pickTransport(transports: readonly Transport[], endpoint: Endpoint): Transport {
  for (let i = transports.length - 1; i >= 0; i--) {
    if (transports[i].canBind(endpoint)) return transports[i];
  }
  throw new NoTransportForEndpointError(formatEndpoint(endpoint), transports.map((t) => t.name));
}

function isContainer(value: ServerOptions | DependencyContainer): value is DependencyContainer {
  return typeof (value as DependencyContainer).resolve === 'function' && typeof (value as DependencyContainer).createChildContainer === 'function';
}
