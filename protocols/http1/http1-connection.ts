import type { Duplex } from 'node:stream';
import {
  ConnectionAbortedError,
  DEFAULT_MAX_READ_BUFFER_SIZE,
  LifetimeFeature,
  setConnectionEndReason,
  takeReadAhead,
  kReader,
  type ReadBy,
  type ClockTimer,
  type ConnectionCompletion,
  LOG_EVENTS,
  type ConnectionContext,
  type Logger,
  type TransportWatcher,
} from '../../connection/index.js';
import {
  HttpProtocolError,
  publishRequestRejected,
  rejectionReason,
  type Heartbeat,
  type HeartbeatHandler,
  type HttpApplication,
  type HttpLimits,
  type HttpLogs,
  type UpgradeCounter,
  type UpgradedConnection,
} from '../http/index.js';
import { Http1Exchange } from './http1-exchange.js';
import { Http1OutputProducer } from './http1-output-producer.js';
import { HeadScannerPool, rememberValidHost } from './head-scanner.js';
import { Http1Parser, assertValidHost, type Http1ParserHandler, type RequestHead } from './http1-parser.js';
import type { KeepAliveEndReason } from './keep-alive-reason.js';
import { BadRequestError } from './rejection.js';

export interface Http1ConnectionOptions {
  readonly limits: HttpLimits;
  /** The `server: …\r\n` line, or '' for none. */
  readonly serverLine: string;
  readonly extraMethods: readonly string[];
  readonly upgrades: UpgradeCounter;
  readonly heartbeat: Heartbeat;
  readonly logger: Logger;
  readonly logs: HttpLogs;
  /** Bytes of request body queued for a slow app before the connection stops reading. */
  readonly maxReadBufferSize?: number;
  /**
   * The head scanners the connections of an endpoint share (made for `limits`), so that an idle
   * connection keeps none. Default: a pool of the connection's own.
   */
  readonly headScanners?: HeadScannerPool;
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

type Carrier = ReadBy<Http1Connection>;

function isPromise(value: unknown): value is Promise<void> {
  return value !== undefined && value !== null && typeof (value as Promise<void>).then === 'function';
}

/**
 * Drives HTTP/1.x on one connection. Its request loop has the steps of Kestrel's
 * `HttpProtocol.ProcessRequests`, driven by the transport's reads rather than by awaits, so that a
 * synchronous app answering a head already in the buffer costs no promise, and pipelined requests
 * that arrive in one read are answered in one write (the output producer is corked for the parse):
 *
 *   1. parse a head             `#execute` → parser → `onRequestHead`
 *   2. create the exchange      `onRequestHead`
 *   3. run the app              `#runApp` (a sync app goes on at once, an async one when it settles)
 *   4. finish the response      `#onAppDone` / `#onAppError` (end it; 500 if nothing was sent)
 *   5. consume the unread body  `#afterResponse` (discard it, within the drain limits)
 *   6. keep alive, or not       `#endRequest` (parse the next head, or close)
 *
 * One request is in the app at a time: a pipelined request waits, parsed no further, until the
 * one before it is done. Anything that ends the connection after the current request calls
 * `disableKeepAlive(reason)` with one of the closed set of reasons; the first is kept.
 */
export class Http1Connection implements Http1ParserHandler, HeartbeatHandler, TransportWatcher {
  readonly ctx: ConnectionContext;
  readonly maxReadBufferSize: number;
  /** Batching, the kept head, drain waits and the response rate: every byte out goes here. */
  readonly output: Http1OutputProducer;
  readonly #transport: Duplex;
  readonly #app: HttpApplication;
  readonly #limits: HttpLimits;
  readonly #options: Http1ConnectionOptions;
  readonly #parser: Http1Parser;

  #keepAlive = true;
  #endReason: KeepAliveEndReason | undefined;
  #phase = Phase.Idle;
  // Initialised with a number, not left for the constructor: a field declared bare starts as
  // undefined, V8 then keeps it as a tagged field, and every store of a clock reading (a double,
  // not a small integer) boxed it in a new 16-byte heap number, twice per request.
  #phaseSince = 0;
  #exchange: Http1Exchange | null = null;
  /** An upgrade request whose app runs when the current parse returns. */
  #deferred: Http1Exchange | null = null;
  /** Bytes that arrived while parsing was paused (a pipelined request waiting its turn). */
  #stash: Buffer | null = null;
  #parsingPaused = false;
  #readingPaused = false;
  #validHost = '';
  /** Requests wait for the client to take the responses queued for it ('drain'). */
  #outputWait = false;
  /** When the unread rest of a finished request's body began to be discarded. */
  #discardSince = 0;
  #detached = false;
  #finished = false;
  /** The client sent its FIN: finish what it sent, then close. */
  #peerEnded = false;
  /** Told once when the connection is done with HTTP (the server's, or `run()`'s promise). */
  #completion: ConnectionCompletion | undefined;
  /** A graceful stop found the connection idle: it closes when this fires, unless a request came. */
  #shutdownGrace: ClockTimer | undefined;
  // Made on the first request whose app returns a promise; a sync app never pays for them.
  #appDone: (() => void) | undefined;
  #appError: ((err: unknown) => void) | undefined;

  // The transport's listeners are shared by every connection (they find theirs in the transport's
  // reader slot, as node:http finds its parser through a symbol), so an idle connection holds no
  // closures for them.
  static readonly #dataListener = function (this: Carrier, chunk: Buffer): void {
    this[kReader]!.#onData(chunk);
  };
  static readonly #endListener = function (this: Carrier): void {
    this[kReader]!.#onEnd();
  };
  static readonly #drainListener = function (this: Carrier): void {
    this[kReader]!.#onDrain();
  };

  constructor(ctx: ConnectionContext, app: HttpApplication, options: Http1ConnectionOptions) {
    this.ctx = ctx;
    this.#transport = ctx.transport;
    this.#app = app;
    this.#limits = options.limits;
    this.#options = options;
    this.maxReadBufferSize = options.maxReadBufferSize ?? DEFAULT_MAX_READ_BUFFER_SIZE;
    this.output = new Http1OutputProducer(ctx.transport, options.heartbeat, options.serverLine);
    this.#phaseSince = options.heartbeat.now;
    this.#parser = new Http1Parser(this, options.headScanners ?? headScannersFor(options));
  }

  /** False once the connection will serve no request after the current one. */
  get keepAlive(): boolean {
    return this.#keepAlive;
  }

  /** Why the connection ends (the first reason given), or undefined while it keeps alive. */
  get keepAliveEndReason(): KeepAliveEndReason | undefined {
    return this.#endReason;
  }

  /** No request after the current one; the first reason is the one kept. */
  disableKeepAlive(reason: KeepAliveEndReason): void {
    if (this.#keepAlive) {
      this.#keepAlive = false;
      this.#endReason = reason;
      setConnectionEndReason(this.ctx, reason);
    }
  }

  /** The clock's exact time (the heartbeat's `now` lags by up to a tick), for a body read's start. */
  readClock(): number {
    return this.#options.heartbeat.clock.now();
  }

  /** Serves the connection; resolves when it is done with HTTP (closed, or handed off and closed). */
  run(): Promise<void> {
    return new Promise<void>((resolve, reject) => this.serve({ complete: resolve, fail: reject }));
  }

  /**
   * Serves the connection and calls `completion.complete()` when it is done with HTTP (closed, or
   * handed off and closed): `run()` without a promise kept for the connection's life.
   */
  serve(completion: ConnectionCompletion): void {
    this.#completion = completion;
    const t = this.#transport;
    (t as Carrier)[kReader] = this;
    t.on('data', Http1Connection.#dataListener);
    t.on('end', Http1Connection.#endListener);
    t.on('drain', Http1Connection.#drainListener);
    // Errors and close through the context's own listeners: a second 'error' and 'close' listener
    // made node keep an array for each on every connection.
    this.ctx.watchTransport(this);
    this.#options.heartbeat.add(this);
    // The connection itself is the listener: a closure, and the one that unregisters it, were
    // ~130 bytes each idle connection kept.
    this.ctx.features.get(LifetimeFeature)?.addCloseRequestListener(this);
    // The protocol sniff's read, handed over rather than put back on the transport.
    const first = takeReadAhead(t);
    if (t.destroyed) this.#onClose();
    else if (first !== undefined) this.#onData(first);
  }

  // ---- 1. parse ------------------------------------------------------------------------------

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
    const output = this.output;
    output.cork();
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
    output.uncork();
    const deferred = this.#deferred;
    if (deferred !== null) {
      this.#deferred = null;
      this.#runApp(deferred);
    }
    if (this.#peerEnded && this.#exchange === null && this.#phase !== Phase.Closing && !this.#outputWait) {
      this.disableKeepAlive('client-end');
      this.#close();
    }
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

  #onParseError(err: unknown): void {
    this.disableKeepAlive('bad-request');
    const status = err instanceof HttpProtocolError ? err.status : 400;
    publishRequestRejected(this.ctx, rejectionReasonOf(err), status);
    const ex = this.#exchange;
    this.#options.logs.badRequests.debug({ ...LOG_EVENTS.RequestRejected, connectionId: this.ctx.id, reason: rejectionReason(err), status, err }, 'Bad request');
    if (ex !== null) {
      // The head was fine and the app has it; the body is what broke. The app learns through
      // its body read; if it is not reading, the connection closes after its response.
      ex.failBody(err);
      this.#parsingPaused = true;
      if (ex.appDone && ex.responseEnded) this.#close();
      return;
    }
    this.output.writeErrorResponse(status);
    this.#close();
  }

  // ---- 2. create the exchange (parser callbacks) ---------------------------------------------

  onRequestHead(head: RequestHead): void {
    // A missing or malformed Host is a 400 before the app sees anything (RFC 9112 §3.2). A
    // keep-alive client sends the same Host every time: one it sent before is known good (and
    // the scanner gives a Host it was told of as the same string: see `rememberValidHost`).
    const host = head.host;
    if (host === null || host !== this.#validHost) {
      assertValidHost(head);
      if (host !== null) {
        this.#validHost = host;
        rememberValidHost(host);
      }
    }
    // No clock read here: the request phase's only timeout (the body rate) has its own start.
    this.#phase = Phase.Request;
    if (!head.keepAlive) this.disableKeepAlive('client-close');
    const ex = new Http1Exchange(this, head, this.#limits);
    this.#exchange = ex;
    if (ex.isUpgradableRequest) {
      // The bytes after this message belong to another protocol, whether the app takes them or
      // answers normally. The parser reads the message's body (if any) and stops by itself; the
      // app runs once this parse returns, so that `upgrade()` can hand over every byte read past
      // the message.
      this.disableKeepAlive('upgrade');
      this.#deferred = ex;
      return;
    }
    this.#runApp(ex);
  }

  onBody(chunk: Buffer): void {
    const ex = this.#exchange;
    if (ex === null) return;
    if (!ex.pushBody(chunk)) this.#pauseReading();
    if (ex.discarding && ex.bodyReceived > this.#limits.maxRequestBodyDrainSize) {
      this.disableKeepAlive('unread-body-too-large');
      this.#phase = Phase.Closing;
      this.#parser.pause();
    }
  }

  onMessageComplete(): void {
    const ex = this.#exchange;
    if (ex === null) return;
    ex.endBody();
    if (ex.appDone && ex.responseEnded) {
      this.#endRequest();
    } else if (!ex.upgraded) {
      // The next pipelined request waits until this one's response is done.
      this.#parsingPaused = true;
      this.#parser.pause();
    }
  }

  // ---- 3. run the app ------------------------------------------------------------------------

  #runApp(ex: Http1Exchange): void {
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

  // ---- 4. finish the response ----------------------------------------------------------------

  #onAppDone(): void {
    this.#exchange?.appCompleted();
  }

  #onAppError(err: unknown): void {
    this.#options.logs.application.error({ ...LOG_EVENTS.ApplicationError, connectionId: this.ctx.id, err }, 'Unhandled error in the HTTP application');
    this.#exchange?.appFailed(err);
  }

  /** Called by the exchange when its response has ended. */
  onResponseEnded(ex: Http1Exchange): void {
    if (ex.appDone) this.#afterResponse(ex);
  }

  /** Gives up on an exchange whose response cannot be completed: the connection is closed. */
  abortExchange(ex: Http1Exchange, reason: unknown): void {
    this.#options.logger.debug({ connectionId: this.ctx.id, err: reason }, 'Response aborted');
    const err = reason instanceof Error ? reason : new ConnectionAbortedError('The response was aborted');
    this.disableKeepAlive('response-aborted');
    ex.onConnectionLost(err);
    this.#abort(err);
  }

  // ---- 5. consume the unread body ------------------------------------------------------------

  #afterResponse(ex: Http1Exchange): void {
    if (ex !== this.#exchange) return;
    if (ex.requestComplete) {
      this.#endRequest();
      return;
    }
    if (!this.#keepAlive) {
      this.#close();
      return;
    }
    if (this.#peerEnded) {
      // The client ended its side without sending the whole body: nothing more can come.
      this.disableKeepAlive('client-end');
      this.#close();
      return;
    }
    // Read and discard the unread body so the connection can serve the next request, for as
    // long as `requestBodyDrainTimeoutMs` allows (checked on the heartbeat).
    ex.startDiscarding();
    this.#discardSince = this.#options.heartbeat.now;
    this.#resumeReadingInternal();
    if (ex.bodyReceived > this.#limits.maxRequestBodyDrainSize) {
      this.disableKeepAlive('unread-body-too-large');
      this.#close();
    }
  }

  /**
   * Why the response to `ex` must say `connection: close` because of its unread body (it cannot
   * or will not be drained), or undefined when it can be.
   */
  unreadBodyEndReason(ex: Http1Exchange): KeepAliveEndReason | undefined {
    if (ex.expectContinue && !ex.continueSent && ex.readStartedAt === 0) return 'continue-not-sent';
    if (ex.requestContentLength >= 0 && ex.requestContentLength > this.#limits.maxRequestBodyDrainSize) return 'unread-body-too-large';
    return undefined;
  }

  // ---- 6. keep alive, or not -----------------------------------------------------------------

  #endRequest(): void {
    this.#exchange = null;
    if (!this.#keepAlive) {
      this.#close();
      return;
    }
    this.#phase = Phase.Idle;
    this.#phaseSince = this.#options.heartbeat.now;
    if (this.#peerEnded && this.#stash === null) {
      this.disableKeepAlive('client-end');
      this.#close();
      return;
    }
    if (this.output.buffered >= this.#limits.maxResponseBufferSize) {
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
      if (this.output.corked) {
        // Called from inside a parse: continue after it returns.
        queueMicrotask(() => this.#resumeWith(stash));
      } else {
        this.#execute(stash);
      }
    }
  }

  #resumeWith(stash: Buffer): void {
    if (this.#phase === Phase.Closing || this.#detached) return;
    if (this.#parsingPaused) {
      this.#stash = this.#stash === null ? stash : Buffer.concat([stash, this.#stash]);
      return;
    }
    this.#execute(stash);
  }

  /** The client took what was queued for it: serve the requests that waited. */
  #onOutputDrained(): void {
    this.#outputWait = false;
    if (this.#phase === Phase.Closing || this.#detached || this.#exchange !== null) return;
    if (this.#peerEnded && this.#stash === null) {
      this.disableKeepAlive('client-end');
      this.#close();
      return;
    }
    this.#continueParsing();
  }

  #onDrain(): void {
    if (this.#outputWait) this.#onOutputDrained();
    this.output.onDrain();
  }

  // ---- close ---------------------------------------------------------------------------------

  /** No more requests: flush what is written and let the server close the connection. */
  #close(): void {
    this.#phase = Phase.Closing;
    this.#parser.pause();
    if (!this.output.corked) this.#finish();
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.output.flush();
    this.#done();
  }

  /** Cuts the connection at once (what is still buffered is lost). */
  #abort(err: Error): void {
    const first = !this.#finished;
    this.output.flush();
    this.#phase = Phase.Closing;
    this.#finished = true;
    this.ctx.abort(err);
    if (first) this.#done();
  }

  #done(): void {
    this.#options.heartbeat.delete(this);
    if (this.#shutdownGrace !== undefined) this.#options.heartbeat.clock.clearTimer(this.#shutdownGrace);
    // Asked first: the record's fields (and the connection id's text) would be garbage per closed connection.
    const log = this.#options.logs.connections;
    if (log.isLevelEnabled?.('debug') !== false) log.debug({ ...LOG_EVENTS.ConnectionClosed, connectionId: this.ctx.id, reason: this.#endReason }, 'HTTP/1.1 connection done');
    this.#complete();
  }

  #complete(): void {
    const completion = this.#completion;
    this.#completion = undefined;
    completion?.complete();
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
      this.disableKeepAlive('bad-request');
      this.#options.logs.badRequests.debug({ ...LOG_EVENTS.RequestRejected, connectionId: this.ctx.id, reason: 'request-head-incomplete', status: 400 }, 'Request head incomplete at the end of input');
      this.output.writeErrorResponse(400);
    }
    this.disableKeepAlive('client-end');
    this.#close();
  }

  /** The transport failed (the connection is the context's `TransportWatcher`); 'close' follows. */
  handleTransportError(err: Error): void {
    this.#options.logger.debug({ connectionId: this.ctx.id, err }, 'Transport error');
  }

  handleTransportClose(): void {
    this.#onClose();
  }

  #onClose(): void {
    this.disableKeepAlive('transport-closed');
    const ex = this.#exchange;
    if (ex !== null) ex.onConnectionLost(new ConnectionAbortedError('The client closed the connection'));
    this.#onDrain();
    this.#phase = Phase.Closing;
    this.#finish();
  }

  /** The server asked the connection to close (the connection is its `LifetimeFeature` listener). */
  handleCloseRequest(): void {
    if (this.#detached) return;
    this.disableKeepAlive('server-shutdown');
    if (this.#phase !== Phase.Idle) return;
    // The client may have sent its next request already: closing now would cut it off unanswered.
    // It has keepAliveShutdownGraceMs to arrive, and is answered with `connection: close`.
    const clock = this.#options.heartbeat.clock;
    this.#shutdownGrace = clock.setTimeout(() => {
      if (this.#phase === Phase.Idle && !this.#finished) this.#close();
    }, this.#limits.keepAliveShutdownGraceMs);
  }

  #pauseReading(): void {
    if (!this.#readingPaused) {
      this.#readingPaused = true;
      this.#transport.pause();
    }
  }

  /** The body's reader cannot take more (a piped body's sink is full): stop reading. */
  pauseReading(): void {
    this.#pauseReading();
  }

  /** The app drained its queued body (or a piped body's sink drained): read from the transport again. */
  resumeReading(): void {
    if (!this.#parsingPaused) this.#resumeReadingInternal();
  }

  #resumeReadingInternal(): void {
    if (this.#readingPaused) {
      this.#readingPaused = false;
      this.#transport.resume();
    }
  }

  // ---- upgrade -------------------------------------------------------------------------------

  /**
   * Throws 503 when taking one more upgraded connection would pass the server's limit. The
   * connection is counted by `detach`, which `upgrade()` calls right after, synchronously.
   */
  reserveUpgrade(): void {
    const upgrades = this.#options.upgrades;
    if (upgrades.active >= this.#limits.maxConcurrentUpgradedConnections) {
      throw new HttpProtocolError(
        'ERR_TIERCEL_TOO_MANY_UPGRADES',
        503,
        `The server already has ${upgrades.active} upgraded connections (maxConcurrentUpgradedConnections)`,
      );
    }
  }

  /** Hands the raw transport and the bytes read past the head to the caller. */
  detach(): UpgradedConnection {
    this.output.detach();
    this.#detached = true;
    this.#options.heartbeat.delete(this);
    // Asked first: the record would make the connection id's text, which the upgraded connection
    // would then keep for its life (~130 bytes a WebSocket).
    const log = this.#options.logs.connections;
    if (log.isLevelEnabled?.('debug') !== false) log.debug({ ...LOG_EVENTS.ConnectionUpgraded, connectionId: this.ctx.id, reason: this.#endReason }, 'HTTP/1.1 connection upgraded');
    const t = this.#transport;
    t.off('data', Http1Connection.#dataListener);
    t.off('end', Http1Connection.#endListener);
    t.off('drain', Http1Connection.#drainListener);
    // Nothing the transport, the context or the connection's features keep may hold this object
    // (its exchange, parser and buffers) for as long as the new owner keeps the socket open: ~6 KiB
    // per WebSocket. The context's own 'error' listener stays: an error before the new owner
    // listens does not crash the process.
    this.ctx.watchTransport(undefined);
    (t as Carrier)[kReader] = undefined;
    this.ctx.features.get(LifetimeFeature)?.offCloseRequested(this);
    // Counted as upgraded, and done with HTTP, when the new owner's transport closes: the context
    // already watches for that. One small object kept for the upgrade's life, where a 'close'
    // listener of the counter's and a bound completion were ~250 bytes.
    const upgrades = this.#options.upgrades;
    upgrades.reserve(this.ctx);
    this.ctx.onClosed(new UpgradedConnectionEnd(upgrades, this.ctx, this.#completion));
    this.#completion = undefined;
    const head = this.#stash ?? NOTHING_READ_AHEAD;
    this.#stash = null;
    if (this.#readingPaused) {
      this.#readingPaused = false;
      t.resume();
    }
    // Stop the flow until the new owner attaches its own 'data' listener.
    t.pause();
    return { transport: t, head };
  }

  // ---- timeouts ------------------------------------------------------------------------------

  onHeartbeat(now: number): void {
    if (this.#finished || this.#detached) return;
    const limits = this.#limits;
    const heartbeat = this.#options.heartbeat;
    switch (this.#phase) {
      case Phase.Idle:
        if (heartbeat.isPast(this.#phaseSince, limits.keepAliveTimeoutMs, now)) {
          this.#options.logger.debug({ connectionId: this.ctx.id }, 'Keep-alive timeout');
          this.disableKeepAlive('keep-alive-timeout');
          this.#close();
        }
        break;
      case Phase.Head:
        if (heartbeat.isPast(this.#phaseSince, limits.requestHeadersTimeoutMs, now)) {
          this.#options.logs.badRequests.debug({ ...LOG_EVENTS.RequestHeadersTimeout, connectionId: this.ctx.id }, 'Request headers timeout');
          this.disableKeepAlive('request-headers-timeout');
          publishRequestRejected(this.ctx, 'request-headers-timeout', 408);
          this.output.writeErrorResponse(408);
          this.#close();
        }
        break;
      case Phase.Request: {
        const ex = this.#exchange;
        if (ex !== null && ex.discarding && heartbeat.isPast(this.#discardSince, limits.requestBodyDrainTimeoutMs, now)) {
          this.#options.logger.debug({ connectionId: this.ctx.id }, 'Unread request body not received in time: closing');
          this.disableKeepAlive('request-body-drain-timeout');
          this.#close();
          break;
        }
        if (ex !== null && ex.checkBodyRate(now)) {
          this.#options.logs.badRequests.debug({ ...LOG_EVENTS.RequestBodyTooSlow, connectionId: this.ctx.id }, 'Request body too slow');
        }
        break;
      }
    }
    const rate = limits.minResponseDataRate;
    if (rate !== null && this.output.isPastResponseDeadline(rate, now)) this.#onResponseTooSlow();
  }

  #onResponseTooSlow(): void {
    this.#options.logs.badRequests.debug({ ...LOG_EVENTS.ResponseTooSlow, connectionId: this.ctx.id }, 'Response too slow: aborting');
    this.disableKeepAlive('min-response-data-rate');
    const err = new ConnectionAbortedError('The client read the response slower than the minimum data rate');
    const ex = this.#exchange;
    if (ex !== null) this.abortExchange(ex, err);
    else this.#abort(err);
  }
}


/** The `head` of an upgrade with no bytes read past the request: empty, so one serves every upgrade. */
const NOTHING_READ_AHEAD = Buffer.alloc(0);

/** An upgraded connection's end: one fewer upgrade, and the connection is done with HTTP. */
class UpgradedConnectionEnd {
  constructor(
    readonly upgrades: UpgradeCounter,
    readonly ctx: ConnectionContext,
    readonly completion: ConnectionCompletion | undefined,
  ) {}

  handleConnectionClosed(): void {
    this.upgrades.release(this.ctx);
    this.completion?.complete();
  }
}

/** A head scanner pool for the parser limits of `options` (`Http1ConnectionOptions.headScanners`). */
export function headScannersFor(options: Pick<Http1ConnectionOptions, 'limits' | 'extraMethods'>): HeadScannerPool {
  return new HeadScannerPool({
    maxRequestLineSize: options.limits.maxRequestLineSize,
    maxRequestHeadersTotalSize: options.limits.maxRequestHeadersTotalSize,
    maxRequestHeaderCount: options.limits.maxRequestHeaderCount,
    extraMethods: options.extraMethods,
  });
}

/** A parse error's `RequestRejectionReason`, or the code of another protocol error. */
function rejectionReasonOf(err: unknown): string {
  if (err instanceof BadRequestError) return err.reason;
  return err instanceof HttpProtocolError ? err.code : 'bad-request';
}
