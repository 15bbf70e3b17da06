import type { Duplex } from 'node:stream';
import type { Endpoint } from './endpoint.js';
import { ConnectionAbortedError, ConnectionClosedError } from './errors.js';
import { FeatureCollection } from './features.js';
import { connectionIdText, nextConnectionNumber } from './connection-id.js';

export interface ConnectionContextInit {
  transport: Duplex;
  localEndpoint: Endpoint;
  /**
   * The peer, or what reads it from `transport` on first use (`RemoteEndpointReader`): most
   * connections are never asked who their peer is.
   */
  remoteEndpoint: Endpoint | RemoteEndpointReader;
  /** Features the connection starts with (copied: later changes to either are not shared). */
  features?: FeatureCollection;
  /** Features shared by many connections (a listener's), read where the connection has none of its own. */
  defaultFeatures?: FeatureCollection;
  id?: string;
}

/**
 * Reads a connection's remote endpoint from the transport it was accepted on, when someone first
 * asks (`ConnectionContext.remoteEndpoint`). One serves every connection of a listener: the endpoint
 * made at accept, and node's cached peer address behind it, were ~140 bytes each idle connection
 * kept, and node:http and fastify read the peer's address only when asked, as this does.
 */
export abstract class RemoteEndpointReader {
  /**
   * The peer of `transport`. Called once per connection, at the first ask; a transport that can no
   * longer tell (the peer reset the connection before anyone asked) gives what it knows, as an
   * endpoint of its kind with an empty address.
   */
  abstract readRemoteEndpoint(transport: Duplex): Endpoint;
}

/**
 * What the protocol reading `ConnectionContext.transport` is told of the transport's errors and
 * close, through the context's own listeners (`ConnectionContext.watchTransport`): node keeps one
 * function per event where a listener of the protocol's beside the context's made an array.
 */
export interface TransportWatcher {
  /** The transport failed (its 'error'); 'close' follows. */
  handleTransportError(err: Error): void;
  /** The transport closed (its 'close'). */
  handleTransportClose(): void;
}

/**
 * How a connection ended:
 * - 'end': the transport closed without an error and nobody aborted it (a graceful close: the
 *   peer's FIN, ours, or both); `closed.reason` is a `ConnectionClosedError`.
 * - 'abort': `abort()` was called (by the server: a limit, a timeout, shutdown, a failed pipeline),
 *   or the transport failed (the peer reset it, a write to a peer that is gone); `closed.reason` is
 *   the abort's reason, or a `ConnectionAbortedError` whose `cause` is the transport's error.
 */
export type ConnectionCloseKind = 'end' | 'abort';

/**
 * What `ConnectionContext.onClosed` calls: a function, or an object's `handleConnectionClosed()`
 * (as `CloseRequestListener`), so that whoever waits for the end need not keep a closure for it.
 */
export type ConnectionClosedListener = ((reason: Error) => void) | { handleConnectionClosed(reason: Error): void };

function callClosedListener(listener: ConnectionClosedListener, reason: Error): void {
  if (typeof listener === 'function') listener(reason);
  else listener.handleConnectionClosed(reason);
}

/** Where the shared listeners find the context of the transport they were added to. */
const kContext = Symbol('tiercel.connection-context');
type Owned = Duplex & { [kContext]?: ConnectionContext };

/** `#state`'s bits: how the connection ended, and whether `close()` was called. */
const enum State {
  Ended = 1,
  Aborted = 2,
  /** `close()` was called: our output is complete, only the peer's FIN is awaited. */
  Closing = 4,
}

/** What few connections use, made on first use: one field where two were kept on every connection. */
class RareState {
  items: Map<unknown, unknown> | undefined;
  controller: AbortController | undefined;
  /** `close()`'s deadline for the peer's FIN. */
  linger: ReturnType<typeof setTimeout> | undefined;
}

/** A 'finish' listener: the stream's output is flushed, and its input ended before. */
function destroyOnFinish(this: Duplex): void {
  this.destroy();
}

// Written to only where it can be (node's --frozen-intrinsics makes it read-only).
const stackLimitWritable = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')?.writable === true;

/**
 * The reason of a graceful close, made without a stack trace: it is no fault, and its stack would
 * show only node's socket internals. Capturing one cost ~350 bytes each closed connection.
 */
function gracefulCloseReason(): ConnectionClosedError {
  if (!stackLimitWritable) return new ConnectionClosedError();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new ConnectionClosedError();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * One accepted connection as it passes through connection middleware to a protocol.
 *
 * `transport` is the byte stream the next layer reads and writes. Middleware may replace it
 * (TLS swaps it for the decrypted stream); whoever replaces it owns the old one's lifetime.
 * `closed` fires once, when the connection is aborted or the transport closes; `closeKind` says
 * whether that was a graceful end or an abort.
 *
 * The context is its own feature collection (`features` is the context), as Kestrel's connection
 * is: one object where two were kept for every open connection.
 */
export class ConnectionContext extends FeatureCollection {
  /**
   * The id's number until someone asks for its text: most connections are never logged at debug
   * level, and the joined text (a rope of three strings) was ~130 bytes each idle connection kept.
   */
  #id: string | number;
  #transport: Duplex;
  /**
   * Our side of the connection. Connection middleware may replace it, as the remote one, before
   * calling `next()` (the PROXY protocol sets the address the client connected to).
   */
  localEndpoint: Endpoint;
  /** The peer, or what reads it at the first ask. */
  #remote: Endpoint | RemoteEndpointReader;
  #rare: RareState | undefined;
  #state = 0;
  /**
   * The listeners of `onClosed` until the connection ends, then the reason it ended (an Error,
   * which no listener is): one field for two states that never overlap. One listener is kept as
   * itself: most connections have one, and an upgraded one keeps it for as long as its new owner
   * keeps the transport open.
   */
  #closed: ConnectionClosedListener | ConnectionClosedListener[] | Error | undefined;
  #watcher: TransportWatcher | undefined;
  readonly #original: Duplex;

  constructor(init: ConnectionContextInit) {
    super(init.defaultFeatures);
    this.#id = init.id ?? nextConnectionNumber();
    this.#transport = init.transport;
    this.#original = init.transport;
    this.localEndpoint = init.localEndpoint;
    this.#remote = init.remoteEndpoint;
    if (init.features !== undefined) for (const [key, value] of init.features) this.set(key, value);
    if (init.transport.destroyed) ConnectionContext.#transportClosed(this);
    else ConnectionContext.#listen(this, init.transport);
  }

  /**
   * One 'close' and one 'error' listener shared by every connection (`this` is the transport),
   * which find their context through a symbol: a closure per connection was a function and a
   * context object that each idle connection kept. `on`, not `once`: 'close' fires once, and a
   * `once` wrapper is two more objects. The 'error' listener keeps a failing transport from
   * crashing the process (its error is read at close, as `transport.errored`): nobody else need add
   * one, and node keeps a single function per event instead of an array of them.
   */
  static #listen(ctx: ConnectionContext, transport: Duplex): void {
    (transport as Owned)[kContext] = ctx;
    transport.on('error', ConnectionContext.#onTransportError);
    transport.on('close', ConnectionContext.#onTransportClose);
  }

  static #onTransportError(this: Owned, err: Error): void {
    const ctx = this[kContext];
    if (ctx !== undefined && this === ctx.#transport) ctx.#watcher?.handleTransportError(err);
  }

  static #onTransportClose(this: Owned): void {
    const ctx = this[kContext];
    if (ctx === undefined) return;
    if (this === ctx.#original) ConnectionContext.#transportClosed(ctx);
    if (this === ctx.#transport) {
      if ((ctx.#state & State.Closing) !== 0) ConnectionContext.#closeDone(ctx);
      ctx.#watcher?.handleTransportClose();
    }
  }

  /** Unique within the process; sorts in creation order (see `nextConnectionId`). */
  get id(): string {
    const id = this.#id;
    if (typeof id === 'string') return id;
    const text = connectionIdText(id);
    this.#id = text;
    return text;
  }

  /** The transport the connection was accepted on: `transport` until middleware replaced it. */
  get acceptedTransport(): Duplex {
    return this.#original;
  }

  /** The byte stream the next layer reads and writes (see the class). */
  get transport(): Duplex {
    return this.#transport;
  }

  set transport(transport: Duplex) {
    if (transport === this.#transport) return;
    this.#transport = transport;
    // The context listens to every transport it is given, so that its watcher and its error
    // handling follow the replacement (TLS's decrypted stream).
    if (transport !== this.#original && !transport.destroyed) ConnectionContext.#listen(this, transport);
  }

  /**
   * The peer. Connection middleware may replace it before calling `next()`: behind a proxy that
   * sends the PROXY protocol it becomes the client's endpoint, and the transport's stays in
   * `ProxyProtocolFeature` (Kestrel's `RemoteEndPoint` is settable for the same reason). Read from
   * the transport at the first ask when the transport gave a `RemoteEndpointReader`.
   */
  get remoteEndpoint(): Endpoint {
    const remote = this.#remote;
    if (!(remote instanceof RemoteEndpointReader)) return remote;
    const endpoint = remote.readRemoteEndpoint(this.#original);
    this.#remote = endpoint;
    return endpoint;
  }

  set remoteEndpoint(endpoint: Endpoint) {
    this.#remote = endpoint;
  }

  /** The connection's features: the context itself (see the class). */
  get features(): FeatureCollection {
    return this;
  }

  /**
   * Tells `watcher` of the errors and close of `transport` (the current one) through the context's
   * own listeners, in place of listeners of the protocol's own on the transport; `undefined` stops
   * (a protocol that hands the transport over). One watcher at a time: the protocol reading it.
   */
  watchTransport(watcher: TransportWatcher | undefined): void {
    this.#watcher = watcher;
  }

  /**
   * For a new owner of the current transport that handles its 'error' itself (ws, once upgraded):
   * the context's own 'error' listener on it goes, so that node keeps the owner's alone instead of
   * an array of the two (~64 bytes each upgraded connection kept). The context still reads the
   * error at the close (`transport.errored`); while no other listener is there, its own stays.
   */
  yieldTransportErrors(): void {
    const t = this.#transport;
    if (this.#watcher === undefined && t.listenerCount('error') > 1) t.off('error', ConnectionContext.#onTransportError);
  }

  /**
   * A transport that closes on its own ended gracefully unless it (or the one replacing it) failed.
   * (The context's helpers are static: a private instance method makes V8 keep a brand field in
   * every instance, 8 bytes each connection.)
   */
  static #transportClosed(ctx: ConnectionContext): void {
    const failure = ctx.#transport.errored ?? ctx.#original.errored;
    if (failure === null) ConnectionContext.#markClosed(ctx, gracefulCloseReason(), 'end');
    else ConnectionContext.#markClosed(ctx, new ConnectionAbortedError(`The connection failed: ${failure.message}`, { cause: failure }), 'abort');
  }

  /** Per-connection state shared between middleware, keyed by anything. */
  get items(): Map<unknown, unknown> {
    const rare = (this.#rare ??= new RareState());
    return (rare.items ??= new Map());
  }

  /** Fires when the connection ends for any reason; `closed.reason` says why, `closeKind` how. */
  get closed(): AbortSignal {
    // Made on first use: an idle keep-alive connection should cost as little as node:http's, and
    // most never need an AbortController.
    const rare = (this.#rare ??= new RareState());
    if (rare.controller === undefined) {
      rare.controller = new AbortController();
      const closed = this.#closed;
      if (closed instanceof Error) rare.controller.abort(closed);
    }
    return rare.controller.signal;
  }

  /** 'end' or 'abort' once the connection has ended (see `ConnectionCloseKind`); undefined before. */
  get closeKind(): ConnectionCloseKind | undefined {
    const state = this.#state;
    return (state & State.Aborted) !== 0 ? 'abort' : (state & State.Ended) !== 0 ? 'end' : undefined;
  }

  /** True once the connection has ended (the cheap form of `closed.aborted`). */
  get isClosed(): boolean {
    return this.#closed instanceof Error;
  }

  /**
   * Calls `listener` once when the connection ends (at once if it has): the cheap form of
   * `closed.addEventListener('abort', …)`, with no AbortController behind it.
   */
  onClosed(listener: ConnectionClosedListener): void {
    const listeners = this.#closed;
    if (listeners instanceof Error) callClosedListener(listener, listeners);
    else if (listeners === undefined) this.#closed = listener;
    else if (!Array.isArray(listeners)) this.#closed = [listeners, listener];
    // Arrays of exactly their length while short: a push reserves 16 more slots (~70 bytes) that
    // an open connection keeps, and most have one or two of these listeners.
    else if (listeners.length < 4) this.#closed = [...listeners, listener];
    else listeners.push(listener);
  }

  static #markClosed(ctx: ConnectionContext, reason: Error, kind: ConnectionCloseKind): void {
    const listeners = ctx.#closed;
    if (listeners instanceof Error) return;
    ctx.#closed = reason;
    ctx.#state |= kind === 'abort' ? State.Aborted : State.Ended;
    ctx.#rare?.controller?.abort(reason);
    if (Array.isArray(listeners)) for (const l of listeners) callClosedListener(l, reason);
    else if (listeners !== undefined) callClosedListener(listeners, reason);
  }

  /**
   * Ends the connection now, without a graceful close: `closed` fires with the reason
   * (`closeKind` 'abort'), the transport the connection was accepted on is reset where it can
   * send one (a TCP socket, an in-memory connection: the peer sees ECONNRESET rather than a clean
   * end it could mistake for a complete answer; a unix socket closes) and the transport that
   * replaced it, if any, is destroyed. During `close()`'s linger the output is already complete
   * and ended: the abort then only stops waiting for the peer, without a reset that could destroy
   * what the peer has not read yet.
   */
  abort(reason?: unknown): void {
    ConnectionContext.#abort(this, reason instanceof Error ? reason : new ConnectionAbortedError(reason === undefined ? undefined : String(reason)), (this.#state & State.Closing) === 0);
  }

  static #abort(ctx: ConnectionContext, error: Error, reset: boolean): void {
    ConnectionContext.#markClosed(ctx, error, 'abort');
    const original = ctx.#original;
    if (!original.destroyed) {
      if (reset) resetOrDestroy(original);
      else original.destroy();
    }
    if (ctx.#transport !== original && !ctx.#transport.destroyed) ctx.#transport.destroy();
  }

  /**
   * Closes the connection gracefully: ends the writable side (flushing what is queued), reads and
   * drops what the peer still sends, and destroys the transport when the peer ends too or after
   * `lingerMs`. Closing at once could make the kernel answer late input with a reset that
   * destroys the response the peer has not read yet (the reason for nginx's lingering close).
   */
  close(lingerMs = 1_000): void {
    // Once is enough: a second call would only arm a second deadline.
    if ((this.#state & State.Closing) !== 0) return;
    this.#state |= State.Closing;
    const t = this.transport;
    if (t.destroyed) {
      if (this.#original !== t && !this.#original.destroyed) this.#original.destroy();
      return;
    }
    if (!t.writableEnded) t.end();
    // What follows finds the context through the transport (its 'close' listener, the timer's
    // argument): a closure, a `once` wrapper and a named function each were garbage per close.
    if (t.readableEnded) {
      // The peer's FIN came first (as most keep-alive connections end): only ours is left to
      // send. net.Socket destroys itself once it has; another Duplex may not.
      if (t.writableFinished) t.destroy();
      else t.on('finish', destroyOnFinish);
      // With nothing written still in flight the FIN leaves whether or not the peer reads: no
      // deadline to keep. Output still in flight waits on the peer reading it, and has one.
      if (t.writableLength === 0) return;
    }
    const rare = (this.#rare ??= new RareState());
    rare.linger = setTimeout(ConnectionContext.#lingerExpired, lingerMs, this);
    rare.linger.unref();
    if (t.readableEnded) return;
    // Drain what the peer still sends so its FIN can arrive, but never let it hold us forever.
    t.resume();
    // No reset here: the response is sent, and a reset could destroy what the peer has not read.
    // A stream that ended both ways but does not auto-destroy still has to go.
    t.on('end', ConnectionContext.#onLingerEnd);
  }

  static #onLingerEnd(this: Duplex): void {
    if (this.writableFinished) this.destroy();
    else this.on('finish', destroyOnFinish);
  }

  static #lingerExpired(ctx: ConnectionContext): void {
    ConnectionContext.#abort(ctx, new ConnectionAbortedError('The peer did not close in time'), false);
  }

  /** The transport closed after `close()`: the deadline goes, and the transport it replaced with it. */
  static #closeDone(ctx: ConnectionContext): void {
    const rare = ctx.#rare;
    if (rare?.linger !== undefined) {
      clearTimeout(rare.linger);
      rare.linger = undefined;
    }
    if (ctx.#original !== ctx.#transport && !ctx.#original.destroyed) ctx.#original.destroy();
  }
}

/**
 * Resets `stream` where it can send a reset (`resetAndDestroy`: a TCP socket, an in-memory end);
 * anything else (a unix socket refuses, a plain Duplex has none) is destroyed.
 */
function resetOrDestroy(stream: Duplex): void {
  const reset = (stream as { resetAndDestroy?: () => unknown }).resetAndDestroy;
  if (typeof reset === 'function') {
    try {
      reset.call(stream);
      return;
    } catch {
      // ERR_INVALID_HANDLE_TYPE: a pipe has no reset; its close is the abort.
    }
  }
  stream.destroy();
}
