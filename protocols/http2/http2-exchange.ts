import http2, { type ServerHttp2Stream } from 'node:http2';
import type { ConnectionContext, FeatureKey } from '../../connection/index.js';
import { ConnectionAbortedError, LOG_EVENTS, TiercelError } from '../../connection/index.js';
import {
  FramingField,
  HttpEarlyHintsFeature,
  HttpExchangeBase,
  HttpExtendedConnectFeature,
  RequestHeaders,
  statusHasNoBody,
  utf8Length,
  declaredLengthOf,
  type HeaderList,
  type HttpApplication,
  type HttpProtocolName,
  type UpgradedConnection,
} from '../http/index.js';
import type { Http2Connection } from './http2-connection.js';
import { forwardEmit } from './forward-emit.js';
import { headersOf, protocolOf, type Http2RequestHead } from './http2-request-head.js';

const { NGHTTP2_NO_ERROR, NGHTTP2_INTERNAL_ERROR, NGHTTP2_CANCEL } = http2.constants;

// HTTP/1.1's connection-specific fields are forbidden in HTTP/2 (RFC 9113 §8.2.2): an app written
// for HTTP/1.1 may set them, so they are dropped rather than failing the response.
const CONNECTION_SPECIFIC: ReadonlySet<string> = new Set(['connection', 'transfer-encoding', 'keep-alive', 'proxy-connection', 'upgrade']);

/** The header object `stream.respond` takes; an undefined value is a field left out. */
type ResponseHeaderObject = Record<string, string | string[] | number | undefined>;

function isPromise(value: unknown): value is Promise<void> {
  return value !== undefined && value !== null && typeof (value as Promise<void>).then === 'function';
}

/**
 * One HTTP/2 stream as an `HttpExchange`: the same contract `Http1Exchange` implements, so the
 * pipeline and apps serve both protocols unchanged. nghttp2 does the framing and flow control;
 * this maps the stream API (`respond`, `write`, `end`, trailers, `close`) onto the contract. The
 * body reader and the completion path are `HttpExchangeBase`'s.
 */
export class Http2Exchange extends HttpExchangeBase implements HttpExtendedConnectFeature, HttpEarlyHintsFeature {
  // What the connection already holds is read from it, not copied: each field is 8 bytes more
  // of every stream's exchange, and an exchange in flight when the young generation is collected
  // is promoted with its stream. The head's method and target are copied (`readRequestHead` reuses
  // one object), its `:protocol` is read again from the raw array if asked: 16 bytes where a head
  // object of its own was 88. For the same reason the helpers are static (`Http2Exchange.#x(ex, …)`):
  // a private instance method makes V8 keep a brand field in every instance.
  readonly #method: string;
  readonly #target: string;
  /** node:http2's flat raw header array, the request's fields are read from when asked for (`headersOf`). */
  readonly #raw: readonly string[];
  #headers: RequestHeaders | undefined;
  /** The request's trailer fields once the body has been read to its end (null before, or when none). */
  requestTrailers: RequestHeaders | null = null;

  /** The connection's list of exchanges in flight (`Http2Connection` links and walks it). */
  linkPrev: Http2Exchange | undefined;
  linkNext: Http2Exchange | undefined;

  /** The exchange's yes/no state (`Flag`): one field where seven were 56 bytes of every stream's exchange. */
  #flags = 0;
  // Response.
  #declared = -1;
  #written = 0;
  // The minimum response data rate: since when output has waited, and how much had gone then.
  #sendWaitSince = 0;
  #sendWaitTaken = 0;

  // The stream's listeners are shared by every exchange (each finds its own through a symbol on
  // the stream): four fewer closures per request on the hot path.
  static readonly #dataListener = function (this: Carrier, chunk: Buffer): void {
    const ex = this[kExchange]!;
    ex.owner.bodyArrived(chunk.length);
    ex.pushBody(chunk);
  };
  static readonly #endListener = function (this: Carrier): void {
    // node:http2 ends the readable side of a stream it destroys too (a reset, the session going
    // away): that is a body cut short, which 'close' reports, not its END_STREAM.
    if (!this.destroyed) this[kExchange]!.endBody();
  };
  static readonly #trailersListener = function (this: Carrier, headers: unknown, flags: number, raw?: string[]): void {
    Http2Exchange.#onTrailers(this[kExchange]!, headers, flags, raw);
  };
  /**
   * The stream's `emit` (set by the constructor, as the connection sets its session's): 'close' and
   * 'error' reach the exchange here, then go on to any listener as usual. Listening for them cost
   * every stream two `on` calls, each announced through a 'newListener' emit, and two more entries
   * in its event table; a stream with no 'error' listener of its own would throw on an 'error'
   * emitted through EventEmitter's emit, so one that nobody else listens for stops here.
   */
  static readonly #emit = function (this: Carrier, event: string | symbol, a?: unknown, b?: unknown, c?: unknown, d?: unknown): boolean {
    if (event === 'close') {
      const ex = this[kExchange]!;
      // The closed stream lets go of its exchange. A scavenge keeps whatever dead old-generation
      // objects point at (node:http2's own garbage reaches closed streams), and through this
      // symbol each such stream kept its exchange, context and response alive too, promoted
      // until the next full collection: old space after 130,000 streams was 27-30 MiB with it,
      // 16.5-20.7 MiB without (node:http2 12.7-21.0 MiB).
      this[kExchange] = undefined;
      Http2Exchange.#onClose(ex);
    } else if (event === 'error') {
      this[kExchange]?.owner.streamError(a as Error);
      if (this.listenerCount('error') === 0) return true;
    }
    // Passed on even when nobody listens (close, prefinish, resume, readable: half of a GET
    // stream's events): stopping those here saved ~70 bytes of argument arrays per stream but cost
    // more instructions than it saved (callgrind per stream: listenerCount +150 and this function
    // +110, against EventEmitter's emit -180).
    return forwardEmit(this, event, a, b, c, d);
  };
  // Shared too, where a closure per streamed response held its exchange: a stream reset before
  // node:http2 asked for its trailers kept that closure, and through it the exchange.
  static readonly #wantTrailersListener = function (this: Carrier): void {
    const ex = this[kExchange];
    if (ex === undefined) return;
    ex.#flags &= ~Flag.WaitingForTrailers;
    const trailers = ex.trailerList;
    const out: Record<string, string | string[] | number> = {};
    if (trailers !== null && trailers.size > 0) {
      trailers.seal('the trailers were sent');
      trailers.copyInto(out, CONNECTION_SPECIFIC);
    }
    if (!this.destroyed && !this.closed) this.sendTrailers(out);
    Http2Exchange.#maybeFinish(ex);
  };
  static readonly #finishListener = function (this: Carrier): void {
    setImmediate(Http2Exchange.#resetUnreadBody, this[kExchange]!);
  };
  static readonly #resetUnreadBody = (ex: Http2Exchange): void => {
    const s = ex.stream;
    if (!ex.requestComplete && !s.closed && !s.destroyed) s.close(NGHTTP2_NO_ERROR);
  };

  constructor(
    readonly owner: Http2Connection,
    readonly stream: ServerHttp2Stream,
    head: Http2RequestHead,
    raw: readonly string[],
    endOfStream: boolean,
  ) {
    super(head.contentLength, !endOfStream && head.contentLength !== 0, owner.limits);
    this.#method = head.method;
    this.#target = head.target;
    this.#raw = raw;
    if (head.method === 'HEAD') this.#flags = Flag.NoBody;
    (stream as Carrier)[kExchange] = this;
    stream.emit = Http2Exchange.#emit;
    // Apart: the constructor stays small enough for V8 to inline where the stream is taken
    // (`Http2Connection`), where it was called through the generic construct stub.
    if (this.requestHasBody) Http2Exchange.#takeBody(this, stream);
  }

  static #takeBody(ex: Http2Exchange, stream: ServerHttp2Stream): void {
    stream.once('trailers', Http2Exchange.#trailersListener);
    // The body is taken as it arrives, whether the app reads it yet or not, so that all of it is
    // counted: the connection withholds window for what waits unread, which bounds what a
    // connection buffers. (Left paused, a stream stops only its own window, and node:http2
    // returns the connection window for every byte at once, so a hundred streams to a route
    // that never reads would hold a hundred stream windows.) A CONNECT's stream may become a
    // tunnel whose new owner reads it, so it is read only if the app asks (its stream window
    // bounds it until then).
    if (!Http2Exchange.#isConnect(ex)) Http2Exchange.#listen(ex);
  }

  get connection(): ConnectionContext {
    return this.owner.ctx;
  }

  get protocol(): HttpProtocolName {
    return 'HTTP/2';
  }

  get method(): string {
    return this.#method;
  }

  get target(): string {
    return this.#target;
  }

  /** The lower-cased `:protocol` of an extended CONNECT (RFC 8441), else undefined. */
  get connectProtocol(): string | undefined {
    // Read from the raw head when asked (a WebSocket handshake asks), not kept by every stream.
    return protocolOf(this.#raw);
  }

  /** A CONNECT: its stream may become a tunnel (`accept()`). */
  static #isConnect(ex: Http2Exchange): boolean {
    return ex.#method === 'CONNECT';
  }

  static #listen(ex: Http2Exchange): void {
    ex.#flags |= Flag.Listening;
    ex.stream.on('data', Http2Exchange.#dataListener);
    ex.stream.once('end', Http2Exchange.#endListener);
  }

  /** Runs the app on this exchange: sync-first, a promise only if the app returns one. */
  run(app: HttpApplication): void {
    let result: void | Promise<void>;
    try {
      result = app.handle(this);
    } catch (err) {
      Http2Exchange.#appFailed(this, err);
      return;
    }
    if (isPromise(result)) result.then(() => this.appCompleted(), (err: unknown) => Http2Exchange.#appFailed(this, err));
    else this.appCompleted();
  }

  static #appFailed(ex: Http2Exchange, err: unknown): void {
    ex.owner.logs.application.error({ ...LOG_EVENTS.ApplicationError, connectionId: ex.connection.id, streamId: ex.stream.id, err }, 'Unhandled error in the HTTP application');
    ex.appFailed(err);
  }

  // ---- HttpExchangeBase hooks -------------------------------------------------------------

  protected offers(key: FeatureKey<unknown>): boolean {
    return key === HttpExtendedConnectFeature || key === HttpEarlyHintsFeature;
  }

  sendEarlyHints(fields: HeaderList): boolean {
    const stream = this.stream;
    if (Http2Exchange.#is(this, Flag.HeadersSent | Flag.Ended) || stream.destroyed || stream.closed) return false;
    const headers: Record<string, string | string[] | number> = { ':status': 103 };
    fields.copyInto(headers, CONNECTION_SPECIFIC);
    stream.additionalHeaders(headers);
    return true;
  }

  get isExtendedConnect(): boolean {
    return this.connectProtocol !== undefined;
  }

  protected clock(): number {
    // The injected clock (CLOCK, through the heartbeat), so a test clock drives the body rate.
    return this.owner.readClock();
  }

  protected get expectsContinue(): boolean {
    return this.headers.get('expect')?.toLowerCase() === '100-continue';
  }

  protected sendContinue(): void {
    if (!this.stream.destroyed) this.stream.additionalHeaders({ ':status': 100 });
  }

  protected override onReadStart(): void {
    if (!Http2Exchange.#is(this, Flag.Listening)) Http2Exchange.#listen(this);
  }

  protected bodyQueued(queued: number, size: number): boolean {
    this.owner.bodyBuffered(size);
    // One stream's unread body may hold a stream window of the connection's, no more (so a
    // stream nobody reads leaves the rest of the window to the others, as in Kestrel): paused,
    // the stream's own window is no longer given back, and what the client may still send on it
    // (at most that window) waits in node:http2's buffer until the app reads.
    if (queued >= this.owner.streamWindow) this.stream.pause();
    return true;
  }

  protected bodyDequeued(queued: number, size: number): void {
    this.owner.bodyBuffered(-size);
    if (queued === 0 && this.stream.isPaused()) this.stream.resume();
  }

  // A piped body's sink writes to the stream's own response: paused, the stream's window is not given
  // back, so the client stops sending until its response has been taken.
  protected pauseBodyFlow(): void {
    this.stream.pause();
  }

  protected resumeBodyFlow(): void {
    if (this.stream.isPaused()) this.stream.resume();
  }

  /**
   * Gives the queued body's share of the connection window back. On a closed stream the app may
   * still read what is queued, but nothing more arrives: it no longer holds the window.
   */
  protected override bodyReleased(bytes: number): void {
    this.owner.bodyBuffered(-bytes);
  }

  protected override onBodyFailed(): void {
    // What still comes is dropped as it arrives, until the stream is reset after the response.
    if (Http2Exchange.#is(this, Flag.Listening) && this.stream.isPaused()) this.stream.resume();
  }

  static #onTrailers(ex: Http2Exchange, _headers: unknown, _flags: number, raw?: string[]): void {
    if (raw !== undefined) ex.requestTrailers = new RequestHeaders(raw);
  }

  protected override get responseDelivered(): boolean {
    return this.stream.writableFinished;
  }

  protected afterResponse(): void {
    Http2Exchange.#maybeFinish(this);
  }

  // ---- request body ----------------------------------------------------------------------

  /** Made when first asked for: a handler that reads no header does not pay for the view. */
  get headers(): RequestHeaders {
    return (this.#headers ??= headersOf(this.#raw));
  }

  // ---- response --------------------------------------------------------------------------

  get headersSent(): boolean {
    return Http2Exchange.#is(this, Flag.HeadersSent);
  }

  get bytesSent(): number {
    return this.#written;
  }

  get responseEnded(): boolean {
    return Http2Exchange.#is(this, Flag.Ended);
  }

  write(chunk: Buffer | string): boolean {
    if (Http2Exchange.#is(this, Flag.Ended)) throw new TiercelError('ERR_TIERCEL_RESPONSE_ENDED', 'write() after the response ended');
    if (!Http2Exchange.#is(this, Flag.HeadersSent)) Http2Exchange.#respond(this, -1, false);
    const size = typeof chunk === 'string' ? utf8Length(chunk) : chunk.length;
    if (size === 0 || Http2Exchange.#is(this, Flag.NoBody)) return Http2Exchange.#canWrite(this);
    Http2Exchange.#count(this, size);
    if (this.stream.destroyed) return false;
    return this.stream.write(chunk);
  }

  drain(): Promise<void> {
    const s = this.stream;
    if (!s.writableNeedDrain || s.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        s.off('drain', done);
        s.off('close', done);
        resolve();
      };
      s.on('drain', done);
      s.on('close', done);
    });
  }

  end(chunk?: Buffer | string): void {
    if (Http2Exchange.#is(this, Flag.Ended)) return;
    const size = chunk === undefined ? 0 : typeof chunk === 'string' ? utf8Length(chunk) : chunk.length;
    if (!Http2Exchange.#is(this, Flag.HeadersSent)) {
      // A content-length the app set wrong throws here, before the response counts as ended, so
      // the pipeline can still answer 500.
      if ((this.responseHeaders.framingFields & FramingField.ContentLength) !== 0) this.#declared = declaredLengthOf(this.responseHeaders);
      // Head and body in one go, with the length known: no trailers unless the app set some.
      this.#flags |= Flag.Ended;
      const withBody = size > 0 && !Http2Exchange.#is(this, Flag.NoBody) && !statusHasNoBody(this.statusCode);
      Http2Exchange.#respond(this, size, !withBody, false, true);
      if (withBody) {
        Http2Exchange.#count(this, size);
        if (!this.stream.destroyed) this.stream.end(chunk);
      }
    } else {
      if (size > 0) this.write(chunk!);
      this.#flags |= Flag.Ended;
      if (this.#declared >= 0 && this.#written < this.#declared && !Http2Exchange.#is(this, Flag.NoBody)) {
        // The client would wait for bytes that never come: reset the stream instead.
        this.abort(new TiercelError('ERR_TIERCEL_CONTENT_LENGTH_MISMATCH', `The response declared content-length ${this.#declared} but ended after ${this.#written} bytes`));
        return;
      }
      if (!this.stream.destroyed && !this.stream.writableEnded) this.stream.end();
    }
    Http2Exchange.#maybeFinish(this);
  }

  // ---- hand-off and abort ----------------------------------------------------------------

  accept(): UpgradedConnection {
    if (!Http2Exchange.#isConnect(this)) throw new TiercelError('ERR_TIERCEL_NOT_UPGRADABLE', 'This request is not a CONNECT (RFC 8441 extended CONNECT or a tunnel)');
    if (Http2Exchange.#is(this, Flag.HeadersSent) || this.upgraded) throw new TiercelError('ERR_TIERCEL_NOT_UPGRADABLE', 'The response has already started');
    // Throws the 503 before anything is sent.
    this.owner.reserveUpgrade(this.stream);
    this.upgraded = true;
    this.statusCode = 200;
    Http2Exchange.#respond(this, -1, false, true);
    this.#flags |= Flag.Ended;
    this.responseHeaders.seal('the stream was upgraded');
    this.owner.detach(this);
    return { transport: this.stream, head: Buffer.alloc(0) };
  }

  abort(reason?: unknown): void {
    Http2Exchange.#abort(this, reason, NGHTTP2_INTERNAL_ERROR);
  }

  static #abort(ex: Http2Exchange, reason: unknown, code: number): void {
    ex.#flags |= Flag.Ended | Flag.AbortedByServer;
    ex.owner.logger.debug({ ...LOG_EVENTS.Http2StreamError, connectionId: ex.connection.id, streamId: ex.stream.id, err: reason }, 'HTTP/2 stream aborted');
    Http2Exchange.#lost(ex, reason instanceof Error ? reason : new ConnectionAbortedError('The response was aborted'));
    if (!ex.stream.destroyed) ex.stream.close(code);
  }

  /**
   * The minimum response data rate, checked on each heartbeat: while response bytes wait to reach
   * the connection, the client must take them at `bytesPerSecond` (its share of the minimum when
   * several streams wait) after `gracePeriodMs`, or the stream is reset with CANCEL and the app's
   * `aborted` fires. A response held by a stream window the client never opens ends here. Returns
   * `Output.Waiting` while bytes wait, `Output.Reset` when it has just reset the stream.
   */
  checkResponseRate(now: number, bytesPerSecond: number, gracePeriodMs: number): Output {
    // Reset, and not closed yet: its RST_STREAM has not left, which is the connection's to judge.
    if (Http2Exchange.#is(this, Flag.AbortedByServer)) return Output.Waiting;
    const s = this.stream;
    // Bytes given to the stream that have not reached the socket yet (node:http2 counts a write
    // in progress twice, which shifts both ends of the measure alike).
    const waiting = s.destroyed ? 0 : s.bufferSize;
    if (waiting === 0) {
      this.#sendWaitSince = 0;
      return Output.None;
    }
    const taken = this.#written - waiting;
    if (this.#sendWaitSince === 0) {
      this.#sendWaitSince = now;
      this.#sendWaitTaken = taken;
      return Output.Waiting;
    }
    const elapsed = now - this.#sendWaitSince;
    if (elapsed > gracePeriodMs && ((taken - this.#sendWaitTaken) * 1000) / elapsed < bytesPerSecond) {
      Http2Exchange.#abort(this, new ConnectionAbortedError('The client read the response slower than the minimum data rate'), NGHTTP2_CANCEL);
      return Output.Reset;
    }
    return Output.Waiting;
  }

  // ---- internals -------------------------------------------------------------------------

  /**
   * Once the app is done and the response has ended, a request body nobody read is refused with
   * RST_STREAM(NO_ERROR) after the response (RFC 9113 §8.1), so the client stops sending it.
   */
  static #maybeFinish(ex: Http2Exchange): void {
    if (!ex.appDone || (ex.#flags & (Flag.Ended | Flag.AbortedByServer)) !== Flag.Ended) return;
    if (ex.requestComplete || ex.stream.closed || Http2Exchange.#is(ex, Flag.WaitingForTrailers)) return;
    // Not before the response has left, and a turn of the event loop later, as node:http2 resets
    // an unread stream itself: node:http2 marks the stream closed at once, and if the session is
    // torn down before the RST_STREAM left (a frame error on this stream: h2spec 6.9.1 #3), the
    // frames nghttp2 queued are dropped with it, never sent.
    if (Http2Exchange.#is(ex, Flag.ResetWhenFlushed)) return;
    ex.#flags |= Flag.ResetWhenFlushed;
    if (ex.stream.writableFinished) setImmediate(Http2Exchange.#resetUnreadBody, ex);
    else ex.stream.once('finish', Http2Exchange.#finishListener);
  }

  /** True when any of `flags` is set. */
  static #is(ex: Http2Exchange, flags: Flag): boolean {
    return (ex.#flags & flags) !== 0;
  }

  static #canWrite(ex: Http2Exchange): boolean {
    return !ex.stream.writableNeedDrain;
  }

  static #count(ex: Http2Exchange, size: number): void {
    ex.#written += size;
    if (ex.#declared >= 0 && ex.#written > ex.#declared) {
      throw new TiercelError('ERR_TIERCEL_CONTENT_LENGTH_MISMATCH', `The response declared content-length ${ex.#declared} but wrote more`);
    }
  }

  /**
   * Sends the response HEADERS. `knownLength` ≥ 0 adds content-length; `endStream` means no DATA;
   * a `tunnel` (an accepted CONNECT) carries only DATA from now on, never trailers (RFC 9113 §8.5);
   * `whole` means the body follows at once and ends the response (`end(chunk)`), so whether there
   * are trailers is already known.
   */
  static #respond(ex: Http2Exchange, knownLength: number, endStream: boolean, tunnel = false, whole = false): void {
    const h = ex.responseHeaders;
    const status = ex.statusCode;
    // `:status` first and the fields copied onto it: the object has the same shape on every
    // response, which keeps node:http2's processHeaders on its fast path (3x slower otherwise).
    // The fields most responses carry are in the literal, so the object is made whole in one
    // allocation of 64 bytes (added one by one, it grew its property store as it went);
    // node:http2 leaves out a field whose value is undefined.
    const headers: ResponseHeaderObject = { ':status': status, 'content-type': undefined, 'content-length': undefined, server: undefined, date: undefined };
    if (h.size > 0) {
      h.copyInto(headers, CONNECTION_SPECIFIC);
      // A tunnel's DATA is not a body: its length is not declared.
      // (end() has already read it, before the response counted as ended.)
      if (!tunnel && ex.#declared < 0 && (h.framingFields & FramingField.ContentLength) !== 0) ex.#declared = declaredLengthOf(h);
    }
    if (knownLength >= 0 && ex.#declared < 0 && !statusHasNoBody(status)) {
      headers['content-length'] = knownLength;
    }
    const fields = h.framingFields;
    const server = ex.owner.serverHeader;
    if (server !== '' && (fields & FramingField.Server) === 0) headers.server = server;
    if ((fields & FramingField.Date) === 0) headers.date = ex.owner.date;
    if (statusHasNoBody(status)) ex.#flags |= Flag.NoBody;
    h.seal('the response headers were sent');
    ex.#flags |= Flag.HeadersSent;
    const stream = ex.stream;
    if (stream.destroyed || stream.closed) return;
    if (tunnel) {
      stream.respond(headers);
      return;
    }
    if (endStream || Http2Exchange.#is(ex, Flag.NoBody)) {
      const trailers = ex.trailerList;
      if (trailers !== null && trailers.size > 0 && !Http2Exchange.#is(ex, Flag.NoBody)) {
        Http2Exchange.#sendTrailersAfter(ex, stream);
        stream.respond(headers, { waitForTrailers: true });
        stream.end();
      } else {
        stream.respond(headers, { endStream: true });
      }
      return;
    }
    if (whole && (ex.trailerList === null || ex.trailerList.size === 0)) {
      stream.respond(headers);
      return;
    }
    // A streamed response may gain trailers before it ends, and whether it has any is only known
    // then: wait for them (an empty trailer section is a HEADERS frame with END_STREAM).
    Http2Exchange.#sendTrailersAfter(ex, stream);
    stream.respond(headers, { waitForTrailers: true });
  }

  static #sendTrailersAfter(ex: Http2Exchange, stream: ServerHttp2Stream): void {
    ex.#flags |= Flag.WaitingForTrailers;
    stream.once('wantTrailers', Http2Exchange.#wantTrailersListener);
  }

  /** The stream closed: by a reset (client or server), the session ending, or normally. */
  static #onClose(ex: Http2Exchange): void {
    ex.releaseQueue();
    // Ended by the app is not enough: the response must have left (a stream window the client
    // never opened, or a session destroyed under it, loses what is still queued).
    const completed = (ex.#flags & (Flag.Ended | Flag.AbortedByServer)) === Flag.Ended && ex.stream.rstCode === NGHTTP2_NO_ERROR && ex.stream.writableFinished;
    ex.owner.onStreamClosed(ex, !completed && !Http2Exchange.#is(ex, Flag.AbortedByServer) && !ex.upgraded);
    if (ex.upgraded) return;
    if (!completed) Http2Exchange.#lost(ex, new ConnectionAbortedError('The client reset the stream or closed the connection'));
    else if (!ex.requestComplete) ex.failBody(new ConnectionAbortedError('The stream closed before the request body was complete'));
  }


  static #lost(ex: Http2Exchange, reason: Error): void {
    ex.failBody(reason);
    if (!Http2Exchange.#is(ex, Flag.Ended) || ex.abortWatched) {
      ex.#flags |= Flag.Ended;
      ex.fireAborted(reason);
    }
  }
}

/** `Http2Exchange`'s yes/no state, as bits of one field. */
const enum Flag {
  /** The stream's body is read as it arrives ('data' and 'end' listened for). */
  Listening = 1,
  HeadersSent = 1 << 1,
  Ended = 1 << 2,
  /** A HEAD, or a status without content: what is written is counted, not sent. */
  NoBody = 1 << 3,
  /** The response waits for node:http2's 'wantTrailers'. */
  WaitingForTrailers = 1 << 4,
  AbortedByServer = 1 << 5,
  /** The unread request body is to be refused once the response has left. */
  ResetWhenFlushed = 1 << 6,
}

/** What `checkResponseRate` found. */
export const enum Output {
  None,
  Waiting,
  Reset,
}

const kExchange = Symbol('tiercel.http2.exchange');
type Carrier = ServerHttp2Stream & { [kExchange]?: Http2Exchange };

