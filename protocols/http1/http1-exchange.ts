import type { ConnectionContext } from '../../connection/index.js';
import { ConnectionAbortedError, TiercelError } from '../../connection/index.js';
import {
  FramingField,
  HeaderList,
  HttpProtocolError,
  RequestHeaders,
  reasonPhrase,
  statusHasNoBody,
  utf8Length,
  declaredLengthOf,
  type HttpExchange,
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

/** The app wrote more (or less) than the content-length it set. */
export class ContentLengthMismatchError extends TiercelError {
  constructor(declared: number, actual: number) {
    super(
      'ERR_TIERCEL_CONTENT_LENGTH_MISMATCH',
      `The response declared content-length ${declared} but ${actual > declared ? 'wrote more' : `ended after ${actual} bytes`}`,
    );
  }
}

/** The empty body queue every exchange starts with; replaced, never pushed to. */
const NO_CHUNKS: Buffer[] = [];

interface Reader {
  resolve(chunk: Buffer | null): void;
  reject(err: unknown): void;
}

/**
 * One HTTP/1.x request and its response. Created by `Http1Connection` when a head is parsed;
 * writes go through the connection so that pipelined responses leave in one batch.
 */
export class Http1Exchange implements HttpExchange {
  readonly connection: ConnectionContext;
  readonly protocol: HttpProtocolName;
  readonly method: string;
  readonly target: string;
  #headers: RequestHeaders | undefined;
  readonly #head: RequestHead;
  #trailerView: RequestHeaders | undefined;
  readonly requestContentLength: number;
  readonly requestHasBody: boolean;
  readonly isUpgradeRequest: boolean;
  readonly upgradeProtocol: string | undefined;
  readonly expectContinue: boolean;
  readonly isHead: boolean;
  maxRequestBodySize: number;
  statusCode = 200;
  readonly responseHeaders = new HeaderList();

  // Request body state, driven by the connection.
  requestComplete: boolean;
  bodyReceived = 0;
  /** Set once the app has finished (sync or async). */
  appDone = false;
  /** The response is over and the rest of the body is read and thrown away. */
  discarding = false;
  readStartedAt = 0;
  // Shared and empty until a body chunk has to wait for the app: most requests never queue one.
  #queue: Buffer[] = NO_CHUNKS;
  #queuedBytes = 0;
  #reader: Reader | undefined;
  #bodyError: unknown;
  #continueSent = false;

  // Response state.
  #headersSent = false;
  #ended = false;
  #framing = Framing.None;
  #declared = -1;
  #written = 0;
  #trailers: HeaderList | null = null;
  #aborted: AbortController | undefined;
  upgraded = false;
  readonly #output: Http1OutputProducer;

  constructor(
    readonly owner: Http1Connection,
    head: RequestHead,
    maxRequestBodySize: number,
  ) {
    this.connection = owner.ctx;
    this.#output = owner.output;
    this.protocol = head.versionMinor === 1 ? 'HTTP/1.1' : 'HTTP/1.0';
    this.method = head.method;
    this.target = head.target;
    this.#head = head;
    this.requestContentLength = head.chunked ? -1 : head.contentLength;
    this.requestHasBody = head.chunked || head.contentLength > 0;
    this.requestComplete = !this.requestHasBody;
    this.isUpgradeRequest = head.upgrade || head.isConnect;
    this.upgradeProtocol = head.upgrade ? this.headers.get('upgrade')?.toLowerCase() : undefined;
    this.expectContinue = head.expectContinue;
    this.isHead = head.method === 'HEAD';
    this.maxRequestBodySize = maxRequestBodySize;
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

  // ---- request body ----------------------------------------------------------------------

  readBody(): Promise<Buffer | null> {
    if (this.#bodyError !== undefined) return Promise.reject(this.#bodyError);
    if (this.#queue.length > 0) {
      const chunk = this.#queue.shift()!;
      this.#queuedBytes -= chunk.length;
      if (this.#queuedBytes === 0) this.owner.resumeReading();
      return Promise.resolve(chunk);
    }
    if (this.requestComplete) return Promise.resolve(null);
    if (this.#reader !== undefined) return Promise.reject(new TiercelError('ERR_TIERCEL_CONCURRENT_READ', 'The request body is already being read'));
    if (this.readStartedAt === 0) {
      this.readStartedAt = this.owner.readClock();
      // The declared length is checked when reading starts, so an app can change the limit first.
      if (this.requestContentLength > this.maxRequestBodySize) {
        this.failBody(tooLarge(this.maxRequestBodySize));
        return Promise.reject(this.#bodyError);
      }
      if (this.expectContinue && !this.#continueSent && !this.#headersSent) {
        this.#continueSent = true;
        this.#output.emit('HTTP/1.1 100 Continue\r\n\r\n');
      }
    }
    return new Promise<Buffer | null>((resolve, reject) => {
      this.#reader = { resolve, reject };
    });
  }

  /** A body chunk from the parser. Returns false when the app is not keeping up (stop reading). */
  pushBody(chunk: Buffer): boolean {
    this.bodyReceived += chunk.length;
    if (this.discarding || this.#bodyError !== undefined) return true;
    if (this.bodyReceived > this.maxRequestBodySize) {
      this.failBody(tooLarge(this.maxRequestBodySize));
      return true;
    }
    const reader = this.#reader;
    if (reader !== undefined) {
      this.#reader = undefined;
      reader.resolve(chunk);
      return true;
    }
    if (this.#queue === NO_CHUNKS) this.#queue = [chunk];
    else this.#queue.push(chunk);
    this.#queuedBytes += chunk.length;
    return this.#queuedBytes < this.owner.maxReadBufferSize;
  }

  endBody(): void {
    this.requestComplete = true;
    const reader = this.#reader;
    if (reader !== undefined && this.#queue.length === 0) {
      this.#reader = undefined;
      reader.resolve(null);
    }
  }

  /** Fails the body for the app (413, 408, 400 in a chunk, or the client going away). */
  failBody(err: unknown): void {
    if (this.#bodyError !== undefined) return;
    this.#bodyError = err;
    this.#queue = NO_CHUNKS;
    this.#queuedBytes = 0;
    this.owner.disableKeepAlive('request-body-failed');
    const reader = this.#reader;
    if (reader !== undefined) {
      this.#reader = undefined;
      reader.reject(err);
    }
  }

  /** The app is done with the body: drop what is queued and discard the rest as it arrives. */
  startDiscarding(): void {
    this.discarding = true;
    this.#queue = NO_CHUNKS;
    this.#queuedBytes = 0;
  }

  get waitingForBody(): boolean {
    return this.#reader !== undefined;
  }

  // ---- response --------------------------------------------------------------------------

  get headersSent(): boolean {
    return this.#headersSent;
  }

  get responseEnded(): boolean {
    return this.#ended;
  }

  get responseTrailers(): HeaderList | null {
    return (this.#trailers ??= new HeaderList());
  }

  write(chunk: Buffer | string): boolean {
    if (this.#ended) throw new TiercelError('ERR_TIERCEL_RESPONSE_ENDED', 'write() after the response ended');
    const size = typeof chunk === 'string' ? utf8Length(chunk) : chunk.length;
    if (!this.#headersSent) this.#output.queue(this.#writeHead(-1));
    if (size === 0) return this.#output.canWrite();
    this.#count(size);
    switch (this.#framing) {
      case Framing.Chunked:
        this.#output.emit(size.toString(16) + '\r\n');
        this.#emitBody(chunk, size);
        return this.#output.emit('\r\n');
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
    const size = chunk === undefined ? 0 : typeof chunk === 'string' ? utf8Length(chunk) : chunk.length;
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
        this.#output.emit(this.#trailers !== null && this.#trailers.size > 0 ? this.#trailers.serialize('0\r\n') + '\r\n' : '0\r\n\r\n');
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
    if (!this.isUpgradeRequest) throw new TiercelError('ERR_TIERCEL_NOT_UPGRADABLE', 'This request did not ask for an upgrade (no Upgrade header and not CONNECT)');
    if (this.#headersSent || this.upgraded) throw new TiercelError('ERR_TIERCEL_NOT_UPGRADABLE', 'The response has already started');
    this.owner.reserveUpgrade();
    this.upgraded = true;
    this.#headersSent = true;
    this.#ended = true;
    this.responseHeaders.seal('the connection was upgraded');
    return this.owner.detach();
  }

  get aborted(): AbortSignal {
    return (this.#aborted ??= new AbortController()).signal;
  }

  abort(reason?: unknown): void {
    this.#ended = true;
    this.owner.abortExchange(this, reason);
  }

  /** Called by the connection when the client goes away. */
  onConnectionLost(reason: unknown): void {
    this.failBody(reason instanceof Error ? reason : new ConnectionAbortedError('The client closed the connection'));
    if (!this.#ended || this.#aborted !== undefined) {
      (this.#aborted ??= new AbortController()).abort(reason);
    }
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

  get continueSent(): boolean {
    return this.#continueSent;
  }
}

function tooLarge(limit: number): HttpProtocolError {
  return new HttpProtocolError('ERR_TIERCEL_BODY_TOO_LARGE', 413, `The request body is larger than the limit of ${limit} bytes`);
}
