import http2, { type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { Duplex } from 'node:stream';
import {
  ConnectionAbortedError,
  LifetimeFeature,
  TiercelError,
  LOG_EVENTS,
  isConnectionLost,
  setConnectionEndReason,
  kReader,
  type ReadBy,
  type ConnectionCompletion,
  type ConnectionContext,
  type ConnectionEndReason,
  type Logger,
} from '../../connection/index.js';
import {
  HttpProtocolError,
  rejectionReason,
  type Heartbeat,
  type HeartbeatHandler,
  type HttpApplication,
  type HttpLimits,
  type HttpLogs,
  type Http2Limits,
  type UpgradeCounter,
} from '../http/index.js';
import type { Http2Engine } from './http2-engine.js';
import { forwardEmit } from './forward-emit.js';
import { Http2Exchange, Output } from './http2-exchange.js';
import { readRequestHead, type Http2HeadLimits } from './http2-request-head.js';

const { NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_NO_ERROR, NGHTTP2_FLAG_END_STREAM } = http2.constants;

/**
 * How long a connection the server is closing (GOAWAY sent, no stream left) waits for the client
 * to read what is left and close its side before it is dropped; the linger
 * `ConnectionContext.close` gives a connection by default.
 */
const CLOSE_LINGER_MS = 1_000;

/** A client cancelled more streams per second than `http2.maxStreamResetsPerSecond` allows. */
export class Http2RapidResetError extends TiercelError {
  constructor(readonly resets: number) {
    super('ERR_TIERCEL_HTTP2_RAPID_RESET', `The client reset ${resets} streams within a second (rapid reset): the connection was closed with ENHANCE_YOUR_CALM`);
  }
}

/** A client sent more PING and SETTINGS frames per second than `http2.maxPingsPerSecond` allows. */
export class Http2PingFloodError extends TiercelError {
  constructor(readonly frames: number) {
    super('ERR_TIERCEL_HTTP2_PING_FLOOD', `The client sent ${frames} PING and SETTINGS frames within a second: the connection was closed with ENHANCE_YOUR_CALM`);
  }
}

/** A client sent more requests per second the server rejected before the app than `http2.maxRejectedRequestsPerSecond` allows. */
export class Http2RejectedRequestsError extends TiercelError {
  constructor(readonly rejected: number) {
    super(
      'ERR_TIERCEL_HTTP2_REJECTED_REQUESTS',
      `The client sent ${rejected} requests within a second that were rejected before the application (431, 400, 501): the connection was closed with ENHANCE_YOUR_CALM`,
    );
  }
}

/** A client sent more bytes per second without request content than `http2.maxControlBytesPerSecond` allows. */
export class Http2FloodError extends TiercelError {
  constructor(readonly bytesPerSecond: number) {
    super(
      'ERR_TIERCEL_HTTP2_FLOOD',
      `The client sent ${bytesPerSecond} bytes per second of frames without request content (a frame flood): the connection was closed with ENHANCE_YOUR_CALM`,
    );
  }
}

/**
 * Events counted per second for a flood guard: a window opens with the first event after the
 * last window ended (not on the clock's seconds), and the count starts again with it.
 */
class PerSecond {
  #start = 0;
  #count = 0;

  /** Counts one event at `now` (ms) and returns the count in its window. */
  add(now: number): number {
    if (now - this.#start >= 1_000) {
      this.#start = now;
      this.#count = 0;
    }
    return ++this.#count;
  }
}

/**
 * What few connections use, made on first use: most never see a reset, a rejected request or a
 * PING, never have output waiting at a heartbeat and are not closed by the server. One field of
 * the connection's where six were kept by every idle connection.
 */
class RareState {
  // The per-second flood guards, each made by the first event it counts.
  resets: PerSecond | undefined = undefined;
  pings: PerSecond | undefined = undefined;
  rejects: PerSecond | undefined = undefined;
  /** When the keep-alive PING went out, or 0 (times less `options.epoch`, as the connection's). */
  pingSentAt = 0;
  /** When the server started closing the connection, or 0. */
  closingSince = 0;
  // The minimum response data rate over the connection: streams waiting at the last heartbeat,
  // since when output has waited (or 0), and what had been written then.
  waitingStreams = 0;
  sendWaitSince = 0;
  sendWaitWritten = 0;
}

/** `Http2Connection`'s flag bits: one field where two booleans were kept by every connection. */
const enum ConnectionFlag {
  /** SETTINGS frames are to count toward `maxPingsPerSecond` once the client's first one is read. */
  SettingsPending = 1,
  /** The connection is closing (GOAWAY sent or due, or the session closed): resets and floods no longer count. */
  Closing = 2,
}

/** Where the shared listeners find their connection on its session and its refused streams (on its transport: `kReader`). */
const kConnection = Symbol('tiercel.http2.connection');
type Owned<T> = T & { [kConnection]?: Http2Connection };

/** The bytes a transport has read or written, for the transports that count them (sockets, TLS). */
interface ByteCounts {
  readonly bytesRead?: unknown;
  readonly bytesWritten?: unknown;
}

function bytesRead(t: Duplex): number {
  const n = (t as ByteCounts).bytesRead;
  return typeof n === 'number' ? n : -1;
}

function bytesWritten(t: Duplex): number {
  const n = (t as ByteCounts).bytesWritten;
  return typeof n === 'number' ? n : -1;
}

export interface Http2ConnectionOptions {
  readonly app: HttpApplication;
  readonly engine: Http2Engine;
  /**
   * A heartbeat time (`heartbeat.now`) from before the first connection: the connections keep the
   * times they compare as offsets from it, small integers. Milliseconds since 1970 are not, and V8
   * keeps such a field in a 16-byte heap number of its own in every connection.
   */
  readonly epoch: number;
  readonly limits: HttpLimits;
  readonly http2: Http2Limits;
  readonly headLimits: Http2HeadLimits;
  /** The Server header's value, or '' for none. */
  readonly serverHeader: string;
  readonly upgrades: UpgradeCounter;
  /** The methods served (the registry plus `extraMethods`); others get 501, as over HTTP/1.1. */
  readonly methods: ReadonlySet<string>;
  readonly heartbeat: Heartbeat;
  readonly logger: Logger;
  readonly logs: HttpLogs;
}

/**
 * Drives HTTP/2 on one connection: starts an nghttp2 session on the transport, turns each stream
 * into an `Http2Exchange` for the app, bounds the request body it buffers (the connection window
 * is returned as apps read), guards against rapid reset and frame floods, closes idle sessions
 * and sessions whose client half-closed, checks data rates and keep-alive pings on the heartbeat,
 * and sends GOAWAY when the server asks the connection to close. `run()` settles when the session
 * has closed.
 */
export class Http2Connection implements HeartbeatHandler {
  // The helpers are static (`Http2Connection.#x(conn, …)`): a private instance method makes V8
  // keep a brand field in every instance, 8 bytes more of every idle connection.
  readonly ctx: ConnectionContext;
  // What every connection of a server shares (the app and the engine too) is read from the
  // options, not copied: each field is 8 bytes more of every idle connection.
  readonly #options: Http2ConnectionOptions;
  #session: ServerHttp2Session | undefined;
  /** Exchanges in flight and not upgraded: the keep-alive timer runs only when there are none. */
  #inFlight = 0;
  /**
   * The same exchanges as a list linked through them, which the heartbeat walks for the data
   * rates: linking costs a request two field writes, where a Set would hash it.
   */
  #first: Http2Exchange | undefined;
  /** When a stream or request body last arrived or a PING was answered, less `options.epoch`. */
  #lastActivity: number;
  #rare: RareState | undefined;
  /** Told when the session has closed (`serve`). */
  #completion: ConnectionCompletion | undefined;
  #flags = 0;
  /** Why the connection ends, for its ConnectionClosed record and `connection.closed`: the first cause seen. */
  #endReason: ConnectionEndReason | undefined;
  // Request body the apps have not read, and the connection window it leaves the client.
  #unread = 0;
  #window: number;
  // The flood guard: bytes read and request content seen at the last heartbeat, and when (less
  // `options.epoch`).
  #readAtCheck = -1;
  #content = 0;
  #checkedAt = 0;
  constructor(ctx: ConnectionContext, options: Http2ConnectionOptions) {
    this.ctx = ctx;
    this.#options = options;
    this.#lastActivity = Http2Connection.#time(this);
    this.#window = options.http2.initialConnectionWindowSize;
  }

  static #rareOf(conn: Http2Connection): RareState {
    return (conn.#rare ??= new RareState());
  }

  /**
   * The heartbeat's time less the epoch: what the connection's time fields hold. Truncated (a
   * clock's milliseconds are whole): a difference of two numbers outside the small-integer range
   * is a heap number even when it is small, and one stored made V8 keep every connection's time
   * fields as boxed doubles, 16 bytes each.
   */
  static #time(conn: Http2Connection): number {
    return Math.trunc(conn.#options.heartbeat.now - conn.#options.epoch);
  }

  get limits(): HttpLimits {
    return this.#options.limits;
  }

  get logger(): Logger {
    return this.#options.logger;
  }

  get logs(): HttpLogs {
    return this.#options.logs;
  }

  /** The Server header's value, or '' for none. */
  get serverHeader(): string {
    return this.#options.serverHeader;
  }

  /** The unread body one stream may hold of the connection window (`initialStreamWindowSize`). */
  get streamWindow(): number {
    return this.#options.http2.initialStreamWindowSize;
  }

  /** Serves the connection; resolves when the HTTP/2 session has closed. */
  run(): Promise<void> {
    return new Promise<void>((resolve, reject) => this.serve({ complete: resolve, fail: reject }));
  }

  /**
   * Serves the connection and calls `completion.complete()` when the HTTP/2 session has closed:
   * `run()` without a promise, and the reaction that awaits it, kept for the connection's life.
   */
  serve(completion: ConnectionCompletion): void {
    if (this.ctx.transport.destroyed) {
      completion.complete();
      return;
    }
    this.#completion = completion;
    // The connection itself is the listener (`handleCloseRequest`): a closure and its context
    // were ~100 bytes each idle connection kept.
    this.ctx.features.get(LifetimeFeature)?.addCloseRequestListener(this);
    if (Http2Connection.#awaitingCount === 0) setImmediate(Http2Connection.#attachAwaiting);
    Http2Connection.#awaitingSession[Http2Connection.#awaitingCount++] = this;
  }

  /**
   * Connections whose session is yet to start: started together once the event loop has done its
   * reads (`setImmediate`, one for all), not each right after the read that chose HTTP/2. On a
   * cleartext port the first bytes were read into JavaScript to choose the protocol, and which
   * pages malloc gives nghttp2's mostly unwritten session buffers depends on what was allocated
   * between them: a bare node:http2 server handed its sockets after such a read kept ~2.4 KiB more
   * resident memory per idle session than one reading them itself when each session started right
   * after its read, and none more when the sessions started on setImmediate (tiercel's idle
   * HTTP/2 row: ~2 KiB less per connection).
   */
  static readonly #awaitingSession: (Http2Connection | undefined)[] = [];
  // Counted, not the array's length: emptied by setting its length, the array would give up its
  // storage and take a new one for the next batch.
  static #awaitingCount = 0;

  static readonly #attachAwaiting = (): void => {
    const awaiting = Http2Connection.#awaitingSession;
    // In order (one a session start brings is started too); one that throws fails its own
    // connection only.
    for (let i = 0; i < Http2Connection.#awaitingCount; i++) {
      const conn = awaiting[i]!;
      awaiting[i] = undefined;
      try {
        Http2Connection.#attach(conn);
      } catch (err) {
        Http2Connection.#takeCompletion(conn)?.fail(err);
      }
    }
    Http2Connection.#awaitingCount = 0;
  };

  static #attach(conn: Http2Connection): void {
    const transport = conn.ctx.transport;
    if (transport.destroyed) {
      Http2Connection.#takeCompletion(conn)?.complete();
      return;
    }
    const session = conn.#options.engine.attach(transport) as Owned<ServerHttp2Session>;
    conn.#session = session;
    // The session's events reach the connection through the session's own `emit`, shared by every
    // connection (`#emit`), which finds it through a symbol: listeners for stream, error, close,
    // goaway and the settings ACK grew the session's event table past node's own five entries (192
    // bytes more that each idle connection kept), and each 'stream' went through the generic emit
    // (an arguments array per request).
    session[kConnection] = conn;
    session.emit = Http2Connection.#emit;
    // Only with a listener does node:http2 report PING frames at all. SETTINGS are counted once
    // the client's own first one (RFC 9113 §3.4: part of its preface) has been read: reported, it
    // made node:http2 build and keep a settings object on every session (~240 bytes kept, ~500
    // allocated). The client acknowledges ours only after sending it, so the ACK (the
    // 'localSettings' node:http2 emits with or without a listener) arms the count.
    if (conn.#options.http2.maxPingsPerSecond !== Infinity) {
      session.on('ping', Http2Connection.#onPing);
      conn.#flags |= ConnectionFlag.SettingsPending;
    }
    // node:http2 closes a session when its net.Socket ends only because such a socket ends itself
    // then (allowHalfOpen off); tiercel's transports are half-open, so the client's FIN is ours to
    // act on.
    (transport as ReadBy<Http2Connection>)[kReader] = conn;
    transport.on('end', Http2Connection.#onTransportEnd);
    // node:http2 listens for the socket's errors for as long as the socket lives (it destroys the
    // session with them): the context's own listener beside it only made node keep an array of
    // the two (~64 bytes each idle connection kept), and the context reads the error at the close.
    conn.ctx.yieldTransportErrors();
    conn.#readAtCheck = bytesRead(transport);
    conn.#checkedAt = Http2Connection.#time(conn);
    conn.#options.heartbeat.add(conn);
    // The server asked the connection to close before its session started: GOAWAY at once.
    if ((conn.#flags & ConnectionFlag.Closing) !== 0) session.close();
  }

  /**
   * The response `date` value from the heartbeat. Left to node:http2, every response would pay
   * for its own date cache, which measured ~1 µs per response here; this one is a field read.
   */
  get date(): string {
    return this.#options.heartbeat.date;
  }

  /** `size` bytes of request body arrived on a stream: activity, and content for the flood guard. */
  bodyArrived(size: number): void {
    this.#lastActivity = Http2Connection.#time(this);
    this.#content += size;
  }

  /**
   * The request body waiting for apps grew (or shrank) by `delta`. The connection window the
   * client may fill is the budget less what waits: node:http2 gives the window back for every
   * byte as it arrives, and lowering the session's local window makes nghttp2 hold back that
   * much of its WINDOW_UPDATEs (raising it sends them), so the client waits for the apps, as
   * Kestrel's does. Moved in steps of 1/16 of the budget, not per chunk.
   */
  bodyBuffered(delta: number): void {
    const unread = (this.#unread += delta);
    const s = this.#session;
    if (s === undefined || s.destroyed) return;
    const budget = this.#options.http2.initialConnectionWindowSize;
    const target = unread >= budget ? 0 : budget - unread;
    const applied = this.#window;
    if (target === applied) return;
    if (target !== 0 && target !== budget && (target > applied ? target - applied : applied - target) < budget >>> 4) return;
    this.#window = target;
    s.setLocalWindowSize(target);
  }

  // ---- streams ---------------------------------------------------------------------------

  /**
   * The session's `emit` (see `serve`): the events the connection acts on are handled here, any
   * other goes to the listeners as usual (node:http2's own, and PING and SETTINGS counting).
   */
  static readonly #emit = function (this: Owned<ServerHttp2Session>, event: string | symbol, a?: unknown, b?: unknown, c?: unknown, d?: unknown): boolean {
    const conn = this[kConnection]!;
    switch (event) {
      case 'stream':
        // (stream, headers, flags, rawHeaders): node's header object is left unread.
        Http2Connection.#stream(conn, a as ServerHttp2Stream, c as number, d as string[]);
        return true;
      case 'error':
        Http2Connection.#sessionError(conn, a as Error);
        return true;
      case 'close':
        Http2Connection.#sessionClosed(conn);
        return true;
      case 'goaway':
        Http2Connection.#clientGoaway(conn);
        return true;
      case 'localSettings':
        if ((conn.#flags & ConnectionFlag.SettingsPending) !== 0) Http2Connection.#armSettingsCount(conn, this);
        return true;
    }
    // The rest (node:http2's own listeners', PING and SETTINGS counting, anyone else's) go on as
    // EventEmitter's emit, without `arguments` (see forwardEmit).
    return forwardEmit(this, event, a, b, c, d);
  };

  static #stream(conn: Http2Connection, stream: ServerHttp2Stream, flags: number, raw: string[]): void {
    conn.#lastActivity = Http2Connection.#time(conn);
    if (stream.destroyed || stream.closed) {
      // HEADERS and RST_STREAM in one read: the client cancelled before we saw the request.
      Http2Connection.#watch(conn, stream);
      Http2Connection.#countReset(conn);
      return;
    }
    let head;
    try {
      head = readRequestHead(raw, conn.#options.headLimits);
    } catch (err) {
      Http2Connection.#refuse(conn, stream, err);
      return;
    }
    // The method is a fresh string from nghttp2 each time: comparing it with the two common ones
    // is cheaper than hashing it for the Set.
    const method = head.method;
    if (method !== 'GET' && method !== 'POST' && !conn.#options.methods.has(method)) {
      // RFC 9110 §9.1, and the same answer HTTP/1.1 gives (the parser's unknown-method).
      Http2Connection.#refuse(conn, stream, new HttpProtocolError('ERR_TIERCEL_UNKNOWN_METHOD', 501, `The method '${head.method}' is not one this server recognises`));
      return;
    }
    conn.#content += head.size;
    const ex = new Http2Exchange(conn, stream, head, raw, (flags & NGHTTP2_FLAG_END_STREAM) !== 0);
    Http2Connection.#track(conn, ex);
    ex.run(conn.#options.app);
  }

  /**
   * Answers a request refused before the app saw it (431, 400, 501) and stops its body.
   * Counted per second: over `maxRejectedRequestsPerSecond` the connection is abandoned.
   */
  static #refuse(conn: Http2Connection, stream: ServerHttp2Stream, err: unknown): void {
    Http2Connection.#watch(conn, stream);
    const status = err instanceof HttpProtocolError ? err.status : 400;
    conn.logs.badRequests.debug({ ...LOG_EVENTS.RequestRejected, connectionId: conn.ctx.id, streamId: stream.id, reason: rejectionReason(err), status, err }, 'Bad HTTP/2 request');
    stream.respond({ ':status': status, 'content-length': 0 }, { endStream: true });
    // Closed at once (RST_STREAM(NO_ERROR) if the request has not ended), not when the answer
    // has left: refused streams arriving in one read do not pile up against the stream limit.
    if (!stream.readableEnded) stream.close(NGHTTP2_NO_ERROR);
    Http2Connection.#overLimit(
      conn,
      (Http2Connection.#rareOf(conn).rejects ??= new PerSecond()).add(conn.readClock()),
      conn.#options.http2.maxRejectedRequestsPerSecond,
      'HTTP/2 requests rejected before the application too often: closing the connection',
      'rejectedPerSecond',
      Http2RejectedRequestsError,
    );
  }

  /**
   * Listens for the errors of a stream no exchange serves (refused, or cancelled before it was
   * seen); an exchange listens for its own, so a served stream carries one symbol, not two.
   */
  static #watch(conn: Http2Connection, stream: ServerHttp2Stream): void {
    (stream as Owned<ServerHttp2Stream>)[kConnection] = conn;
    stream.on('error', Http2Connection.#onStreamError);
  }

  static readonly #onStreamError = function (this: Owned<ServerHttp2Stream>, err: Error): void {
    this[kConnection]!.streamError(err);
  };

  /** A stream reset with an error code: logged at debug (the client's doing); its exchange learns it from 'close'. */
  streamError(err: Error): void {
    this.logger.debug({ ...LOG_EVENTS.Http2StreamError, connectionId: this.ctx.id, err }, 'HTTP/2 stream error');
  }

  /**
   * The injected clock's time (CLOCK, through the heartbeat), not Date.now(), so a test clock drives
   * the per-second flood windows and the body-rate start as it drives every heartbeat timeout.
   */
  readClock(): number {
    return this.#options.heartbeat.clock.now();
  }

  /** Called by an exchange when its stream closes; `reset` when it closed before completing. */
  onStreamClosed(ex: Http2Exchange, reset: boolean): void {
    // An upgraded exchange was let go of when it was detached.
    if (!ex.upgraded) Http2Connection.#untrack(this, ex);
    this.#lastActivity = Http2Connection.#time(this);
    if (reset && (this.#flags & ConnectionFlag.Closing) === 0) Http2Connection.#countReset(this);
  }

  /**
   * Rapid reset (CVE-2023-44487): each stream costs the server a request while the client pays one
   * frame to cancel it. Over the per-second budget the connection goes away with ENHANCE_YOUR_CALM.
   */
  static #countReset(conn: Http2Connection): void {
    Http2Connection.#overLimit(
      conn,
      (Http2Connection.#rareOf(conn).resets ??= new PerSecond()).add(conn.readClock()),
      conn.#options.http2.maxStreamResetsPerSecond,
      'HTTP/2 rapid reset: too many streams cancelled by the client, closing the connection',
      'resetsPerSecond',
      Http2RapidResetError,
    );
  }

  /**
   * A per-second guard's verdict: past `limit` the connection is abandoned with
   * ENHANCE_YOUR_CALM, and a debug record says why (`rate`: the count's name in it): the client's
   * fault, which at warn would let a flood of abusive connections fill the log.
   */
  static #overLimit(conn: Http2Connection, count: number, limit: number, warning: string, rate: string, Err: new (count: number) => Error): void {
    if (count <= limit || (conn.#flags & ConnectionFlag.Closing) !== 0) return;
    Http2Connection.#ending(conn, 'flood');
    conn.logger.debug({ ...LOG_EVENTS.Http2FloodDetected, connectionId: conn.ctx.id, [rate]: count }, warning);
    Http2Connection.#abandon(conn, new Err(count), NGHTTP2_ENHANCE_YOUR_CALM);
  }

  /**
   * A PING or SETTINGS frame: counted per second, and over `maxPingsPerSecond` the connection is
   * abandoned. Counted as each frame is read, so a burst is stopped within the read that brings
   * it, before nghttp2's own limit (1,000 unsent ACKs) closes the connection less readably.
   */
  static readonly #onPing = function (this: Owned<ServerHttp2Session>): void {
    const c = this[kConnection]!;
    Http2Connection.#overLimit(
      c,
      (Http2Connection.#rareOf(c).pings ??= new PerSecond()).add(c.readClock()),
      c.#options.http2.maxPingsPerSecond,
      'HTTP/2 PING/SETTINGS flood: closing the connection',
      'framesPerSecond',
      Http2PingFloodError,
    );
  };

  /**
   * The client acknowledged the server's SETTINGS (node:http2 emits 'localSettings' with or without
   * a listener): from now on its SETTINGS frames count with its PINGs. A client that never
   * acknowledges is counted from the first heartbeat on.
   */
  static #armSettingsCount(conn: Http2Connection, s: ServerHttp2Session): void {
    conn.#flags &= ~ConnectionFlag.SettingsPending;
    s.on('remoteSettings', Http2Connection.#onPing);
  }

  // ---- upgrade ---------------------------------------------------------------------------

  /** Throws 503 when one more upgraded stream would pass the server's limit. */
  reserveUpgrade(stream: ServerHttp2Stream): void {
    const upgrades = this.#options.upgrades;
    if (upgrades.active >= this.limits.maxConcurrentUpgradedConnections) {
      throw new HttpProtocolError(
        'ERR_TIERCEL_TOO_MANY_UPGRADES',
        503,
        `The server already has ${upgrades.active} upgraded connections (maxConcurrentUpgradedConnections)`,
      );
    }
    upgrades.add(this.ctx, stream);
  }

  /** An upgraded stream leaves HTTP: its body rate and the idle timer no longer apply. */
  detach(ex: Http2Exchange): void {
    Http2Connection.#untrack(this, ex);
  }

  static #track(conn: Http2Connection, ex: Http2Exchange): void {
    const first = conn.#first;
    ex.linkNext = first;
    if (first !== undefined) first.linkPrev = ex;
    conn.#first = ex;
    conn.#inFlight++;
  }

  static #untrack(conn: Http2Connection, ex: Http2Exchange): void {
    const { linkPrev: prev, linkNext: next } = ex;
    if (prev !== undefined) prev.linkNext = next;
    else conn.#first = next;
    if (next !== undefined) next.linkPrev = prev;
    ex.linkPrev = ex.linkNext = undefined;
    // Closing, the deadline counts from the last stream's end: streams may take their time.
    const rare = conn.#rare;
    if (--conn.#inFlight === 0 && rare !== undefined && rare.closingSince > 0) rare.closingSince = Http2Connection.#time(conn);
  }

  // ---- session lifetime ------------------------------------------------------------------

  /** The server asked the connection to close (the connection is its `LifetimeFeature` listener). */
  handleCloseRequest(): void {
    // The first reason is kept: a keep-alive timeout said its own before calling this.
    Http2Connection.#ending(this, 'server-shutdown');
    // GOAWAY with the last stream id: streams in flight finish, new ones are refused, and the
    // session closes once the last stream does (the server's shutdown timeout aborts the rest).
    Http2Connection.#startClosing(this);
    const s = this.#session;
    if (s !== undefined && !s.closed && !s.destroyed) s.close();
  }

  /** Why the connection ends, for the log and `tiercel:connection.closed`: the first reason is kept. */
  static #ending(conn: Http2Connection, reason: ConnectionEndReason): void {
    if (conn.#endReason !== undefined) return;
    conn.#endReason = reason;
    setConnectionEndReason(conn.ctx, reason);
  }

  /** From now on the close has a deadline: `CLOSE_LINGER_MS` once no stream is left. */
  static #startClosing(conn: Http2Connection): void {
    conn.#flags |= ConnectionFlag.Closing;
    const rare = Http2Connection.#rareOf(conn);
    if (rare.closingSince === 0) rare.closingSince = Http2Connection.#time(conn);
  }

  /** Ends the session now with GOAWAY(`code`); `reason` goes to the log through the session's 'error'. */
  static #destroy(conn: Http2Connection, reason: Error, code: number): void {
    Http2Connection.#startClosing(conn);
    const s = conn.#session;
    if (s !== undefined && !s.destroyed) s.destroy(reason, code);
  }

  /**
   * Closes an abusive connection so that the client still reads why: GOAWAY(`code`) first, then
   * the session ends as a graceful close does (node:http2 sends FIN, then reads and drops what
   * still comes until the client's FIN or the linger ends). Destroyed with the client's frames
   * unread, the socket would answer them with a TCP reset, which can destroy the GOAWAY before a
   * client that is still writing reads it.
   */
  static #abandon(conn: Http2Connection, reason: Error, code: number): void {
    const s = conn.#session;
    if (s === undefined || s.destroyed) return;
    Http2Connection.#ending(conn, 'flood');
    conn.logger.debug({ ...LOG_EVENTS.Http2ConnectionError, connectionId: conn.ctx.id, err: reason }, 'HTTP/2 session abandoned');
    Http2Connection.#startClosing(conn);
    s.goaway(code);
    // Marks the session closed (node:http2 then ends the socket instead of destroying it) and
    // sends a second GOAWAY, NO_ERROR; the client has read the first.
    s.close();
    if (!s.destroyed) s.destroy(reason, code);
  }

  /**
   * The client half-closed (FIN): nothing more can arrive, so streams in flight cannot complete.
   * The session is destroyed (GOAWAY, the streams' bodies fail and their `aborted` fire), as
   * node:http2 does for a socket that is not half-open.
   */
  static readonly #onTransportEnd = function (this: ReadBy<Http2Connection>): void {
    Http2Connection.#transportEnded(this[kReader]!);
  };

  static #transportEnded(conn: Http2Connection): void {
    const s = conn.#session;
    if (s === undefined || s.destroyed) return;
    Http2Connection.#ending(conn, 'client-end');
    // Asked first: the record (and the connection id's text) would be garbage per connection the client ends.
    const log = conn.logger;
    if (log.isLevelEnabled?.('debug') !== false) log.debug({ connectionId: conn.ctx.id, streams: conn.#inFlight }, 'The client closed its side of the HTTP/2 connection: closing the session');
    Http2Connection.#startClosing(conn);
    s.destroy();
  }

  static #sessionError(conn: Http2Connection, err: Error): void {
    // nghttp2's connection errors (a frame that breaks the protocol), or the socket's (a reset);
    // a cause of ours came first.
    Http2Connection.#ending(conn, isConnectionLost(err) ? 'transport-closed' : 'protocol-error');
    conn.logger.debug({ ...LOG_EVENTS.Http2ConnectionError, connectionId: conn.ctx.id, err }, 'HTTP/2 session error');
  }

  /**
   * The client sent GOAWAY (a node:http2 client's `session.close()`): node:http2 lets the streams
   * in flight finish and then closes the session. Not reported for the server's own GOAWAY.
   */
  static #clientGoaway(conn: Http2Connection): void {
    Http2Connection.#ending(conn, 'client-goaway');
    conn.logger.debug({ connectionId: conn.ctx.id, streams: conn.#inFlight }, 'The client sent GOAWAY: closing the session once its streams are done');
  }

  static #sessionClosed(conn: Http2Connection): void {
    conn.#flags |= ConnectionFlag.Closing;
    // No cause seen: the transport went away under the session (a reset, a client that vanished).
    Http2Connection.#ending(conn, 'transport-closed');
    // Asked first: the record's fields (and the connection id's text) would be garbage per closed connection.
    const log = conn.logs.connections;
    if (log.isLevelEnabled?.('debug') !== false) log.debug({ ...LOG_EVENTS.ConnectionClosed, connectionId: conn.ctx.id, reason: conn.#endReason }, 'HTTP/2 connection done');
    conn.#options.heartbeat.delete(conn);
    conn.ctx.transport.off('end', Http2Connection.#onTransportEnd);
    Http2Connection.#takeCompletion(conn)?.complete();
  }

  /** The completion to report the connection's end to, once: later calls get undefined. */
  static #takeCompletion(conn: Http2Connection): ConnectionCompletion | undefined {
    const completion = conn.#completion;
    conn.#completion = undefined;
    return completion;
  }

  // ---- timeouts --------------------------------------------------------------------------

  onHeartbeat(now: number): void {
    const heartbeat = this.#options.heartbeat;
    // The connection's own times are kept less the epoch (see `Http2ConnectionOptions.epoch`); the
    // exchanges' are not.
    const t = Math.trunc(now - this.#options.epoch);
    const closingSince = this.#rare === undefined ? 0 : this.#rare.closingSince;
    if (closingSince > 0 && this.#inFlight === 0 && heartbeat.isPast(closingSince, CLOSE_LINGER_MS, t)) {
      // GOAWAY went out, yet the session or the socket is still open: the client does not read
      // (the last frames cannot be written) or does not close its side.
      Http2Connection.#ending(this, 'goaway-close-timeout');
      this.logger.debug({ connectionId: this.ctx.id }, 'HTTP/2 connection not closed in time after GOAWAY: dropping it');
      this.ctx.abort(new ConnectionAbortedError('The client did not close the HTTP/2 connection in time after GOAWAY'));
      return;
    }
    const s = this.#session;
    if (s === undefined || s.destroyed) return;
    const limits = this.limits;
    const idleFor = t - this.#lastActivity;
    if (this.#inFlight === 0 && heartbeat.isPast(this.#lastActivity, limits.keepAliveTimeoutMs, t) && (this.#flags & ConnectionFlag.Closing) === 0) {
      Http2Connection.#ending(this, 'keep-alive-timeout');
      this.logger.debug({ connectionId: this.ctx.id }, 'HTTP/2 keep-alive timeout');
      this.handleCloseRequest();
      return;
    }
    Http2Connection.#checkPing(this, s, t, idleFor);
    Http2Connection.#checkFlood(this, t);
    if (s.destroyed) return;
    if ((this.#flags & ConnectionFlag.SettingsPending) !== 0) Http2Connection.#armSettingsCount(this, s);
    const sendRate = limits.minResponseDataRate;
    // Each waiting stream must take its share of the minimum (a hundred streams sharing a slow
    // link each get a hundredth), as counted at the last heartbeat.
    const waitingBefore = this.#rare === undefined ? 0 : this.#rare.waitingStreams;
    const share = sendRate === null ? 0 : sendRate.bytesPerSecond / (waitingBefore === 0 ? 1 : waitingBefore);
    let waiting = 0;
    let reset = false;
    for (let ex = this.#first; ex !== undefined; ) {
      const next = ex.linkNext;
      if (ex.requestHasBody && ex.checkBodyRate(now)) {
        this.logs.badRequests.debug({ ...LOG_EVENTS.RequestBodyTooSlow, connectionId: this.ctx.id, streamId: ex.stream.id }, 'Request body too slow');
      }
      if (sendRate !== null && ex.headersSent) {
        const output = ex.checkResponseRate(now, share, sendRate.gracePeriodMs);
        if (output === Output.Waiting) waiting++;
        else if (output === Output.Reset) reset = true;
      }
      ex = next;
    }
    if (waiting > 0) Http2Connection.#rareOf(this).waitingStreams = waiting;
    else if (this.#rare !== undefined) this.#rare.waitingStreams = 0;
    if (sendRate === null) return;
    // A stream the client starved was just reset: whether the connection still takes bytes shows
    // once its RST_STREAM had the chance to leave, so the connection's measure starts again.
    if (reset) {
      if (this.#rare !== undefined) this.#rare.sendWaitSince = 0;
    }
    else Http2Connection.#checkSendRate(this, s, t, sendRate.bytesPerSecond, sendRate.gracePeriodMs, waiting > 0);
  }

  /**
   * The flood guard: what the client sent since the last heartbeat, less the request content in
   * it (header fields and body), is frame overhead and control frames. Over
   * `maxControlBytesPerSecond` the connection is abandoned with ENHANCE_YOUR_CALM.
   */
  static #checkFlood(conn: Http2Connection, t: number): void {
    const read = bytesRead(conn.ctx.transport);
    const limit = conn.#options.http2.maxControlBytesPerSecond;
    if (read < 0 || limit === Infinity) return;
    const elapsed = t - conn.#checkedAt;
    const control = read - conn.#readAtCheck - conn.#content;
    conn.#readAtCheck = read;
    conn.#content = 0;
    conn.#checkedAt = t;
    // Over at least a second: a heartbeat soon after the connection began measures a short while.
    const perSecond = Math.round((control * 1000) / (elapsed > 1_000 ? elapsed : 1_000));
    if (perSecond > limit) {
      Http2Connection.#ending(conn, 'flood');
      conn.logger.debug({ ...LOG_EVENTS.Http2FloodDetected, connectionId: conn.ctx.id, bytesPerSecond: perSecond }, 'HTTP/2 frame flood: too many bytes without request content, closing the connection');
      Http2Connection.#abandon(conn, new Http2FloodError(perSecond), NGHTTP2_ENHANCE_YOUR_CALM);
    }
  }

  /**
   * The minimum response data rate over the whole connection, as HTTP/1.1 has it: while response
   * bytes wait (in a stream, or frames in nghttp2's queue), the client must take bytes from the
   * socket at `bytesPerSecond` after the grace period, or the connection is aborted. (A client
   * that stops reading the socket stalls every stream at once, and then no RST_STREAM or GOAWAY
   * could reach it either.)
   */
  static #checkSendRate(conn: Http2Connection, s: ServerHttp2Session, t: number, bytesPerSecond: number, gracePeriodMs: number, streamsWaiting: boolean): void {
    // Frames nghttp2 could not write yet (a reset stream's RST_STREAM among them) keep the
    // connection waiting; asked only of a connection with streams or already waiting.
    const rare = conn.#rare;
    const waitingSince = rare === undefined ? 0 : rare.sendWaitSince;
    const queued = streamsWaiting || ((conn.#inFlight > 0 || waitingSince > 0) && (s.state.outboundQueueSize ?? 0) > 0);
    if (!queued) {
      if (rare !== undefined) rare.sendWaitSince = 0;
      return;
    }
    // Read only now: a net.Socket's bytesWritten copies its write buffer into a new array, and
    // most connections wait for nothing at most heartbeats.
    const written = bytesWritten(conn.ctx.transport);
    if (written < 0) return;
    if (waitingSince === 0) {
      const r = Http2Connection.#rareOf(conn);
      r.sendWaitSince = t;
      r.sendWaitWritten = written;
      return;
    }
    // Waiting since a time: `rare` was made then.
    const elapsed = t - waitingSince;
    if (elapsed > gracePeriodMs && ((written - rare!.sendWaitWritten) * 1000) / elapsed < bytesPerSecond) {
      Http2Connection.#ending(conn, 'min-response-data-rate');
      conn.logs.badRequests.debug({ ...LOG_EVENTS.ResponseTooSlow, connectionId: conn.ctx.id }, 'HTTP/2 responses read too slowly: aborting the connection');
      conn.ctx.abort(new ConnectionAbortedError('The client read the responses slower than the minimum data rate'));
    }
  }

  // The checks below take `t`, the heartbeat's time less the epoch, as the connection's fields hold it.

  static #checkPing(conn: Http2Connection, s: ServerHttp2Session, t: number, idleFor: number): void {
    const { keepAlivePingDelayMs, keepAlivePingTimeoutMs } = conn.#options.http2;
    const sentAt = conn.#rare === undefined ? 0 : conn.#rare.pingSentAt;
    if (sentAt > 0) {
      if (t - sentAt > keepAlivePingTimeoutMs) {
        Http2Connection.#ending(conn, 'keep-alive-ping-timeout');
        conn.logger.debug({ connectionId: conn.ctx.id }, 'HTTP/2 keep-alive ping timed out');
        Http2Connection.#destroy(conn, new ConnectionAbortedError('The client did not answer an HTTP/2 keep-alive PING in time'), NGHTTP2_NO_ERROR);
      }
      return;
    }
    if (keepAlivePingDelayMs === Infinity || idleFor < keepAlivePingDelayMs) return;
    Http2Connection.#sendPing(conn, s, t);
  }

  // Apart from #checkPing: a closure there made V8 allocate its context on every call, each
  // heartbeat of every connection, pinged or not.
  static #sendPing(conn: Http2Connection, s: ServerHttp2Session, t: number): void {
    const rare = Http2Connection.#rareOf(conn);
    rare.pingSentAt = t;
    s.ping((err) => {
      rare.pingSentAt = 0;
      if (err === null) conn.#lastActivity = Http2Connection.#time(conn);
    });
  }
}
