import type { ConnectionContext, FeatureKey } from '../../connection/index.js';
import { ConnectionAbortedError, TiercelError } from '../../connection/index.js';
import {
  FramingField,
  HttpEarlyHintsFeature,
  HttpExchangeBase,
  HttpUpgradeFeature,
  RequestHeaders,
  reasonPhrase,
  type HeaderList,
  statusHasNoBody,
  utf8Length,
  declaredLengthOf,
  type HttpLimits,
  type HttpProtocolName,
  type UpgradedConnection,
} from '../http/index.js';
import type { Http1Connection } from './http1-connection.js';
import type { Http1OutputProducer } from './http1-output-producer.js';
import type { RequestHead } from './http1-parser.js';

/** The response's body framing, chosen when the head is written. */
const enum Framing {
  None,
  Length,
  Chunked,
  Close,
}

// Status lines for the common codes, built once.
const STATUS_LINES: string[] = [];
function statusLine(status: number): string {
  return (STATUS_LINES[status] ??= `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\n`);
}

// `content-length: n\r\n` for the small lengths most responses have, built on first use.
const LENGTH_LINES: string[] = [];
const CACHED_LENGTHS = 1024;
function lengthLine(n: number): string {
  if (n >= CACHED_LENGTHS) return 'content-length: ' + n + '\r\n';
  return (LENGTH_LINES[n] ??= 'content-length: ' + n + '\r\n');
}

/**
 * What the body queue may hold, once the app reads the body, before the transport is paused: about
 * one socket read. An app that reads slower than the client sends (an echo waiting for its writes
 * to drain) would otherwise hold up to `maxReadBufferSize` (1 MiB) per connection; node:http holds
 * a read and its 16 KiB stream buffer. Before the app reads, the queue may take up to
 * `maxReadBufferSize`, so a body that arrives before the app asks for it is not held back.
 */
const BODY_READ_AHEAD = 64 * 1024;

// The last string body found to be ASCII. Apps send the same text (a constant, or equal JSON) on
// every response, and comparing with the very same string is one pointer test (an equal one, a
// compare of a few dozen bytes): cheaper than the scan for non-ASCII characters.
let lastAscii = '';

/** The UTF-8 size of a body string. */
function textLength(s: string): number {
  if (s === lastAscii) return s.length;
  const n = utf8Length(s);
  // Only short strings: comparing a long one with the last would cost what the measure does.
  if (n === s.length && n <= 256) lastAscii = s;
  return n;
}

/** The app wrote more (or less) than the content-length it set. */
export class ContentLengthMismatchError extends TiercelError {
  constructor(declared: number, actual: number) {
    super(
      'ERR_TIERCEL_CONTENT_LENGTH_MISMATCH',
      `The response declared content-length ${declared} but ${actual > declared ? 'wrote more' : `ended after ${actual} bytes`}`,
    );
  }
}

/**
 * One HTTP/1.x request and its response. Created by `Http1Connection` when a head is parsed;
 * writes go through the connection so that pipelined responses leave in one batch.
 */
export class Http1Exchange extends HttpExchangeBase implements HttpUpgradeFeature, HttpEarlyHintsFeature {
  #headers: RequestHeaders | undefined;
  readonly #head: RequestHead;
  #trailerView: RequestHeaders | undefined;

  // Response state.
  #headersSent = false;
  #ended = false;
  #framing = Framing.None;
  #declared = -1;
  #written = 0;
  readonly #output: Http1OutputProducer;

  constructor(
    readonly owner: Http1Connection,
    head: RequestHead,
    limits: HttpLimits,
  ) {
    const hasBody = head.chunked || head.contentLength > 0;
    super(head.chunked ? -1 : head.contentLength, hasBody, limits);
    this.#output = owner.output;
    this.#head = head;
  }

  // What the head already says is read from it, not copied into fields: an exchange is made per
  // request, and garbage made per request is what the young-generation collections cost (in the
  // pipelined row, most of what tiercel's CPU per request exceeds the ceiling's by).

  get connection(): ConnectionContext {
    return this.owner.ctx;
  }

  get protocol(): HttpProtocolName {
    return this.#head.versionMinor === 1 ? 'HTTP/1.1' : 'HTTP/1.0';
  }

  get method(): string {
    return this.#head.method;
  }

  get target(): string {
    return this.#head.target;
  }

  get isUpgradableRequest(): boolean {
    return this.#head.upgrade || this.#head.isConnect;
  }

  get upgradeProtocol(): string | undefined {
    return this.#head.upgrade ? this.headers.get('upgrade')?.toLowerCase() : undefined;
  }

  get isHead(): boolean {
    return this.#head.method === 'HEAD';
  }

  /** Made when first asked for: a handler that reads no header does not pay for the view. */
  get headers(): RequestHeaders {
    return (this.#headers ??= new RequestHeaders(this.#head.rawHeaders));
  }

  get requestTrailers(): RequestHeaders | null {
    // The parser sets the head's trailers before it reports the message complete.
    const raw = this.requestComplete ? this.#head.trailers : null;
    if (raw === null) return null;
    return (this.#trailerView ??= new RequestHeaders(raw));
  }

  get expectContinue(): boolean {
    return this.#head.expectContinue;
  }

  // ---- HttpExchangeBase hooks -------------------------------------------------------------

  protected offers(key: FeatureKey<unknown>): boolean {
    // RFC 9110 §15.2: a server must not send a 1xx response to an HTTP/1.0 client.
    return key === HttpUpgradeFeature || (key === HttpEarlyHintsFeature && this.protocol === 'HTTP/1.1');
  }

  sendEarlyHints(fields: HeaderList): boolean {
    if (this.#headersSent || this.#ended || this.protocol !== 'HTTP/1.1') return false;
    const output = this.#output;
    // Out now, even while the connection collects a read's responses into one write: a hint
    // held back until the final response would come too late to help.
    output.queue(fields.serialize('HTTP/1.1 103 Early Hints\r\n') + '\r\n');
    output.flush();
    return true;
  }

  protected clock(): number {
    return this.owner.readClock();
  }

  protected get expectsContinue(): boolean {
    return this.#head.expectContinue;
  }

  protected sendContinue(): void {
    this.#output.emit('HTTP/1.1 100 Continue\r\n\r\n');
  }

  protected bodyQueued(queued: number): boolean {
    const max = this.owner.maxReadBufferSize;
    return queued < (this.readStartedAt === 0 || max < BODY_READ_AHEAD ? max : BODY_READ_AHEAD);
  }

  protected bodyDequeued(queued: number): void {
    if (queued === 0) this.owner.resumeReading();
  }

  protected pauseBodyFlow(): void {
    this.owner.pauseReading();
  }

  protected resumeBodyFlow(): void {
    this.owner.resumeReading();
  }

  protected override onBodyFailed(): void {
    this.owner.disableKeepAlive('request-body-failed');
  }

  protected override onAppFailedBeforeResponse(): void {
    this.owner.disableKeepAlive('app-error');
  }

  protected afterResponse(): void {
    this.owner.onResponseEnded(this);
  }

  // ---- response --------------------------------------------------------------------------

  get headersSent(): boolean {
    return this.#headersSent;
  }

  get bytesSent(): number {
    return this.#written;
  }

  get responseEnded(): boolean {
    return this.#ended;
  }

  write(chunk: Buffer | string): boolean {
    if (this.#ended) throw new TiercelError('ERR_TIERCEL_RESPONSE_ENDED', 'write() after the response ended');
    const size = typeof chunk === 'string' ? textLength(chunk) : chunk.length;
    if (!this.#headersSent) this.#output.queue(this.#writeHead(-1));
    if (size === 0) return this.#output.canWrite();
    this.#count(size);
    switch (this.#framing) {
      case Framing.Chunked:
        return this.#output.emitChunk(typeof chunk === 'string' && size !== chunk.length ? Buffer.from(chunk, 'utf8') : chunk, size);
      case Framing.Length:
      case Framing.Close:
        return this.#emitBody(chunk, size);
      default:
        return this.#output.canWrite();
    }
  }

  drain(): Promise<void> {
    return this.#output.drain();
  }

  end(chunk?: Buffer | string): void {
    if (this.#ended) return;
    const size = chunk === undefined ? 0 : typeof chunk === 'string' ? textLength(chunk) : chunk.length;
    if (!this.#headersSent) {
      let out = this.#writeHead(size);
      if (size > 0) {
        try {
          this.#count(size);
        } catch (err) {
          this.#output.queue(out);
          throw err;
        }
        if (this.#framing !== Framing.None) {
          if (typeof chunk === 'string' && size === chunk.length) {
            // ASCII text joins the head: one string, one append to the batch.
            out = this.#output.withBody(out, chunk);
          } else {
            this.#output.queue(out);
            out = '';
            this.#emitBody(chunk!, size);
          }
        }
      }
      if (out !== '') this.#output.queue(out);
    } else {
      if (size > 0) this.write(chunk!);
      if (this.#framing === Framing.Chunked) {
        this.#output.emit(this.trailerList !== null && this.trailerList.size > 0 ? this.trailerList.serialize('0\r\n') + '\r\n' : '0\r\n\r\n');
      }
    }
    this.#ended = true;
    if (this.#framing === Framing.Length && this.#written < this.#declared) {
      // The client would wait for bytes that never come; closing is the only honest signal.
      this.owner.disableKeepAlive('content-length-mismatch');
      this.abort(new ContentLengthMismatchError(this.#declared, this.#written));
      return;
    }
    this.owner.onResponseEnded(this);
  }

  // ---- hand-off and abort ----------------------------------------------------------------

  upgrade(): UpgradedConnection {
    if (!this.isUpgradableRequest) throw new TiercelError('ERR_TIERCEL_NOT_UPGRADABLE', 'This request did not ask for an upgrade (no Upgrade header and not CONNECT)');
    if (this.#headersSent || this.upgraded) throw new TiercelError('ERR_TIERCEL_NOT_UPGRADABLE', 'The response has already started');
    // Throws the 503 before anything is sent.
    this.owner.reserveUpgrade();
    this.upgraded = true;
    const h = this.responseHeaders;
    const protocol = this.upgradeProtocol;
    if (protocol === undefined) {
      // RFC 9110 §9.3.6: a 2xx to CONNECT has no content and no framing; the tunnel starts after it.
      this.statusCode = 200;
    } else {
      // RFC 9110 §15.2.2 and §7.8: a 101 names the protocol switched to, in Upgrade and Connection.
      this.statusCode = 101;
      if (!h.has('upgrade')) h.set('upgrade', protocol);
      if (!h.has('connection')) h.set('connection', 'upgrade');
    }
    h.seal('the connection was upgraded');
    this.#headersSent = true;
    this.#ended = true;
    const output = this.#output;
    // Not through `head`: that keeps the last keep-alive head, which a one-off 101 would evict.
    output.queue(h.serialize(statusLine(this.statusCode)) + output.dateLine + output.serverLine + '\r\n');
    return this.owner.detach();
  }

  abort(reason?: unknown): void {
    this.#ended = true;
    this.owner.abortExchange(this, reason);
  }

  /** Called by the connection when the client goes away. */
  onConnectionLost(reason: unknown): void {
    this.failBody(reason instanceof Error ? reason : new ConnectionAbortedError('The client closed the connection'));
    if (!this.#ended || this.abortWatched) this.fireAborted(reason);
  }

  // ---- internals -------------------------------------------------------------------------

  #count(size: number): void {
    this.#written += size;
    if (this.#framing === Framing.Length && this.#written > this.#declared) {
      throw new ContentLengthMismatchError(this.#declared, this.#written);
    }
  }

  #emitBody(chunk: Buffer | string, size: number): boolean {
    if (typeof chunk === 'string') {
      // ASCII text goes into the latin1 batch as is; anything else must be UTF-8 encoded.
      return size === chunk.length ? this.#output.emit(chunk) : this.#output.emit(Buffer.from(chunk, 'utf8'));
    }
    return this.#output.emit(chunk);
  }

  /** Settles the framing and returns the head to send (the caller queues it, maybe with the body). */
  #writeHead(knownLength: number): string {
    const owner = this.owner;
    const output = this.#output;
    const status = this.statusCode;
    const h = this.responseHeaders;
    // Which framing fields the app set, in one read: most responses set none of them.
    const fields = h.framingFields;
    const date = (fields & FramingField.Date) === 0 ? output.dateLine : '';
    const server = (fields & FramingField.Server) === 0 ? output.serverLine : '';
    let framing = '';

    const appLength = (fields & FramingField.ContentLength) === 0 ? undefined : declaredLengthOf(h);
    if (status < 200 || status === 204 || status === 304 || this.upgraded) {
      this.#framing = Framing.None;
    } else if (appLength !== undefined) {
      this.#declared = appLength;
      this.#framing = this.isHead ? Framing.None : Framing.Length;
    } else if (knownLength >= 0) {
      framing = lengthLine(knownLength);
      this.#declared = knownLength;
      this.#framing = this.isHead ? Framing.None : Framing.Length;
    } else if (this.isHead) {
      this.#framing = Framing.None;
    } else if (this.protocol === 'HTTP/1.1') {
      if ((fields & FramingField.TransferEncoding) === 0) framing = 'transfer-encoding: chunked\r\n';
      this.#framing = Framing.Chunked;
    } else {
      // HTTP/1.0 has no chunked coding: the body ends when the connection does.
      this.#framing = Framing.Close;
      owner.disableKeepAlive('close-delimited-response');
    }
    if (statusHasNoBody(status) && status >= 200) this.#framing = Framing.None;

    if (owner.keepAlive && !this.requestComplete && !this.discarding) {
      const reason = owner.unreadBodyEndReason(this);
      if (reason !== undefined) owner.disableKeepAlive(reason);
    }
    const appConnection = (fields & FramingField.Connection) === 0 ? undefined : h.get('connection');
    if (appConnection !== undefined && appConnection.toLowerCase() === 'close') owner.disableKeepAlive('app-close');
    let connection = '';
    if (!owner.keepAlive) {
      if (appConnection === undefined) connection = 'connection: close\r\n';
    } else if (this.protocol === 'HTTP/1.0' && appConnection === undefined) {
      connection = 'connection: keep-alive\r\n';
    }
    h.seal('the response headers were sent');
    this.#headersSent = true;
    return output.head(statusLine(status), h, date, server, framing, connection);
  }
}
