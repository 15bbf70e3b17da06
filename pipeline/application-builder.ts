import { loadTsyringe, type DependencyContainer } from '../connection/tsyringe.js';
import {
  ConnectionAbortedError,
  LOGGER,
  LOGGER_FACTORY,
  LOG_CATEGORIES,
  LOG_EVENTS,
  NextCalledTwiceError,
  silentLogger,
  type LogEventFields,
  type LogFields,
  type Logger,
  type LoggerFactory,
} from '../connection/index.js';
import { HttpProtocolError, type HeaderList, type HttpApplication, type HttpExchange } from '../protocols/http/index.js';
import { PipelineConfigError } from './errors.js';
import { HttpContext, requestScopeOf, runCompletedCallbacks, type ApplicationServices } from './http-context.js';
import { HttpError } from './http-error.js';
import { streamAbortedFor } from './http-response.js';
import { isValidMapPrefix, matchesPrefix } from './path.js';
import { WebSocketHost } from './web-socket-host.js';
import { WEB_SOCKET_OPTIONS, resolveWebSocketOptions, type ResolvedWebSocketOptions, type WebSocketOptions } from './web-socket-options.js';

/** Runs the rest of the pipeline. Return (or await) what it returns. */
export type Next = () => void | Promise<void>;
/**
 * A request middleware. Sync-first: return undefined when done synchronously, a promise
 * otherwise. A middleware that calls `next()` without returning or awaiting its result is still
 * waited for, but cannot act after the rest of the pipeline.
 */
export type Middleware = (ctx: HttpContext, next: Next) => void | Promise<void>;
/** The end of a pipeline: answers the request and does not call anything further. */
export type RequestHandler = (ctx: HttpContext) => void | Promise<void>;
export type RequestPredicate = (ctx: HttpContext) => boolean;

export interface ApplicationBuilderOptions {
  /**
   * Where unhandled errors are logged. Default: the `tiercel.pipeline` logger of the
   * `LOGGER_FACTORY` registered in the builder's container (or its parents), else its `LOGGER`,
   * else nowhere: the pipeline never writes to the console itself.
   */
  logger?: Logger;
}

/** A composed pipeline (ASP.NET's RequestDelegate); built once, called per request. */
type Delegate = (ctx: HttpContext) => void | Promise<void>;

type Component =
  | { readonly kind: 'use'; readonly middleware: Middleware }
  | { readonly kind: 'map'; readonly prefix: string; readonly branch: ApplicationBuilder }
  | { readonly kind: 'when'; readonly predicate: RequestPredicate; readonly branch: ApplicationBuilder };

/** The client's doing: a 4xx rejection, or the client going away mid-request. */
function isClientError(err: unknown): boolean {
  return err instanceof ConnectionAbortedError || ((err instanceof HttpProtocolError || err instanceof HttpError) && err.status < 500);
}

function isPromise(value: unknown): value is Promise<void> {
  return value !== undefined && typeof (value as Promise<void>).then === 'function';
}

// The end of every pipeline that has no `run`: nobody answered. Only the status is set, as in
// ASP.NET, so a middleware that called next() can still see the 404 and answer differently.
const notFound: Delegate = (ctx) => {
  if (!ctx.exchange.headersSent) ctx.exchange.statusCode = 404;
};

function useDelegate(middleware: Middleware, next: Delegate): Delegate {
  return (ctx) => {
    let called = false;
    let downstream: void | Promise<void> = undefined;
    const result = middleware(ctx, () => {
      if (called) throw new NextCalledTwiceError();
      called = true;
      return (downstream = next(ctx));
    });
    // A sync middleware that dropped next()'s promise: wait for it anyway, so the request does not
    // complete (and its errors do not go unseen) while the rest of the pipeline still runs.
    return result === undefined ? downstream : result;
  };
}

function mapDelegate(prefix: string, branch: Delegate, next: Delegate): Delegate {
  return (ctx) => {
    const req = ctx.request;
    const path = req.path;
    if (!matchesPrefix(path, prefix)) return next(ctx);
    const base = req.pathBase;
    req.pathBase = base + path.slice(0, prefix.length);
    req.path = path.slice(prefix.length);
    let result: void | Promise<void>;
    try {
      result = branch(ctx);
    } catch (err) {
      req.path = path;
      req.pathBase = base;
      throw err;
    }
    if (isPromise(result)) {
      return result.then(
        () => {
          req.path = path;
          req.pathBase = base;
        },
        (err: unknown) => {
          req.path = path;
          req.pathBase = base;
          throw err;
        },
      );
    }
    req.path = path;
    req.pathBase = base;
    return result;
  };
}

function whenDelegate(predicate: RequestPredicate, branch: Delegate, next: Delegate): Delegate {
  return (ctx) => (predicate(ctx) ? branch(ctx) : next(ctx));
}

/**
 * Composes the request pipeline (ASP.NET's IApplicationBuilder). Register middleware with `use`,
 * branches with `map` and `when`, the handler with `run`, then `build()` once: the composition is
 * fixed at build time and nothing is composed per request.
 */
export class ApplicationBuilder {
  /** The container request scopes are created from; undefined means a private one is made on first need. */
  readonly services: DependencyContainer | undefined;
  readonly options: Readonly<ApplicationBuilderOptions>;
  readonly #components: Component[] = [];
  #terminal: RequestHandler | undefined = undefined;
  /** Set on builders made by map()/when(): application-wide settings belong to the root. */
  #isBranch = false;
  #webSockets: ResolvedWebSocketOptions | undefined = undefined;

  constructor(services?: DependencyContainer, options: ApplicationBuilderOptions = {}) {
    for (const key of Object.keys(options)) {
      if (key !== 'logger') throw new PipelineConfigError(`Unknown ApplicationBuilder option '${key}' (known: logger)`);
    }
    this.services = services;
    this.options = options;
  }

  use(middleware: Middleware): this {
    if (typeof middleware !== 'function') throw new PipelineConfigError('use() takes a function (ctx, next) => void | Promise<void>');
    this.#assertOpen('use');
    this.#components.push({ kind: 'use', middleware });
    return this;
  }

  /**
   * Branches on a path prefix of whole segments, ignoring case: `map('/api', …)` takes `/api` and
   * `/api/x`, not `/apix`. Inside, the prefix moves from `request.path` to `request.pathBase`;
   * both are restored when the branch returns. The branch does not rejoin: if nothing in it
   * answers, the request gets a 404.
   */
  map(prefix: string, configure: (branch: ApplicationBuilder) => void): this {
    if (!isValidMapPrefix(prefix)) {
      throw new PipelineConfigError(`map() takes a path that starts with '/' and does not end with '/', not ${JSON.stringify(prefix)}`);
    }
    this.#assertOpen('map');
    this.#components.push({ kind: 'map', prefix, branch: this.#branch(configure) });
    return this;
  }

  /**
   * Runs a branch for the requests `predicate` accepts; when the branch calls `next` at its end,
   * the main pipeline continues (ASP.NET's UseWhen). A branch that `run`s does not rejoin.
   */
  when(predicate: RequestPredicate, configure: (branch: ApplicationBuilder) => void): this {
    if (typeof predicate !== 'function') throw new PipelineConfigError('when() takes a predicate (ctx) => boolean');
    this.#assertOpen('when');
    this.#components.push({ kind: 'when', predicate, branch: this.#branch(configure) });
    return this;
  }

  /**
   * Configures the app's WebSockets (`ctx.webSockets`): limits, compression, keep-alive, allowed
   * origins (see `WebSocketOptions` for each default). Validated now. Optional: without it,
   * `ctx.webSockets` uses the defaults. Application-wide and not a middleware, so its position does
   * not matter; call it once, on the root builder.
   */
  useWebSockets(options: WebSocketOptions = {}): this {
    if (this.#isBranch) {
      throw new PipelineConfigError('useWebSockets() configures the whole application: call it on the root builder, not inside map() or when()');
    }
    if (this.#webSockets !== undefined) throw new PipelineConfigError('useWebSockets() was already called: pass every WebSocket option in one call');
    this.#webSockets = resolveWebSocketOptions(options);
    return this;
  }

  /** Sets the terminal handler. Nothing can be added after it. */
  run(handler: RequestHandler): this {
    if (typeof handler !== 'function') throw new PipelineConfigError('run() takes a function (ctx) => void | Promise<void>');
    this.#assertOpen('run');
    this.#terminal = handler;
    return this;
  }

  /**
   * Composes the pipeline into the application a protocol adapter calls for each request.
   * `services` is the container to use when the builder was given none (the host passes its own,
   * so request scopes and the LOGGER come from the server's container). Without `useWebSockets`,
   * the container's `WEB_SOCKET_OPTIONS` apply when it has them (the server's configuration).
   */
  build(services?: DependencyContainer): HttpApplication {
    const container = this.services ?? services;
    const webSockets = this.#webSockets ?? (container?.isRegistered(WEB_SOCKET_OPTIONS, true) ? container.resolve(WEB_SOCKET_OPTIONS) : undefined);
    return new PipelineApplication(this.#compose(notFound), container, this.options.logger, webSockets);
  }

  #compose(end: Delegate): Delegate {
    let app: Delegate = this.#terminal ?? end;
    for (let i = this.#components.length - 1; i >= 0; i--) {
      const c = this.#components[i];
      if (c.kind === 'use') app = useDelegate(c.middleware, app);
      else if (c.kind === 'map') app = mapDelegate(c.prefix, c.branch.#compose(notFound), app);
      else app = whenDelegate(c.predicate, c.branch.#compose(app), app);
    }
    return app;
  }

  #branch(configure: (branch: ApplicationBuilder) => void): ApplicationBuilder {
    if (typeof configure !== 'function') throw new PipelineConfigError('a branch is configured by a function (branch) => void');
    const branch = new ApplicationBuilder(this.services, this.options);
    branch.#isBranch = true;
    configure(branch);
    return branch;
  }

  #assertOpen(call: string): void {
    if (this.#terminal !== undefined) {
      throw new PipelineConfigError(`${call}() after run(): the handler given to run() ends the pipeline, so nothing after it would ever be called`);
    }
  }
}

const TEXT_PLAIN = 'text/plain; charset=utf-8';

function clearHeaders(headers: HeaderList): void {
  if (headers.size === 0) return;
  const names = new Set<string>();
  for (const [name] of headers) names.add(name);
  for (const name of names) headers.delete(name);
}

/**
 * The built pipeline: what the protocol adapter calls. It turns the outcome of the pipeline into
 * a response: a 404 when nobody answered, an error status when something threw, the end of a
 * response the app left open; then it disposes the request's DI scope if one was made.
 */
class PipelineApplication implements HttpApplication, ApplicationServices {
  readonly #app: Delegate;
  #container: DependencyContainer | undefined;
  #logger: Logger | undefined;
  #badRequestLogger: Logger | undefined;
  #loggers: Map<string, Logger> | undefined;
  readonly #given: Logger | undefined;
  readonly #webSocketOptions: ResolvedWebSocketOptions | undefined;
  #webSocketHost: WebSocketHost | undefined;

  constructor(app: Delegate, container: DependencyContainer | undefined, logger: Logger | undefined, webSockets: ResolvedWebSocketOptions | undefined) {
    this.#app = app;
    this.#container = container;
    this.#logger = logger;
    this.#given = logger;
    this.#webSocketOptions = webSockets;
  }

  webSocketHost(): WebSocketHost {
    return (this.#webSocketHost ??= new WebSocketHost(this.#webSocketOptions ?? resolveWebSocketOptions(), () => this.#log()));
  }

  container(): DependencyContainer {
    // A child of tsyringe's root, never the root itself: nothing is registered globally.
    return (this.#container ??= loadTsyringe().container.createChildContainer());
  }

  // A bound field so the protocol may call it detached; one closure per app, not per request.
  readonly handle = (exchange: HttpExchange): void | Promise<void> => {
    const ctx = new HttpContext(exchange, this);
    let result: void | Promise<void>;
    try {
      result = this.#app(ctx);
    } catch (err) {
      this.#fail(ctx, err);
      return this.#complete(ctx);
    }
    if (isPromise(result)) {
      return result.then(
        () => this.#complete(ctx),
        (err: unknown) => {
          this.#fail(ctx, err);
          return this.#complete(ctx);
        },
      );
    }
    return this.#complete(ctx);
  };

  #complete(ctx: HttpContext): void | Promise<void> {
    // The protocol's one completion path (it would run it too once this returns): now, so that
    // the response does not wait for the request scope's disposal.
    ctx.exchange.complete();
    runCompletedCallbacks(ctx, this.#onCompletedError);
    const scope = requestScopeOf(ctx);
    if (scope === undefined) return undefined;
    let disposed: void | Promise<void>;
    try {
      disposed = scope.dispose();
    } catch (err) {
      this.#log().error(this.#fields(ctx, err), 'Disposing the request services failed');
      return undefined;
    }
    if (isPromise(disposed)) {
      return disposed.then(undefined, (err: unknown) => {
        this.#log().error(this.#fields(ctx, err), 'Disposing the request services failed');
      });
    }
    return undefined;
  }

  #fail(ctx: HttpContext, err: unknown): void {
    const ex = ctx.exchange;
    if (ex.aborted.aborted) {
      if (streamAbortedFor(err) && !isClientError(err)) {
        this.#log().error(this.#fields(ctx, err), 'The response stream failed; the connection was aborted');
      } else {
        // The client left (or the protocol gave up): an error now is expected, not a bug.
        this.#badRequestLog().debug(this.#fields(ctx, err, LOG_EVENTS.ClientAborted), 'The request failed after it was aborted');
      }
      return;
    }
    // A client's fault (a body that broke off, a bad chunk, a slow upload) surfacing through the
    // app once its answer is under way is no bug of the app's: debug, one line, no stack.
    const clientFault = isClientError(err);
    if (ex.responseEnded) {
      if (clientFault) this.#badRequestLog().debug(this.#clientFields(ctx, err), 'The client failed the request after its response ended');
      else this.#log().error(this.#fields(ctx, err), 'Unhandled error after the response ended');
      return;
    }
    if (ex.headersSent) {
      // A status has gone out with part of a body: the only honest signal left is to cut the
      // connection, so the client does not take a truncated body for a whole one.
      if (clientFault) this.#badRequestLog().debug(this.#clientFields(ctx, err), 'The client failed the request during its response; aborting the connection');
      else this.#log().error(this.#fields(ctx, err), 'Unhandled error after the response started; aborting the connection');
      ex.abort(err);
      return;
    }
    let status = 500;
    let body: string | undefined;
    let headers: HttpError['headers'];
    if (err instanceof HttpError) {
      status = err.status;
      if (err.expose) body = err.message;
      headers = err.headers;
      if (status >= 500) this.#log().error(this.#fields(ctx, err), 'Request failed');
      else this.#badRequestLog().debug(this.#fields(ctx, err, LOG_EVENTS.RequestRejected), 'Request rejected');
    } else if (err instanceof HttpProtocolError) {
      status = err.status;
      this.#badRequestLog().debug(this.#fields(ctx, err, LOG_EVENTS.RequestRejected), 'Request rejected by the protocol');
    } else {
      this.#log().error(this.#fields(ctx, err), 'Unhandled error in the request pipeline');
    }
    try {
      // What the app set was for the response it meant to send, not for this one (ASP.NET clears too).
      const list = ex.responseHeaders;
      clearHeaders(list);
      ex.statusCode = status;
      if (headers !== undefined) for (const name of Object.keys(headers)) list.set(name, headers[name]);
      if (body !== undefined) {
        list.set('content-type', TEXT_PLAIN);
        ex.end(body);
      } else {
        ex.end();
      }
    } catch (sendErr) {
      this.#log().error(this.#fields(ctx, sendErr), 'Could not send the error response; aborting the connection');
      ex.abort(sendErr);
    }
  }

  #fields(ctx: HttpContext, err: unknown, event: LogEventFields = LOG_EVENTS.ApplicationError): LogFields {
    const ex = ctx.exchange;
    // The stack goes with `err` (pino's err serialiser and the console logger both write it).
    return { ...event, connectionId: ex.connection.id, method: ex.method, target: ex.target, err };
  }

  #clientFields(ctx: HttpContext, err: unknown): LogFields {
    const ex = ctx.exchange;
    const e = err as { code?: unknown; message?: unknown };
    return { ...LOG_EVENTS.ClientAborted, connectionId: ex.connection.id, method: ex.method, target: ex.target, code: e.code, reason: e.message };
  }

  /** `tiercel.bad-requests`: a client's faults, at debug (the logger given to the builder, if one was). */
  #badRequestLog(): Logger {
    return (this.#badRequestLogger ??= this.#given ?? this.#create(LOG_CATEGORIES.badRequests));
  }

  #log(): Logger {
    return (this.#logger ??= this.#create(LOG_CATEGORIES.pipeline));
  }

  logger(category: string): Logger {
    const loggers = (this.#loggers ??= new Map());
    let logger = loggers.get(category);
    if (logger === undefined) loggers.set(category, (logger = this.#given ?? this.#create(category)));
    return logger;
  }

  readonly #onCompletedError = (err: unknown): void => {
    this.#log().error({ ...LOG_EVENTS.ApplicationError, err }, 'An onCompleted callback threw; the other callbacks still ran');
  };

  #create(category: string): Logger {
    const c = this.#container;
    return c === undefined
      ? silentLogger
      : c.isRegistered(LOGGER_FACTORY, true)
        ? c.resolve<LoggerFactory>(LOGGER_FACTORY).create(category)
        : c.isRegistered(LOGGER, true)
          ? c.resolve<Logger>(LOGGER)
          : silentLogger;
  }
}
