import type { Duplex } from 'node:stream';
import {
  ConnectionAbortedError,
  DEFAULT_MAX_READ_BUFFER_SIZE,
  LifetimeFeature,
  type ConnectionContext,
  type Logger,
} from '../../connection/index.js';
import {
  HttpProtocolError,
  reasonPhrase,
  type Heartbeat,
  type HeartbeatHandler,
  type HttpApplication,
  type HttpLimits,
  type HeaderList,
  type UpgradeCounter,
  type UpgradedConnection,
} from '../http/index.js';
import { Http1Exchange } from './http1-exchange.js';
import { Http1Parser, assertValidHost, type Http1ParserHandler, type RequestHead } from './http1-parser.js';

export interface Http1ConnectionOptions {
  readonly limits: HttpLimits;
  /** The `server: …\r\n` line, or '' for none. */
  readonly serverLine: string;
  readonly extraMethods: readonly string[];
  readonly upgrades: UpgradeCounter;
  readonly heartbeat: Heartbeat;
  readonly logger: Logger;
  /** Bytes of request body queued for a slow app before the connection stops reading. */
  readonly maxReadBufferSize?: number;
}

const enum Phase {
  /** Between requests, waiting for the first byte of the next head. */
  Idle,
  /** Part of a request head has arrived. */
  Head,
  /** A head was parsed: the request is in the app and/or its body is arriving. */
  Request,
  /** No more requests on this connection. */
  Closing,
}

const kConnection = Symbol('tiercel.http1.connection');
const NO_FIELDS: readonly string[] = [];
/** The longest body `withBody` keeps with its head. */
const MAX_KEPT_BODY = 256;
type Carrier = Duplex & { [kConnection]?: Http1Connection };

function isPromise(value: unknown): value is Promise<void> {
  return value !== undefined && value !== null && typeof (value as Promise<void>).then === 'function';
}

/**
 * Drives HTTP/1.x on one connection: feeds the transport's bytes to the parser, runs one request
 * at a time through the app (pipelined requests wait their turn; finished responses are flushed
 * before a slow one is awaited), writes responses in one batch per read, and applies the limits
 * and timeouts on each heartbeat.
 */
export class Http1Connection implements Http1ParserHandler, HeartbeatHandler {
  readonly ctx: ConnectionContext;
  readonly maxReadBufferSize: number;
  keepAlive = true;
  readonly #transport: Duplex;
  readonly #app: HttpApplication;
  readonly #limits: HttpLimits;
  readonly #options: Http1ConnectionOptions;
  readonly #parser: Http1Parser;

  #phase = Phase.Idle;
  #phaseSince: number;
  #exchange: Http1Exchange | null = null;
  /** An upgrade request whose app runs when the current parse returns. */
  #deferred: Http1Exchange | null = null;
  /** Bytes that arrived while parsing was paused (a pipelined request waiting its turn). */
  #stash: Buffer | null = null;
  #parsingPaused = false;
  #readingPaused = false;
  #batching = false;
  #pending = '';
  // The last head written and its pieces, and that head with its body (see `head`, `withBody`).
  #head = '';
  #headStatus = '';
  #headFields: readonly string[] = NO_FIELDS;
  #headDate = '';
  #headServer = '';
  #headFraming = '';
  #headConnection = '';
  #whole = '';
  #wholeBody = '';
  #validHost = '';
  /** Bytes handed to the transport, for the response rate (see `#checkResponseRate`). */
  #bytesOut = 0;
  /** Bytes that had left the transport's buffer by the last tick, each worth 1/rate s of time. */
  #bytesCredited = 0;
  /** When the client must have taken what left so far, at the minimum response rate. */
  #responseDeadline = 0;
  /** Requests wait for the client to take the responses queued for it ('drain'). */
  #outputWait = false;
  /** When the unread rest of a finished request's body began to be discarded. */
  #discardSince = 0;
  #detached = false;
  #finished = false;
  /** The client sent its FIN: finish what it sent, then close. */
  #peerEnded = false;
  #resolveRun!: () => void;
  // Made on the first request whose app returns a promise; a sync app never pays for them.
  #appDone: (() => void) | undefined;
  #appError: ((err: unknown) => void) | undefined;

  // The transport's listeners are shared by every connection (they find theirs through a symbol
  // on the transport, as node:http does), so an idle connection holds no closures for them.
  static readonly #dataListener = function (this: Carrier, chunk: Buffer): void {
    this[kConnection]!.#onData(chunk);
  };
  static readonly #endListener = function (this: Carrier): void {
    this[kConnection]!.#onEnd();
  };
  static readonly #errorListener = function (this: Carrier, err: Error): void {
    this[kConnection]!.#onError(err);
  };
  static readonly #closeListener = function (this: Carrier): void {
    this[kConnection]!.#onClose();
  };
  static readonly #drainListener = function (this: Carrier): void {
    this[kConnection]!.#onDrain();
  };
  #drainWaiters: (() => void)[] = [];

  /** The clock's exact time (the heartbeat's `now` lags by up to a tick), for a body read's start. */
  readClock(): number {
    return this.#options.heartbeat.clock.now();
  }

  constructor(ctx: ConnectionContext, app: HttpApplication, options: Http1ConnectionOptions) {
    this.ctx = ctx;
    this.#transport = ctx.transport;
    this.#app = app;
    this.#limits = options.limits;
    this.#options = options;
    this.maxReadBufferSize = options.maxReadBufferSize ?? DEFAULT_MAX_READ_BUFFER_SIZE;
    this.#phaseSince = options.heartbeat.now;
    this.#parser = new Http1Parser(this, {
      maxRequestLineSize: options.limits.maxRequestLineSize,
      maxRequestHeadersTotalSize: options.limits.maxRequestHeadersTotalSize,
      maxRequestHeaderCount: options.limits.maxRequestHeaderCount,
      extraMethods: options.extraMethods,
    });
  }

  /**
   * The response head made of these pieces (status line, the app's fields, then the date,
   * server, framing and connection lines). A keep-alive client mostly gets the same head again,
   * and comparing the pieces, most of them the very same strings, is cheaper than joining them
   * anew: the last head is kept with what it was made of.
   */
  head(status: string, fields: HeaderList, date: string, server: string, framing: string, connection: string): string {
    if (
      status === this.#headStatus &&
      date === this.#headDate &&
      framing === this.#headFraming &&
      server === this.#headServer &&
      connection === this.#headConnection &&
      fields.matches(this.#headFields)
    ) {
      return this.#head;
    }
    const head = fields.serialize(status) + date + server + framing + connection + '\r\n';
    this.#headStatus = status;
    this.#headFields = fields.snapshot();
    this.#headDate = date;
    this.#headServer = server;
    this.#headFraming = framing;
    this.#headConnection = connection;
    this.#head = head;
    this.#whole = '';
    return head;
  }

  /** `head` + a short ASCII body, kept like the head when the same body follows the same head. */
  withBody(head: string, body: string): string {
    // Comparing a long body costs more than joining it (a join makes a rope, it copies nothing).
    if (body.length > MAX_KEPT_BODY) return head + body;
    if (head === this.#head && body === this.#wholeBody && this.#whole !== '') return this.#whole;
    const whole = head + body;
    if (head === this.#head) {
      this.#wholeBody = body;
      this.#whole = whole;
    }
    return whole;
  }

  get dateLine(): string {
    return this.#options.heartbeat.dateLine;
  }

  get serverLine(): string {
    return this.#options.serverLine;
  }

  /** Serves the connection; resolves when it is done with HTTP (closed, or handed off). */
  run(): Promise<void> {
    const done = new Promise<void>((resolve) => {
      this.#resolveRun = resolve;
    });
    const t = this.#transport;
    (t as Carrier)[kConnection] = this;
    t.on('data', Http1Connection.#dataListener);
    t.on('end', Http1Connection.#endListener);
    t.on('error', Http1Connection.#errorListener);
    t.on('close', Http1Connection.#closeListener);
    t.on('drain', Http1Connection.#drainListener);
    this.#options.heartbeat.add(this);
    this.ctx.features.get(LifetimeFeature)?.onCloseRequested(() => this.#onCloseRequested());
    if (t.destroyed) this.#onClose();
    return done;
  }

  // ---- input -----------------------------------------------------------------------------

  #onData(chunk: Buffer): void {
    if (this.#phase === Phase.Closing) return;
    if (this.#parsingPaused) {
      this.#stash = this.#stash === null ? chunk : Buffer.concat([this.#stash, chunk]);
      if (this.#stash.length >= this.maxReadBufferSize) this.#pauseReading();
      return;
    }
    if (this.#phase === Phase.Idle) {
      this.#phase = Phase.Head;
      this.#phaseSince = this.#options.heartbeat.now;
    }
    this.#execute(chunk);
  }


  #execute(chunk: Buffer): void {
    this.#batching = true;
    try {
      const consumed = this.#parser.execute(chunk);
      // After an upgrade or CONNECT message, nothing more is HTTP/1.1: keep it for the new owner.
      if (this.#parser.status === 'upgraded') this.#parsingPaused = true;
      if (consumed < chunk.length && this.#phase !== Phase.Closing) {
        const rest = chunk.subarray(consumed);
        this.#stash = this.#stash === null ? rest : Buffer.concat([rest, this.#stash]);
      }
    } catch (err) {
      this.#onParseError(err);
    }
    this.#batching = false;
    const deferred = this.#deferred;
    if (deferred !== null) {
      this.#deferred = null;
      this.#flush();
      this.#invoke(deferred);
    }
    if (this.#peerEnded && this.#exchange === null && this.#phase !== Phase.Closing && !this.#outputWait) this.#close();
    this.#flush();
    if (this.#phase === Phase.Closing) this.#finish();
    else if (this.#phase === Phase.Idle && !this.#parser.isIdle) {
      // Part of the next head came in the same read as the request before it: from now on it
      // is a request head on the clock, not an idle keep-alive connection.
      this.#phase = Phase.Head;
      this.#phaseSince = this.#options.heartbeat.now;
    } else if (this.#outputWait && !this.#transport.writableNeedDrain) {
      // The transport took the batch without asking to wait (its buffer is larger than ours):
      // there is no 'drain' to come, so go on after this turn.
      queueMicrotask(() => {
        if (this.#outputWait) this.#onOutputDrained();
      });
    }
  }

  // Parser callbacks ------------------------------------------------------------------------

  onRequestHead(head: RequestHead): void {
    // A missing or malformed Host is a 400 before the app sees anything (RFC 9112 §3.2). A
    // keep-alive client sends the same Host every time: one it sent before is known good.
    const host = head.host;
    if (host === null || host !== this.#validHost) {
      assertValidHost(head);
      if (host !== null) this.#validHost = host;
    }
    // No clock read here: the request phase's only timeout (the body rate) has its own start.
    this.#phase = Phase.Request;
    if (!head.keepAlive) this.keepAlive = false;
    const ex = new Http1Exchange(this, head, this.#limits);
    this.#exchange = ex;
    if (ex.isUpgradableRequest) {
      // The bytes after this message belong to another protocol. The parser reads the message's
      // body (if any) and stops by itself; the app runs once this parse returns, so that
      // `upgrade()` can hand over every byte read past the message.
      this.keepAlive = false;
      this.#deferred = ex;
      return;
    }
    this.#invoke(ex);
  }

  #invoke(ex: Http1Exchange): void {
    let result: void | Promise<void>;
    try {
      result = this.#app.handle(ex);
    } catch (err) {
      this.#onAppError(err);
      return;
    }
    if (isPromise(result)) result.then((this.#appDone ??= () => this.#onAppDone()), (this.#appError ??= (e) => this.#onAppError(e)));
    else this.#onAppDone();
  }

  onBody(chunk: Buffer): void {
    const ex = this.#exchange;
    if (ex === null) return;
    if (!ex.pushBody(chunk)) this.#pauseReading();
    if (ex.discarding && ex.bodyReceived > this.#limits.maxRequestBodyDrainSize) {
      this.keepAlive = false;
      this.#phase = Phase.Closing;
      this.#parser.pause();
    }
  }

  onMessageComplete(): void {
    const ex = this.#exchange;
    if (ex === null) return;
    ex.endBody();
    if (ex.appDone && ex.responseEnded) {
      this.#completeExchange();
    } else if (!ex.upgraded) {
      // The next pipelined request waits until this one's response is done.
      this.#parsingPaused = true;
      this.#parser.pause();
    }
  }

  // App completion ------------------------------------------------------------------------

  #onAppDone(): void {
    this.#exchange?.appCompleted();
  }

  #onAppError(err: unknown): void {
    this.#options.logger.error('Unhandled error in the HTTP application', { connectionId: this.ctx.id, error: err });
    this.#exchange?.appFailed(err);
  }

  /** Called by the exchange when its response has ended. */
  onResponseEnded(ex: Http1Exchange): void {
    if (ex.appDone) this.#afterResponse(ex);
  }

  #afterResponse(ex: Http1Exchange): void {
    if (ex !== this.#exchange) return;
    if (ex.isUpgradableRequest && !ex.upgraded) {
      // Answered normally: what follows the head was meant for another protocol.
      this.keepAlive = false;
    }
    if (ex.requestComplete) {
      this.#completeExchange();
      return;
    }
    if (!this.keepAlive) {
      this.#close();
      return;
    }
    if (this.#peerEnded) {
      // The client ended its side without sending the whole body: nothing more can come.
      this.#close();
      return;
    }
    // Read and discard the unread body so the connection can serve the next request, for as
    // long as `requestBodyDrainTimeoutMs` allows (checked on the heartbeat).
    ex.startDiscarding();
    this.#discardSince = this.#options.heartbeat.now;
    this.#resumeReadingInternal();
    if (ex.bodyReceived > this.#limits.maxRequestBodyDrainSize) this.#close();
  }

  /** True when the rest of an unread body is too large to drain (so the response says close). */
  wouldCloseForUnreadBody(ex: Http1Exchange): boolean {
    if (ex.expectContinue && !ex.continueSent && ex.readStartedAt === 0) return true;
    return ex.requestContentLength >= 0 && ex.requestContentLength > this.#limits.maxRequestBodyDrainSize;
  }

  #completeExchange(): void {
    this.#exchange = null;
    if (!this.keepAlive) {
      this.#close();
      return;
    }
    this.#phase = Phase.Idle;
    this.#phaseSince = this.#options.heartbeat.now;
    if (this.#peerEnded && this.#stash === null) {
      this.#close();
      return;
    }
    if (this.#pending.length + this.#transport.writableLength >= this.#limits.maxResponseBufferSize) {
      // The client is not taking its responses as fast as it sends requests (pipelining): read
      // no further until it does, or every response it never reads would pile up here. Kestrel's
      // output pipe pauses the same way; node:http pauses reading too.
      this.#outputWait = true;
      if (!this.#parsingPaused) {
        this.#parsingPaused = true;
        this.#parser.pause();
      }
      this.#pauseReading();
      return;
    }
    this.#continueParsing();
  }

  /** Goes on with the requests that arrived while parsing was paused, and reads again. */
  #continueParsing(): void {
    if (!this.#parsingPaused) return;
    this.#parsingPaused = false;
    this.#parser.resume();
    const stash = this.#stash;
    this.#stash = null;
    this.#resumeReadingInternal();
    if (stash !== null) {
      this.#phase = Phase.Head;
      if (this.#batching) {
        // Called from inside a parse: continue after it returns.
        queueMicrotask(() => this.#resumeWith(stash));
      } else {
        this.#execute(stash);
      }
    }
  }

  /** The client took what was queued for it: serve the requests that waited. */
  #onOutputDrained(): void {
    this.#outputWait = false;
    if (this.#phase === Phase.Closing || this.#detached || this.#exchange !== null) return;
    if (this.#peerEnded && this.#stash === null) {
      this.#close();
      return;
    }
    this.#continueParsing();
  }

  #resumeWith(stash: Buffer): void {
    if (this.#phase === Phase.Closing || this.#detached) return;
    if (this.#parsingPaused) {
      this.#stash = this.#stash === null ? stash : Buffer.concat([stash, this.#stash]);
      return;
    }
    this.#execute(stash);
  }

  // ---- output ----------------------------------------------------------------------------

  /**
   * Queues bytes for the client. Strings are latin1 (heads, ASCII bodies). During a parse they are
   * collected and leave in one write when the parse returns; outside one they go out at once.
   * Returns false when the transport's buffer is full.
   */
  emit(data: string | Buffer): boolean {
    if (this.#detached || this.#transport.destroyed) return false;
    this.#bytesOut += data.length;
    if (this.#batching) {
      if (typeof data === 'string') {
        this.#pending += data;
        return !this.#transport.writableNeedDrain;
      }
      this.#flush();
      return this.#transport.write(data);
    }
    if (typeof data === 'string') return this.#transport.write(data, 'latin1');
    return this.#transport.write(data);
  }

  /**
   * `emit` for a caller that does not need to know whether the transport is full (a head, the
   * end of a response): it skips reading the transport's state.
   */
  queue(data: string): void {
    if (this.#detached) return;
    this.#bytesOut += data.length;
    if (this.#batching) this.#pending += data;
    else if (!this.#transport.destroyed) this.#transport.write(data, 'latin1');
  }

  canWrite(): boolean {
    return !this.#transport.writableNeedDrain;
  }

  drain(): Promise<void> {
    if (!this.#transport.writableNeedDrain || this.#transport.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #onDrain(): void {
    if (this.#outputWait) this.#onOutputDrained();
    const waiters = this.#drainWaiters;
    if (waiters.length === 0) return;
    this.#drainWaiters = [];
    for (const w of waiters) w();
  }


  #flush(): void {
    if (this.#pending.length > 0) {
      const out = this.#pending;
      this.#pending = '';
      if (!this.#transport.destroyed) this.#transport.write(out, 'latin1');
    }
  }

  // ---- errors, aborts, close ---------------------------------------------------------------

  #onParseError(err: unknown): void {
    this.keepAlive = false;
    const status = err instanceof HttpProtocolError ? err.status : 400;
    const ex = this.#exchange;
    this.#options.logger.debug('Bad request', { connectionId: this.ctx.id, error: err });
    if (ex !== null) {
      // The head was fine and the app has it; the body is what broke. The app learns through
      // its body read; if it is not reading, the connection closes after its response.
      ex.failBody(err);
      this.#parsingPaused = true;
      if (ex.appDone && ex.responseEnded) this.#close();
      return;
    }
    this.#writeErrorResponse(status);
    this.#close();
  }

  #writeErrorResponse(status: number): void {
    this.emit(
      `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\ncontent-length: 0\r\nconnection: close\r\n${this.dateLine}${this.serverLine}\r\n`,
    );
  }

  /** Gives up on an exchange whose response cannot be completed: the connection is closed. */
  abortExchange(ex: Http1Exchange, reason: unknown): void {
    this.#options.logger.debug('Response aborted', { connectionId: this.ctx.id, error: reason });
    ex.onConnectionLost(reason instanceof Error ? reason : new ConnectionAbortedError('The response was aborted'));
    this.keepAlive = false;
    this.#flush();
    this.#phase = Phase.Closing;
    this.#finished = true;
    this.#options.heartbeat.delete(this);
    this.ctx.abort(reason instanceof Error ? reason : new ConnectionAbortedError('The response was aborted'));
    this.#resolveRun();
  }

  /** No more requests: flush what is written and let the server close the connection. */
  #close(): void {
    this.#phase = Phase.Closing;
    this.#parser.pause();
    if (!this.#batching) this.#finish();
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#flush();
    this.#options.heartbeat.delete(this);
    this.#resolveRun();
  }

  #onEnd(): void {
    // The client half-closed (FIN). Requests it already sent are still answered, in order
    // (RFC 9112 §9.6); once they are, the connection ends.
    this.#peerEnded = true;
    const ex = this.#exchange;
    if (ex !== null) {
      if (!ex.requestComplete) {
        ex.failBody(new HttpProtocolError('ERR_TIERCEL_BODY_INCOMPLETE', 400, 'The client ended the connection before the request body was complete'));
        // Its response is done and only the body was left to drain: that body will never come.
        if (ex.discarding) this.#close();
      }
      return;
    }
    if (this.#parsingPaused) return;
    if (this.#phase === Phase.Head) {
      // A request head cut off by the end of input: answered as node:http and Kestrel do.
      this.keepAlive = false;
      this.#options.logger.debug('Request head incomplete at the end of input', { connectionId: this.ctx.id });
      this.#writeErrorResponse(400);
    }
    this.#close();
  }


  #onError(err: Error): void {
    this.#options.logger.debug('Transport error', { connectionId: this.ctx.id, error: err });
  }


  #onClose(): void {
    if (this.#detached) {
      this.#resolveRun();
      return;
    }
    const ex = this.#exchange;
    if (ex !== null) ex.onConnectionLost(new ConnectionAbortedError('The client closed the connection'));
    this.#onDrain();
    this.#phase = Phase.Closing;
    this.#finish();
  }


  #onCloseRequested(): void {
    this.keepAlive = false;
    if (this.#phase === Phase.Idle) this.#close();
  }


  #pauseReading(): void {
    if (!this.#readingPaused) {
      this.#readingPaused = true;
      this.#transport.pause();
    }
  }

  /** The app drained its queued body: read from the transport again. */
  resumeReading(): void {
    if (!this.#parsingPaused) this.#resumeReadingInternal();
  }

  #resumeReadingInternal(): void {
    if (this.#readingPaused) {
      this.#readingPaused = false;
      this.#transport.resume();
    }
  }

  // ---- upgrade ---------------------------------------------------------------------------

  /** Throws 503 when taking one more upgraded connection would pass the server's limit. */
  reserveUpgrade(): void {
    const upgrades = this.#options.upgrades;
    if (upgrades.active >= this.#limits.maxConcurrentUpgradedConnections) {
      throw new HttpProtocolError(
        'ERR_TIERCEL_TOO_MANY_UPGRADES',
        503,
        `The server already has ${upgrades.active} upgraded connections (maxConcurrentUpgradedConnections)`,
      );
    }
    upgrades.active++;
    this.#transport.once('close', () => upgrades.active--);
  }

  /** Hands the raw transport and the bytes read past the head to the caller. */
  detach(): UpgradedConnection {
    this.#flush();
    this.#detached = true;
    this.#options.heartbeat.delete(this);
    const t = this.#transport;
    t.off('data', Http1Connection.#dataListener);
    t.off('end', Http1Connection.#endListener);
    t.off('drain', Http1Connection.#drainListener);
    t.off('error', Http1Connection.#errorListener);
    // Whoever takes the transport handles its errors; this keeps an unhandled one from crashing us.
    t.on('error', noop);
    const head = this.#stash ?? Buffer.alloc(0);
    this.#stash = null;
    if (this.#readingPaused) {
      this.#readingPaused = false;
      t.resume();
    }
    // Stop the flow until the new owner attaches its own 'data' listener.
    t.pause();
    return { transport: t, head };
  }

  // ---- timeouts --------------------------------------------------------------------------

  onHeartbeat(now: number): void {
    if (this.#finished || this.#detached) return;
    const limits = this.#limits;
    switch (this.#phase) {
      case Phase.Idle:
        if (this.#options.heartbeat.isPast(this.#phaseSince, limits.keepAliveTimeoutMs, now)) {
          this.#options.logger.debug('Keep-alive timeout', { connectionId: this.ctx.id });
          this.#close();
        }
        break;
      case Phase.Head:
        if (this.#options.heartbeat.isPast(this.#phaseSince, limits.requestHeadersTimeoutMs, now)) {
          this.#options.logger.debug('Request headers timeout', { connectionId: this.ctx.id });
          this.keepAlive = false;
          this.#writeErrorResponse(408);
          this.#close();
        }
        break;
      case Phase.Request: {
        const ex = this.#exchange;
        if (ex !== null && ex.discarding && this.#options.heartbeat.isPast(this.#discardSince, limits.requestBodyDrainTimeoutMs, now)) {
          this.#options.logger.debug('Unread request body not received in time: closing', { connectionId: this.ctx.id });
          this.keepAlive = false;
          this.#close();
          break;
        }
        if (ex !== null && ex.checkBodyRate(now)) {
          this.#options.logger.debug('Request body too slow', { connectionId: this.ctx.id });
        }
        break;
      }
    }
    this.#checkResponseRate(now);
  }

  /**
   * The minimum response rate, measured as Kestrel does: each byte that leaves for the client
   * extends a deadline by 1/rate s (a run of output after a quiet spell starts from now + the
   * grace), and only output still waiting in the server past that deadline cuts the client.
   * A client taking its bytes at the rate or faster has taken all of them by the deadline, so
   * nothing can still be waiting: it is never cut. Progress out of the server's buffer over a
   * window is no measure: the kernel's send buffer (megabytes, and it wakes the writer only when
   * a third of it is free) hides seconds of a steady reader's progress.
   */
  #checkResponseRate(now: number): void {
    const rate = this.#limits.minResponseDataRate;
    if (rate === null) return;
    const waiting = this.#transport.writableLength;
    // Only bytes that left the server earn time: an app that ignores backpressure and keeps
    // writing to a client that reads nothing must not push the deadline out forever.
    const flushed = this.#bytesOut - waiting;
    const added = flushed - this.#bytesCredited;
    if (added > 0) {
      this.#bytesCredited = flushed;
      // Bytes flushed since the last tick are credited from this tick: late by less than an
      // interval, which errs towards the client.
      const base = this.#responseDeadline > now ? this.#responseDeadline : now + rate.gracePeriodMs;
      this.#responseDeadline = base + (added * 1000) / rate.bytesPerSecond;
    }
    if (waiting === 0 || !this.#options.heartbeat.isPast(this.#responseDeadline, 0, now)) return;
    this.#options.logger.debug('Response too slow: aborting', { connectionId: this.ctx.id });
    const ex = this.#exchange;
    const err = new ConnectionAbortedError('The client read the response slower than the minimum data rate');
    if (ex !== null) this.abortExchange(ex, err);
    else {
      this.#finished = true;
      this.#options.heartbeat.delete(this);
      this.ctx.abort(err);
      this.#resolveRun();
    }
  }
}

function noop(): void {}
