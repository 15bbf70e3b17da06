import type { DependencyContainer } from 'tsyringe';
import { FeatureCollection, TlsFeature, TransportFeature, type Endpoint, type Logger } from '../connection/index.js';
import type { HttpExchange } from '../protocols/http/index.js';
import { HttpRequest } from './http-request.js';
import { HttpResponse } from './http-response.js';
import type { WebSocketHost } from './web-socket-host.js';
import { WebSocketManager } from './web-sockets.js';

/** Where the request came from: the connection's identity, read from the exchange on first use. */
export class ConnectionInfo {
  readonly id: string;
  readonly localEndpoint: Endpoint;
  /**
   * The client as the app should see it: the connection's remote endpoint, unless a middleware
   * that knows better (forwarded headers from a trusted proxy) set it for this request.
   */
  remoteEndpoint: Endpoint;
  /** The immediate peer (the socket's remote endpoint, or a proxy's), whatever a middleware set above. */
  readonly peerEndpoint: Endpoint;
  /** The transport's name ('tcp', 'pipe', 'memory', …), or undefined if it did not say. */
  readonly transport: string | undefined;
  /**
   * What TLS settled (ALPN protocol, version, cipher, SNI host name, client certificate), or
   * undefined on a cleartext connection.
   */
  readonly tls: TlsFeature | undefined;

  constructor(exchange: HttpExchange) {
    const c = exchange.connection;
    this.id = c.id;
    this.localEndpoint = c.localEndpoint;
    this.remoteEndpoint = this.peerEndpoint = c.remoteEndpoint;
    this.transport = c.features.get(TransportFeature)?.name;
    this.tls = c.features.get(TlsFeature);
  }

  /** True when the connection is encrypted (TLS connection middleware ran). */
  get isSecure(): boolean {
    return this.tls !== undefined;
  }
}

/**
 * What the pipeline knows of the app: its root container, created on first need. One per built
 * application, shared by every request.
 */
export interface ApplicationServices {
  /** The app's container; request scopes are its children. */
  container(): DependencyContainer;
  /** The app's WebSockets (one ws server in noServer mode, the keep-alive), created on first accept. */
  webSocketHost(): WebSocketHost;
  /** The app's logger of `category` (from the container's LOGGER_FACTORY), made once per category. */
  logger(category: string): Logger;
}

/**
 * The route a router matched for this request: its template as registered (`/users/:id`, relative
 * to `request.pathBase`) and the values of its parameters. What metrics report as `http.route`.
 */
export interface RouteMatch {
  readonly template: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Called once the response has completed (ended, or aborted); `state` is what was registered with it. */
export type CompletedCallback<S> = (ctx: HttpContext, state: S) => void;

/**
 * The parts of an `HttpContext` that few requests use, apart: a context is made per request, and
 * the young-generation collections its garbage costs grow with its size (seven slots a request
 * that uses none of them, as the benchmarked routes do).
 */
class ContextExtras {
  connection: ConnectionInfo | undefined = undefined;
  features: FeatureCollection | undefined = undefined;
  items: Map<unknown, unknown> | undefined = undefined;
  services: DependencyContainer | undefined = undefined;
  webSockets: WebSocketManager | undefined = undefined;
  signal: AbortSignal | undefined = undefined;
  moreCompleted: [CompletedCallback<never>, unknown][] | undefined = undefined;
}

// Set by HttpContext's static block (declared first: a `let` after the class would be in its TDZ).
let scopeOf: (ctx: HttpContext) => DependencyContainer | undefined;
let runCompleted: (ctx: HttpContext, onError: (err: unknown) => void) => void;

/**
 * One request as the app sees it. Everything beyond the request and the response (features,
 * items, the request's DI scope, connection info) is created the first time it is asked for:
 * a handler that does not use them does not pay for them.
 */
export class HttpContext {
  readonly request: HttpRequest;
  readonly response: HttpResponse;
  /**
   * The protocol-level exchange, for what the request and response do not cover: ask it for a
   * feature (`exchange.feature(HttpUpgradeFeature)`, `HttpExtendedConnectFeature`, …), which is
   * undefined when the request's protocol does not offer it.
   */
  readonly exchange: HttpExchange;
  readonly #app: ApplicationServices;
  /** What few requests ask for, in one object made on first need (see `ContextExtras`). */
  #extras: ContextExtras | undefined = undefined;
  #route: RouteMatch | undefined = undefined;
  // Kestrel's OnCompleted list: one slot inline (an access log), an array only past it.
  #completed: CompletedCallback<never> | undefined = undefined;
  #completedState: unknown = undefined;

  constructor(exchange: HttpExchange, app: ApplicationServices) {
    this.exchange = exchange;
    this.request = new HttpRequest(exchange);
    this.response = new HttpResponse(exchange);
    this.#app = app;
  }

  /** The route a router matched (middleware/router sets it), or undefined before or without one. */
  get route(): RouteMatch | undefined {
    return this.#route;
  }

  /** Also tells the exchange the full template (`pathBase` + template), for metrics' `http.route`. */
  set route(match: RouteMatch | undefined) {
    this.#route = match;
    this.exchange.route = match === undefined ? undefined : this.request.pathBase + match.template;
  }

  get connection(): ConnectionInfo {
    const extras = this.#more();
    return (extras.connection ??= new ConnectionInfo(this.exchange));
  }

  /** Features of this request (not of the connection: those are in `exchange.connection.features`). */
  get features(): FeatureCollection {
    const extras = this.#more();
    return (extras.features ??= new FeatureCollection());
  }

  /** Per-request state shared between middleware, keyed by anything. */
  get items(): Map<unknown, unknown> {
    const extras = this.#more();
    return (extras.items ??= new Map());
  }

  /**
   * The request's DI scope: a child of the app's container, so `Lifecycle.ContainerScoped`
   * registrations made directly on the app's container get one instance per request. Disposed
   * (with its disposable instances) when the request's pipeline finishes.
   */
  get services(): DependencyContainer {
    const extras = this.#more();
    return (extras.services ??= this.#app.container().createChildContainer());
  }

  /** The request's WebSocket side: `isWebSocketRequest`, `accept()` (ASP.NET's `HttpContext.WebSockets`). */
  get webSockets(): WebSocketManager {
    const extras = this.#more();
    return (extras.webSockets ??= new WebSocketManager(this.exchange, this.#app));
  }

  /**
   * Runs `callback(ctx, state)` once the response has completed: ended and handed to the protocol,
   * or aborted (the app returned or threw, and the pipeline finished the response). The status,
   * `exchange.bytesSent` and `signal.aborted` are then final. Kestrel's `Response.OnCompleted`;
   * with `state` a middleware needs no closure per request. Callbacks run in registration order;
   * one that throws is logged, and the others still run.
   */
  onCompleted<S>(callback: CompletedCallback<S>, state: S): void {
    if (this.#completed === undefined) {
      this.#completed = callback as CompletedCallback<never>;
      this.#completedState = state;
    } else {
      (this.#more().moreCompleted ??= []).push([callback as CompletedCallback<never>, state]);
    }
  }

  /** The app's logger of `category` (`tiercel.access`, or one of your own): made once per app, not per request. */
  logger(category: string): Logger {
    return this.#app.logger(category);
  }

  /**
   * Fires when the client goes away (or the exchange is aborted) before the response ended.
   * Settable, for middleware that adds a reason to give up (a request timeout sets a signal that
   * also fires at its deadline); set one that follows the previous signal too.
   */
  get signal(): AbortSignal {
    return this.#extras?.signal ?? this.exchange.aborted;
  }

  set signal(value: AbortSignal) {
    this.#more().signal = value;
  }

  #more(): ContextExtras {
    return (this.#extras ??= new ContextExtras());
  }

  static {
    scopeOf = (ctx) => ctx.#extras?.services;
    runCompleted = (ctx, onError) => {
      const first = ctx.#completed;
      if (first === undefined) return;
      ctx.#completed = undefined;
      try {
        first(ctx, ctx.#completedState as never);
      } catch (err) {
        onError(err);
      }
      const extras = ctx.#extras;
      const more = extras?.moreCompleted;
      if (more === undefined) return;
      extras!.moreCompleted = undefined;
      for (const [callback, state] of more) {
        try {
          callback(ctx, state as never);
        } catch (err) {
          onError(err);
        }
      }
    };
  }
}

/**
 * The request scope if one was created, for the pipeline to dispose. Module-private in spirit:
 * index.ts does not export it, so apps cannot reach a scope they did not ask for.
 */
export function requestScopeOf(ctx: HttpContext): DependencyContainer | undefined {
  return scopeOf(ctx);
}

/** Runs the `onCompleted` callbacks once; for the pipeline, after the response has completed. */
export function runCompletedCallbacks(ctx: HttpContext, onError: (err: unknown) => void): void {
  runCompleted(ctx, onError);
}
