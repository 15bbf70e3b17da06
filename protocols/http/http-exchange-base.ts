import { TiercelError, type ConnectionContext, type FeatureKey } from '../../connection/index.js';
import {
  HttpMinRequestBodyDataRateFeature,
  HttpRequestBodyFeature,
  HttpRequestFeature,
  HttpRequestLifetimeFeature,
  HttpRequestTrailersFeature,
  HttpResponseBodyFeature,
  HttpResponseFeature,
  HttpResponseTrailersFeature,
  type BodySink,
  type HttpProtocolName,
} from './features/index.js';
import { HeaderList } from './header-list.js';
import type { HttpExchange } from './http-exchange.js';
import type { HttpLimits, MinDataRate } from './http-limits.js';
import { HttpProtocolError, RequestBodyTooLargeError } from './http-protocol-error.js';
import type { RequestHeaders } from './request-headers.js';

function concurrentRead(): TiercelError {
  return new TiercelError('ERR_TIERCEL_CONCURRENT_READ', 'The request body is already being read');
}

/** The empty body queue every exchange starts with; replaced, never pushed to. */
const NO_CHUNKS: Buffer[] = [];

interface Reader {
  resolve(chunk: Buffer | null): void;
  reject(err: unknown): void;
}

/**
 * The body reader's state, made only for a request that has a body (or whose body failed): a GET
 * does not pay for a dozen fields it never uses.
 */
class BodyState {
  /** Body bytes received so far, read or not. */
  received = 0;
  /** When the app first asked for the body (0 until then): the start of the minimum data rate. */
  readStartedAt = 0;
  complete: boolean;
  discarding = false;
  // Shared and empty until a body chunk has to wait for the app: most bodies never queue one.
  queue: Buffer[] = NO_CHUNKS;
  /** What the queue holds that the protocol counts against its read budget (see `bodyQueued`). */
  queuedBytes = 0;
  /** While `pipeBody` runs: where each chunk goes as it arrives (`reader` then settles the pipe). */
  sink: BodySink | undefined = undefined;
  /** The sink refused a chunk: reading is paused until it drains. */
  sinkFull = false;
  /** The sink's drain callbacks, made on its first refusal and kept for the rest of the body. */
  onSinkDrained: (() => void) | undefined = undefined;
  onSinkFailed: ((err: unknown) => void) | undefined = undefined;
  reader: Reader | undefined = undefined;
  error: unknown = undefined;
  continueSent = false;

  constructor(complete: boolean) {
    this.complete = complete;
  }
}

/**
 * What `Http1Exchange` and `Http2Exchange` share, written once (Kestrel's `HttpProtocol`, the base
 * of its HTTP/1.1 connection and HTTP/2 stream): the request-body reader (the queue, the size
 * limit, the minimum data rate, the `100 Continue` trigger) and the response-completion path (end
 * what the app left open; 500 when it failed before sending anything; else abort). A protocol
 * pushes body chunks in and implements the hooks below; it writes the response its own way.
 */
export abstract class HttpExchangeBase implements HttpExchange {
  abstract readonly connection: ConnectionContext;
  abstract readonly protocol: HttpProtocolName;
  abstract readonly method: string;
  abstract readonly target: string;
  abstract readonly headers: RequestHeaders;
  abstract readonly headersSent: boolean;
  abstract readonly responseEnded: boolean;
  abstract readonly bytesSent: number;
  abstract write(chunk: Buffer | string): boolean;
  abstract drain(): Promise<void>;
  abstract end(chunk?: Buffer | string): void;
  abstract abort(reason?: unknown): void;

  // The fields are declared, and set in the constructor rather than by field initializers: a base
  // class's initializers made each exchange's construction cost about twice as much (V8 runs them
  // as a separate step of the derived class's construction; measured in the connection benchmark's
  // profile, 4-5 % of a keep-alive request against 2 % before this base class existed).
  declare readonly requestContentLength: number;
  declare readonly requestHasBody: boolean;
  declare maxRequestBodySize: number;
  declare minRequestBodyDataRate: MinDataRate | null;
  declare statusCode: number;
  declare readonly responseHeaders: HeaderList;
  /** Set once the app has finished (returned, or its promise settled). */
  declare appDone: boolean;
  /** Set once the request has left HTTP (`upgrade()` or `accept()`). */
  declare upgraded: boolean;
  declare route: string | undefined;
  /** The body reader's state: made with the exchange when the request has a body, else on a failure. */
  private declare body: BodyState | undefined;
  private declare abortController: AbortController | undefined;
  protected declare trailerList: HeaderList | null;

  protected constructor(contentLength: number, hasBody: boolean, limits: HttpLimits) {
    this.requestContentLength = contentLength;
    this.requestHasBody = hasBody;
    this.maxRequestBodySize = limits.maxRequestBodySize;
    this.minRequestBodyDataRate = limits.minRequestBodyDataRate;
    this.statusCode = 200;
    this.responseHeaders = new HeaderList();
    this.appDone = false;
    this.upgraded = false;
    this.route = undefined;
    this.body = hasBody ? new BodyState(false) : undefined;
    this.abortController = undefined;
    this.trailerList = null;
  }

  // ---- protocol hooks --------------------------------------------------------------------

  /** The clock the minimum data rate is measured on (the protocol's heartbeat clock). */
  protected abstract clock(): number;
  /** True when the client sent `Expect: 100-continue`. */
  protected abstract get expectsContinue(): boolean;
  /** Sends the interim `100 Continue`. */
  protected abstract sendContinue(): void;
  /** The app started reading the body. */
  protected onReadStart(): void {}
  /** The body's `pipeBody` sink is full: stop reading the body until `resumeBodyFlow`. */
  protected abstract pauseBodyFlow(): void;
  /** The sink drained: read the body again. */
  protected abstract resumeBodyFlow(): void;
  /** `size` bytes were queued (`queued` in all): false asks the protocol to stop reading. */
  protected abstract bodyQueued(queued: number, size: number): boolean;
  /** The app took `size` queued bytes (`queued` are left). */
  protected abstract bodyDequeued(queued: number, size: number): void;
  /** The queue's `bytes` no longer count against the read budget (the body failed or the stream closed). */
  protected bodyReleased(_bytes: number): void {}
  /** The body failed: nothing more of it will be read by the app. */
  protected onBodyFailed(): void {}
  /** The app failed before anything was sent: the 500 follows. */
  protected onAppFailedBeforeResponse(): void {}
  /** True when the response has left the server entirely (an app failing after that needs no abort). */
  protected get responseDelivered(): boolean {
    return false;
  }
  /** The app is done and the response has ended: what the protocol does next. */
  protected abstract afterResponse(): void;
  /** Whether this protocol offers the optional feature `key`. */
  protected abstract offers(key: FeatureKey<unknown>): boolean;

  // ---- features --------------------------------------------------------------------------

  feature<T>(key: FeatureKey<T>): T | undefined {
    // Every feature is the exchange itself (as Kestrel's HttpProtocol is): asking allocates nothing.
    if (
      key === HttpRequestFeature ||
      key === HttpRequestBodyFeature ||
      key === HttpResponseFeature ||
      key === HttpResponseBodyFeature ||
      key === HttpRequestLifetimeFeature ||
      key === HttpRequestTrailersFeature ||
      key === HttpResponseTrailersFeature ||
      key === HttpMinRequestBodyDataRateFeature ||
      this.offers(key)
    ) {
      return this as unknown as T;
    }
    return undefined;
  }

  get responseTrailers(): HeaderList {
    return (this.trailerList ??= new HeaderList());
  }

  get aborted(): AbortSignal {
    return (this.abortController ??= new AbortController()).signal;
  }

  /** Fires `aborted` (made now if nobody asked for it yet, so a late listener still sees it). */
  protected fireAborted(reason: unknown): void {
    (this.abortController ??= new AbortController()).abort(reason);
  }

  /** True when someone asked for `aborted` (so it must fire even after the response ended). */
  protected get abortWatched(): boolean {
    return this.abortController !== undefined;
  }

  // ---- request body ----------------------------------------------------------------------

  get requestComplete(): boolean {
    const b = this.body;
    return b === undefined || b.complete;
  }

  /** Body bytes received so far, read or not. */
  get bodyReceived(): number {
    return this.body?.received ?? 0;
  }

  /** When the app first asked for the body (0 until then): the start of the minimum data rate. */
  get readStartedAt(): number {
    return this.body?.readStartedAt ?? 0;
  }

  /** The response is over and the rest of the body is read and thrown away. */
  get discarding(): boolean {
    return this.body?.discarding ?? false;
  }

  get waitingForBody(): boolean {
    return this.body?.reader !== undefined;
  }

  get continueSent(): boolean {
    return this.body?.continueSent ?? false;
  }

  /**
   * The app starts reading (once): the size limit, `100 Continue`, the protocol's hook. False
   * when the body failed. (The helpers are static: a private instance method makes V8 keep a
   * brand field in every exchange, 8 bytes of every request.)
   */
  static #beginRead(ex: HttpExchangeBase, b: BodyState): boolean {
    if (b.readStartedAt !== 0 || !ex.requestHasBody) return true;
    b.readStartedAt = ex.clock();
    // The limit is checked when reading starts, so an app can change it first: against the
    // declared length, and against what has already arrived.
    const limit = ex.maxRequestBodySize;
    if (ex.requestContentLength > limit || b.received > limit) {
      ex.failBody(new RequestBodyTooLargeError(limit));
      return false;
    }
    if (!b.continueSent && !ex.headersSent && ex.expectsContinue) {
      b.continueSent = true;
      ex.sendContinue();
    }
    ex.onReadStart();
    return true;
  }

  readBody(): Promise<Buffer | null> {
    const b = this.body;
    if (b === undefined) return Promise.resolve(null);
    if (b.error !== undefined) return Promise.reject(b.error);
    if (!HttpExchangeBase.#beginRead(this, b)) return Promise.reject(b.error);
    if (b.queue.length > 0) {
      const chunk = b.queue.shift()!;
      if (b.queuedBytes > 0) {
        b.queuedBytes -= chunk.length;
        this.bodyDequeued(b.queuedBytes, chunk.length);
      }
      return Promise.resolve(chunk);
    }
    if (b.complete) return Promise.resolve(null);
    if (b.reader !== undefined) return Promise.reject(concurrentRead());
    return new Promise<Buffer | null>((resolve, reject) => {
      b.reader = { resolve, reject };
    });
  }

  /**
   * The rest of the body into `sink`, each chunk written as the protocol hands it over (see
   * `HttpRequestBodyFeature.pipeBody`): what holds an echo's chunks is the sink, and reading
   * pauses while the sink refuses, as `readable.pipe()` pauses its source.
   */
  pipeBody(sink: BodySink): Promise<void> {
    const b = this.body;
    if (b === undefined) return Promise.resolve();
    if (b.error !== undefined) return Promise.reject(b.error);
    if (b.reader !== undefined) return Promise.reject(concurrentRead());
    if (!HttpExchangeBase.#beginRead(this, b)) return Promise.reject(b.error);
    const queue = b.queue;
    let full = false;
    if (queue.length > 0) {
      // What arrived before the app asked goes first, in order.
      try {
        for (let i = 0; i < queue.length; i++) if (!sink.write(queue[i])) full = true;
      } catch (err) {
        this.failBody(err);
        return Promise.reject(err);
      }
      b.queue = NO_CHUNKS;
      const bytes = b.queuedBytes;
      b.queuedBytes = 0;
      if (bytes > 0) this.bodyDequeued(0, bytes);
    }
    if (b.complete) return Promise.resolve();
    b.sink = sink;
    const piped = new Promise<void>((resolve, reject) => {
      b.reader = { resolve: resolve as () => void, reject };
    });
    if (full) HttpExchangeBase.#waitForSink(this, b, sink);
    return piped;
  }

  /** The sink refused a chunk: stop reading until it drains. */
  static #waitForSink(ex: HttpExchangeBase, b: BodyState, sink: BodySink): void {
    b.sinkFull = true;
    ex.pauseBodyFlow();
    sink.drain().then(
      (b.onSinkDrained ??= () => {
        b.sinkFull = false;
        if (b.error === undefined && !b.discarding) ex.resumeBodyFlow();
      }),
      (b.onSinkFailed ??= (err: unknown) => ex.failBody(err)),
    );
  }

  /**
   * A body chunk from the protocol (only for a request that has a body). Returns false when the
   * app is not keeping up (stop reading).
   */
  pushBody(chunk: Buffer): boolean {
    const b = this.body!;
    const size = chunk.length;
    b.received += size;
    // A failed or discarded body is dropped as it comes.
    if (b.error !== undefined || b.discarding) return true;
    if (b.readStartedAt !== 0 && b.received > this.maxRequestBodySize) {
      this.failBody(new RequestBodyTooLargeError(this.maxRequestBodySize));
      return true;
    }
    const sink = b.sink;
    if (sink !== undefined) {
      try {
        if (!sink.write(chunk) && !b.sinkFull) HttpExchangeBase.#waitForSink(this, b, sink);
      } catch (err) {
        // A write the response refused (a content-length the body passes): the pipe fails, not the parse.
        this.failBody(err);
        return true;
      }
      return !b.sinkFull;
    }
    const reader = b.reader;
    if (reader !== undefined) {
      b.reader = undefined;
      reader.resolve(chunk);
      return true;
    }
    if (b.queue === NO_CHUNKS) b.queue = [chunk];
    else b.queue.push(chunk);
    b.queuedBytes += size;
    return this.bodyQueued(b.queuedBytes, size);
  }

  /** The body's end from the protocol. */
  endBody(): void {
    const b = this.body;
    if (b === undefined) return;
    b.complete = true;
    const reader = b.reader;
    if (reader !== undefined && b.queue.length === 0) {
      b.reader = undefined;
      b.sink = undefined;
      reader.resolve(null);
    }
  }

  /** Fails the body for the app (413, 408, 400 in a chunk, or the client going away). */
  failBody(err: unknown): void {
    // A request without a body keeps the failure too: a later read rejects with it.
    const b = (this.body ??= new BodyState(true));
    if (b.error !== undefined) return;
    b.error = err;
    this.releaseQueue();
    b.queue = NO_CHUNKS;
    this.onBodyFailed();
    const reader = b.reader;
    if (reader !== undefined) {
      b.reader = undefined;
      b.sink = undefined;
      reader.reject(err);
    }
  }

  /** The app is done with the body: drop what is queued and discard the rest as it arrives. */
  startDiscarding(): void {
    const b = this.body;
    if (b === undefined) return;
    b.discarding = true;
    this.releaseQueue();
    b.queue = NO_CHUNKS;
    if (b.sink !== undefined) {
      // The response ended while the body was piped into it: the rest is not for anyone.
      const reader = b.reader!;
      b.sink = undefined;
      b.reader = undefined;
      reader.resolve(null);
    }
  }

  /**
   * The queued body stops counting against the read budget. What is queued stays readable (a
   * stream that closed normally still has its body for the app), but nothing more arrives.
   */
  protected releaseQueue(): void {
    const b = this.body;
    if (b === undefined) return;
    const bytes = b.queuedBytes;
    b.queuedBytes = 0;
    if (bytes > 0) this.bodyReleased(bytes);
  }

  /**
   * The minimum request body data rate, checked on each heartbeat while the app waits for the
   * body. Returns true when it has just failed the body with a 408.
   */
  checkBodyRate(now: number): boolean {
    const rate = this.minRequestBodyDataRate;
    const b = this.body;
    // Not while a pipe waits for its sink: the client is then not sending because we stopped reading.
    if (rate === null || b === undefined || b.reader === undefined || b.sinkFull || b.readStartedAt === 0) return false;
    const elapsed = now - b.readStartedAt;
    if (elapsed <= rate.gracePeriodMs || (b.received * 1000) / elapsed >= rate.bytesPerSecond) return false;
    this.failBody(new HttpProtocolError('ERR_TIERCEL_BODY_TIMEOUT', 408, 'The request body arrived slower than the minimum data rate'));
    return true;
  }

  // ---- completion ------------------------------------------------------------------------

  complete(): void {
    if (this.responseEnded) return;
    try {
      this.end();
    } catch (err) {
      // A content-length the body did not match: the client must not take what it got for whole.
      this.abort(err);
    }
  }

  /** The app returned, or its promise resolved: finish the response it left. */
  appCompleted(): void {
    if (this.appDone) return;
    this.appDone = true;
    if (this.upgraded) return;
    if (!this.responseEnded) this.complete();
    else this.afterResponse();
  }

  /**
   * The app threw, or its promise rejected (the caller logs it): a 500 when nothing was sent,
   * else the exchange is aborted, since the client cannot be told otherwise.
   */
  appFailed(err: unknown): void {
    if (this.appDone) return;
    this.appDone = true;
    if (this.upgraded) return;
    if (this.headersSent) {
      if (!this.responseEnded || !this.responseDelivered) this.abort(err);
      return;
    }
    this.statusCode = 500;
    this.onAppFailedBeforeResponse();
    this.complete();
  }
}
