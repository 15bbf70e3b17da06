import http2, { type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import { ConnectionAbortedError, LifetimeFeature, TiercelError, type ConnectionContext, type Logger } from '../../connection/index.js';
import {
  HttpProtocolError,
  type Heartbeat,
  type HeartbeatHandler,
  type HttpApplication,
  type HttpLimits,
  type Http2Limits,
  type UpgradeCounter,
} from '../http/index.js';
import type { Http2Engine } from './http2-engine.js';
import { Http2Exchange } from './http2-exchange.js';
import { readRequestHead, type Http2HeadLimits } from './http2-request-head.js';

const { NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_NO_ERROR, NGHTTP2_FLAG_END_STREAM } = http2.constants;

/** A client cancelled more streams per second than `http2.maxStreamResetsPerSecond` allows. */
export class Http2RapidResetError extends TiercelError {
  constructor(readonly resets: number) {
    super('ERR_TIERCEL_HTTP2_RAPID_RESET', `The client reset ${resets} streams within a second (rapid reset): the connection was closed with ENHANCE_YOUR_CALM`);
  }
}

export interface Http2ConnectionOptions {
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
}

/**
 * Drives HTTP/2 on one connection: starts an nghttp2 session on the transport, turns each stream
 * into an `Http2Exchange` for the app, guards against rapid reset, closes idle sessions, checks
 * body data rates and keep-alive pings on the heartbeat, and sends GOAWAY when the server asks the
 * connection to close. `run()` settles when the session has closed.
 */
export class Http2Connection implements HeartbeatHandler {
  readonly ctx: ConnectionContext;
  readonly limits: HttpLimits;
  readonly logger: Logger;
  readonly serverHeader: string;
  readonly #app: HttpApplication;
  readonly #engine: Http2Engine;
  readonly #options: Http2ConnectionOptions;
  #session: ServerHttp2Session | undefined;
  /** Exchanges in flight and not upgraded: the keep-alive timer runs only when there are none. */
  #inFlight = 0;
  /**
   * The in-flight exchanges with a request body, which the body data rate applies to. A request
   * without one (most GETs) never enters a Set, so it costs no hashing.
   */
  readonly #withBody = new Set<Http2Exchange>();
  #lastActivity: number;
  #resetWindowStart = 0;
  #resets = 0;
  #pingSentAt = 0;
  #closing = false;
  constructor(ctx: ConnectionContext, app: HttpApplication, engine: Http2Engine, options: Http2ConnectionOptions) {
    this.ctx = ctx;
    this.limits = options.limits;
    this.logger = options.logger;
    this.serverHeader = options.serverHeader;
    this.#app = app;
    this.#engine = engine;
    this.#options = options;
    this.#lastActivity = options.heartbeat.now;
  }

  /** Serves the connection; resolves when the HTTP/2 session has closed. */
  run(): Promise<void> {
    if (this.ctx.transport.destroyed) return Promise.resolve();
    const session = this.#engine.attach(this.ctx.transport);
    this.#session = session;
    const done = new Promise<void>((resolve) => session.once('close', resolve));
    session.on('stream', this.#onStream);
    session.on('error', this.#onSessionError);
    session.once('close', this.#onSessionClose);
    this.#options.heartbeat.add(this);
    this.ctx.features.get(LifetimeFeature)?.onCloseRequested(this.#onCloseRequested);
    return done;
  }

  /**
   * The response `date` value from the heartbeat. Left to node:http2, every response would pay
   * for its own date cache, which measured ~1 µs per response here; this one is a field read.
   */
  get date(): string {
    return this.#options.heartbeat.date;
  }

  /** Something happened on the connection (a stream, body data): for the idle and ping timers. */
  touch(): void {
    this.#lastActivity = this.#options.heartbeat.now;
  }

  // ---- streams ---------------------------------------------------------------------------

  readonly #onStream = (stream: ServerHttp2Stream, _headers: IncomingHttpHeaders, flags: number, raw: string[]): void => {
    stream.on('error', this.#onStreamError);
    this.#lastActivity = this.#options.heartbeat.now;
    if (stream.destroyed || stream.closed) {
      // HEADERS and RST_STREAM in one read: the client cancelled before we saw the request.
      this.#countReset();
      return;
    }
    let head;
    try {
      head = readRequestHead(raw, this.#options.headLimits);
    } catch (err) {
      this.#refuse(stream, err);
      return;
    }
    // The method is a fresh string from nghttp2 each time: comparing it with the two common ones
    // is cheaper than hashing it for the Set.
    const method = head.method;
    if (method !== 'GET' && method !== 'POST' && !this.#options.methods.has(method)) {
      // RFC 9110 §9.1, and the same answer HTTP/1.1 gives (the parser's unknown-method).
      this.#refuse(stream, new HttpProtocolError('ERR_TIERCEL_UNKNOWN_METHOD', 501, `The method '${head.method}' is not one this server recognises`));
      return;
    }
    const ex = new Http2Exchange(this, stream, head, (flags & NGHTTP2_FLAG_END_STREAM) !== 0);
    this.#inFlight++;
    if (ex.requestHasBody) this.#withBody.add(ex);
    ex.run(this.#app);
  };

  /** Answers a request refused before the app saw it (431) and stops its body. */
  #refuse(stream: ServerHttp2Stream, err: unknown): void {
    const status = err instanceof HttpProtocolError ? err.status : 400;
    this.logger.debug('Bad HTTP/2 request', { connectionId: this.ctx.id, streamId: stream.id, error: err });
    stream.respond({ ':status': status, 'content-length': 0 }, { endStream: true });
    if (!stream.readableEnded) stream.close(NGHTTP2_NO_ERROR);
  }

  readonly #onStreamError = (err: Error): void => {
    // A stream reset with an error code; the exchange learns it from 'close'.
    this.logger.debug('HTTP/2 stream error', { connectionId: this.ctx.id, error: err });
  };

  /** Called by an exchange when its stream closes; `reset` when it closed before completing. */
  onStreamClosed(ex: Http2Exchange, reset: boolean): void {
    // An upgraded exchange was let go of when it was detached.
    if (!ex.upgraded) this.#untrack(ex);
    this.#lastActivity = this.#options.heartbeat.now;
    if (reset && !this.#closing) this.#countReset();
  }

  /**
   * Rapid reset (CVE-2023-44487): each stream costs the server a request while the client pays one
   * frame to cancel it. Over the per-second budget the connection goes away with ENHANCE_YOUR_CALM.
   */
  #countReset(): void {
    const now = Date.now();
    if (now - this.#resetWindowStart >= 1_000) {
      this.#resetWindowStart = now;
      this.#resets = 0;
    }
    if (++this.#resets > this.#options.http2.maxStreamResetsPerSecond && !this.#closing) {
      this.logger.warn('HTTP/2 rapid reset: too many streams cancelled by the client, closing the connection', {
        connectionId: this.ctx.id,
        resetsPerSecond: this.#resets,
      });
      this.#destroy(new Http2RapidResetError(this.#resets), NGHTTP2_ENHANCE_YOUR_CALM);
    }
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
    upgrades.active++;
    stream.once('close', () => upgrades.active--);
  }

  /** An upgraded stream leaves HTTP: its body rate and the idle timer no longer apply. */
  detach(ex: Http2Exchange): void {
    this.#untrack(ex);
  }

  #untrack(ex: Http2Exchange): void {
    this.#inFlight--;
    if (ex.requestHasBody) this.#withBody.delete(ex);
  }

  // ---- session lifetime ------------------------------------------------------------------

  readonly #onCloseRequested = (): void => {
    // GOAWAY with the last stream id: streams in flight finish, new ones are refused, and the
    // session closes once the last stream does (the server's shutdown timeout aborts the rest).
    this.#closing = true;
    const s = this.#session;
    if (s !== undefined && !s.closed && !s.destroyed) s.close();
  };

  /** Ends the session now with GOAWAY(`code`); `reason` goes to the log through the session's 'error'. */
  #destroy(reason: Error, code: number): void {
    this.#closing = true;
    const s = this.#session;
    if (s !== undefined && !s.destroyed) s.destroy(reason, code);
  }

  readonly #onSessionError = (err: Error): void => {
    this.logger.debug('HTTP/2 session error', { connectionId: this.ctx.id, error: err });
  };

  readonly #onSessionClose = (): void => {
    this.#closing = true;
    this.#options.heartbeat.delete(this);
  };

  // ---- timeouts --------------------------------------------------------------------------

  onHeartbeat(now: number): void {
    const s = this.#session;
    if (s === undefined || s.destroyed) return;
    const limits = this.limits;
    const idleFor = now - this.#lastActivity;
    if (this.#inFlight === 0 && this.#options.heartbeat.isPast(this.#lastActivity, limits.keepAliveTimeoutMs, now) && !this.#closing) {
      this.logger.debug('HTTP/2 keep-alive timeout', { connectionId: this.ctx.id });
      this.#onCloseRequested();
      return;
    }
    this.#checkPing(s, now, idleFor);
    const rate = limits.minRequestBodyDataRate;
    if (rate !== null) {
      for (const ex of this.#withBody) ex.checkBodyRate(now, rate.bytesPerSecond, rate.gracePeriodMs);
    }
  }

  #checkPing(s: ServerHttp2Session, now: number, idleFor: number): void {
    const { keepAlivePingDelayMs, keepAlivePingTimeoutMs } = this.#options.http2;
    if (this.#pingSentAt > 0) {
      if (now - this.#pingSentAt > keepAlivePingTimeoutMs) {
        this.logger.debug('HTTP/2 keep-alive ping timed out', { connectionId: this.ctx.id });
        this.#destroy(new ConnectionAbortedError('The client did not answer an HTTP/2 keep-alive PING in time'), NGHTTP2_NO_ERROR);
      }
      return;
    }
    if (keepAlivePingDelayMs === Infinity || idleFor < keepAlivePingDelayMs) return;
    this.#pingSentAt = now;
    s.ping((err) => {
      this.#pingSentAt = 0;
      if (err === null) this.#lastActivity = this.#options.heartbeat.now;
    });
  }
}
