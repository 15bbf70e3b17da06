import type { Duplex } from 'node:stream';
import { ConnectionAbortedError, InvalidOptionError } from '../connection/index.js';
import {
  TestRequestInvalidError,
  TestRequestTimeoutError,
  TestResponseInvalidError,
  TestResponseTooLargeError,
} from './test-errors.js';

/** Limits of `TestServer.request`'s client; every wait and every buffer has one. */
export interface TestClientOptions {
  /** From the request's first byte to the response's last. Default 10 s. */
  timeoutMs?: number;
  /** Bytes of a response head (status line and fields). Default 64 KiB, twice the server's. */
  maxHeaderSize?: number;
  /** Bytes of a response body (after chunked decoding). Default 64 MiB. */
  maxBodySize?: number;
  /** Keep-alive connections kept for the next requests. Default 8. */
  maxIdleConnections?: number;
}

export const TEST_CLIENT_DEFAULTS: Readonly<Required<TestClientOptions>> = {
  timeoutMs: 10_000,
  maxHeaderSize: 64 * 1024,
  maxBodySize: 64 * 1024 * 1024,
  maxIdleConnections: 8,
};

/** One request; only `path` is usually needed. */
export interface TestRequest {
  /** Default 'GET'. */
  method?: string;
  /** The request target, e.g. '/api?x=1'. Default '/'. */
  path?: string;
  /** Sent as given; `host` defaults to 'tiercel.test', `content-length` follows the body. */
  headers?: Readonly<Record<string, string | number | readonly string[]>>;
  body?: string | Uint8Array;
  /** Sent as the body, JSON-encoded, with `content-type: application/json` unless a header sets one. */
  json?: unknown;
  /** Overrides the client's `timeoutMs` for this request. */
  timeoutMs?: number;
}

/** A complete response, its body already read. */
export interface TestResponse {
  readonly status: number;
  readonly statusText: string;
  /** Lower-case names; a repeated field's values joined with ', '. */
  readonly headers: Readonly<Record<string, string>>;
  /** Names and values as received, alternating (e.g. to see each `set-cookie`). */
  readonly rawHeaders: readonly string[];
  /** Chunked trailers, as `headers`. */
  readonly trailers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** The body as UTF-8. */
  text(): string;
  /** The body parsed as JSON (throws on bad JSON, as `JSON.parse`). */
  json<T = unknown>(): T;
  bytes(): Uint8Array;
}

/**
 * The client behind `TestServer.request`: HTTP/1.1 over the in-memory transport's client ends,
 * reading each response whole. It is deliberately small (no pipelining, no redirects, no
 * decompression): the server under test is the point, and every byte still goes through
 * tiercel's own parser and pipeline. Keep-alive connections are reused, one request at a time
 * each; concurrent requests open more. An idempotent request that finds its reused connection
 * closed by the server before any answer is retried once on a new one, as browsers do.
 */
export class TestClient {
  readonly #connect: () => Duplex;
  readonly #options: Readonly<Required<TestClientOptions>>;
  readonly #idle: ClientConnection[] = [];
  readonly #open = new Set<ClientConnection>();
  #closed = false;

  constructor(connect: () => Duplex, options: TestClientOptions = {}) {
    this.#connect = connect;
    this.#options = resolveClientOptions(options);
  }

  async request(init: TestRequest | string = {}): Promise<TestResponse> {
    if (this.#closed) throw new ConnectionAbortedError('The test client is closed');
    const request = typeof init === 'string' ? { path: init } : init;
    const { head, body, method } = serialize(request);
    const timeoutMs = request.timeoutMs ?? this.#options.timeoutMs;
    const reused = this.#idle.pop();
    const connection = reused ?? this.#open1();
    try {
      return await connection.send(head, body, method, timeoutMs);
    } catch (err) {
      if (reused === undefined || connection.answered || !IDEMPOTENT.has(method) || !(err instanceof ConnectionAbortedError)) throw err;
      // The server closed the idle connection as the request went out (its keep-alive timeout).
      return this.#open1().send(head, body, method, timeoutMs);
    }
  }

  /** Ends the idle connections and refuses new requests; requests in flight finish. */
  close(): void {
    this.#closed = true;
    for (const connection of this.#idle.splice(0)) connection.end();
  }

  #open1(): ClientConnection {
    const connection = new ClientConnection(this.#connect(), this.#options, this);
    this.#open.add(connection);
    return connection;
  }

  /** Called by a connection when its response is complete. */
  release(connection: ClientConnection, reusable: boolean): void {
    if (reusable && !this.#closed && this.#idle.length < this.#options.maxIdleConnections) this.#idle.push(connection);
    else connection.end();
  }

  /** Called by a connection once its stream has closed. */
  forget(connection: ClientConnection): void {
    this.#open.delete(connection);
    const i = this.#idle.indexOf(connection);
    if (i >= 0) this.#idle.splice(i, 1);
  }
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const TARGET_FORBIDDEN = /[\x00-\x20\x7f]/;
const VALUE_FORBIDDEN = /[\r\n\0]/;
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

function serialize(request: TestRequest): { head: string; body: Buffer | string | undefined; method: string } {
  const method = request.method ?? 'GET';
  const path = request.path ?? '/';
  if (!TOKEN.test(method)) throw new TestRequestInvalidError(`the method ${JSON.stringify(method)} is not a token`);
  if (path === '' || TARGET_FORBIDDEN.test(path)) throw new TestRequestInvalidError(`the path ${JSON.stringify(path)} is empty or has a space or control character (write raw bytes with ts.connect())`);
  let body: Buffer | string | undefined;
  let contentType: string | undefined;
  if (request.json !== undefined) {
    if (request.body !== undefined) throw new TestRequestInvalidError('give body or json, not both');
    body = JSON.stringify(request.json);
    contentType = 'application/json';
  } else if (typeof request.body === 'string') body = request.body;
  else if (request.body !== undefined) body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
  let head = `${method} ${path} HTTP/1.1\r\n`;
  let host = false;
  let framed = false;
  if (request.headers !== undefined) {
    for (const name of Object.keys(request.headers)) {
      if (!TOKEN.test(name)) throw new TestRequestInvalidError(`the header name ${JSON.stringify(name)} is not a token`);
      const lower = name.toLowerCase();
      if (lower === 'host') host = true;
      else if (lower === 'content-length' || lower === 'transfer-encoding') framed = true;
      else if (lower === 'content-type') contentType = undefined;
      const value = request.headers[name];
      for (const v of Array.isArray(value) ? (value as readonly string[]) : [String(value)]) {
        if (VALUE_FORBIDDEN.test(v)) throw new TestRequestInvalidError(`the ${name} header has CR, LF or NUL`);
        head += `${name}: ${v}\r\n`;
      }
    }
  }
  if (!host) head += 'host: tiercel.test\r\n';
  if (contentType !== undefined) head += `content-type: ${contentType}\r\n`;
  if (body !== undefined && !framed) head += `content-length: ${typeof body === 'string' ? Buffer.byteLength(body) : body.length}\r\n`;
  return { head: head + '\r\n', body, method };
}

const enum State {
  Idle,
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailers,
  UntilEof,
}

interface Pending {
  resolve(response: TestResponse): void;
  reject(error: Error): void;
}

/**
 * One keep-alive connection and the response it is reading. A push parser over the bytes as they
 * arrive, with the same three answers as the server's: complete, needs more, or a typed rejection.
 */
class ClientConnection {
  readonly #socket: Duplex;
  readonly #options: Readonly<Required<TestClientOptions>>;
  readonly #owner: TestClient;
  #state = State.Idle;
  #pending: Pending | undefined;
  #method = 'GET';
  /** Bytes that did not make a whole element yet (a head, a chunk-size line, trailers). */
  #carry: Buffer | undefined;
  #remaining = 0;
  #chunks: Buffer[] = [];
  #bodyBytes = 0;
  #status = 0;
  #statusText = '';
  #rawHeaders: string[] = [];
  #rawTrailers: string[] = [];
  #keepAlive = true;
  /** The response is complete; the connection goes back to the client once the read is done. */
  #completed = false;
  #timer: NodeJS.Timeout | undefined;
  #timerMs = 0;
  /** A byte of the current response has arrived (a reused connection that got none may be retried). */
  answered = false;

  constructor(socket: Duplex, options: Readonly<Required<TestClientOptions>>, owner: TestClient) {
    this.#socket = socket;
    this.#options = options;
    this.#owner = owner;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#onEnd());
    socket.on('error', (err: Error) => this.#fail(new ConnectionAbortedError('The connection failed before the response was complete', { cause: err })));
    socket.on('close', () => {
      this.#fail(new ConnectionAbortedError('The connection closed before the response was complete'));
      clearTimeout(this.#timer);
      owner.forget(this);
    });
  }

  send(head: string, body: Buffer | string | undefined, method: string, timeoutMs: number): Promise<TestResponse> {
    return new Promise<TestResponse>((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#method = method;
      this.#state = State.Head;
      this.answered = false;
      this.#arm(timeoutMs);
      const socket = this.#socket;
      socket.write(head, 'latin1');
      if (body !== undefined) socket.write(body);
    });
  }

  end(): void {
    this.#state = State.Idle;
    if (!this.#socket.writableEnded) this.#socket.end();
  }

  /** One timer per connection, refreshed per request; it keeps the process alive only while a request waits. */
  #arm(ms: number): void {
    if (this.#timer !== undefined && this.#timerMs === ms) {
      this.#timer.refresh();
      this.#timer.ref();
      return;
    }
    clearTimeout(this.#timer);
    this.#timerMs = ms;
    this.#timer = setTimeout(ClientConnection.#onTimer, ms, this);
  }

  static #onTimer(connection: ClientConnection): void {
    if (connection.#pending === undefined) return;
    connection.#fail(new TestRequestTimeoutError(connection.#timerMs));
    connection.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    if (this.#pending === undefined) {
      // Bytes nobody asked for (no pipelining here): the connection cannot be trusted again.
      this.#socket.destroy();
      return;
    }
    this.answered = true;
    let data = chunk;
    if (this.#carry !== undefined) {
      data = Buffer.concat([this.#carry, chunk]);
      this.#carry = undefined;
    }
    try {
      this.#consume(data);
    } catch (err) {
      this.#fail(err as Error);
      this.#socket.destroy();
    }
    this.#release();
  }

  /** After a response completed and the rest of its read was looked at: reuse or close. */
  #release(): void {
    if (!this.#completed) return;
    this.#completed = false;
    this.#owner.release(this, this.#keepAlive);
  }

  #consume(data: Buffer): void {
    let at = 0;
    while (at < data.length && this.#pending !== undefined) {
      switch (this.#state) {
        case State.Head: {
          const end = data.indexOf(HEAD_END, at);
          if (end < 0) return this.#keep(data, at, 'response head');
          this.#checkHeadSize(end - at);
          this.#head(data.toString('latin1', at, end));
          at = end + 4;
          break;
        }
        case State.Length:
          at = this.#take(data, at);
          if (this.#remaining === 0) this.#complete();
          break;
        case State.ChunkSize: {
          const end = data.indexOf(CRLF, at);
          if (end < 0) return this.#keep(data, at, 'chunk-size line');
          this.#chunkSize(data.toString('latin1', at, end));
          at = end + 2;
          break;
        }
        case State.ChunkData:
          at = this.#take(data, at);
          if (this.#remaining === 0) this.#state = State.ChunkEnd;
          break;
        case State.ChunkEnd: {
          if (data.length - at < 2) return this.#keep(data, at, 'chunk end');
          if (data[at] !== 0x0d || data[at + 1] !== 0x0a) throw new TestResponseInvalidError('a chunk is not followed by CRLF');
          at += 2;
          this.#state = State.ChunkSize;
          break;
        }
        case State.Trailers: {
          // The trailer section ends with an empty line; with no trailers that is the very next CRLF.
          if (data.length - at >= 2 && data[at] === 0x0d && data[at + 1] === 0x0a) {
            at += 2;
            this.#complete();
            break;
          }
          const end = data.indexOf(HEAD_END, at);
          if (end < 0) return this.#keep(data, at, 'trailer section');
          this.#checkHeadSize(end - at);
          this.#rawTrailers = fieldLines(data.toString('latin1', at, end), 0);
          at = end + 4;
          this.#complete();
          break;
        }
        case State.UntilEof:
          this.#body(data.subarray(at));
          at = data.length;
          break;
      }
    }
    // Bytes past the end of the response (no pipelining here): not a connection to reuse.
    if (at < data.length) this.#keepAlive = false;
  }

  /** Takes up to `#remaining` body bytes from `at`; returns where it stopped. */
  #take(data: Buffer, at: number): number {
    const end = Math.min(at + this.#remaining, data.length);
    this.#body(data.subarray(at, end));
    this.#remaining -= end - at;
    return end;
  }

  #keep(data: Buffer, at: number, what: string): void {
    this.#checkHeadSize(data.length - at, what);
    this.#carry = at === 0 ? data : data.subarray(at);
  }

  #checkHeadSize(bytes: number, what = 'response head'): void {
    if (bytes > this.#options.maxHeaderSize) throw new TestResponseTooLargeError(`the ${what} is over maxHeaderSize (${this.#options.maxHeaderSize} bytes)`);
  }

  /** Status line and fields (RFC 9112 §4, §5); decides how the body is framed (§6.3). */
  #head(text: string): void {
    const lineEnd = text.indexOf('\r\n');
    const statusLine = lineEnd < 0 ? text : text.slice(0, lineEnd);
    if (!statusLine.startsWith('HTTP/1.') || statusLine.length < 12 || statusLine[8] !== ' ' || (statusLine.length > 12 && statusLine[12] !== ' ')) {
      throw new TestResponseInvalidError(`bad status line ${JSON.stringify(statusLine.slice(0, 100))}`);
    }
    const status = Number(statusLine.slice(9, 12));
    if (!Number.isInteger(status) || status < 100) throw new TestResponseInvalidError(`bad status code in ${JSON.stringify(statusLine)}`);
    const fields = lineEnd < 0 ? [] : fieldLines(text, lineEnd + 2);
    if (status < 200 && status !== 101) return; // interim (100 Continue, 103): the real head follows
    this.#status = status;
    this.#statusText = statusLine.slice(13);
    this.#rawHeaders = fields;
    let connection = '';
    let length: string | undefined;
    let chunked = false;
    let transferEncoding = false;
    for (let i = 0; i < fields.length; i += 2) {
      const name = fields[i].toLowerCase();
      if (name === 'content-length') {
        if (length !== undefined && length !== fields[i + 1]) throw new TestResponseInvalidError('content-length fields disagree');
        length = fields[i + 1];
      } else if (name === 'transfer-encoding') {
        transferEncoding = true;
        chunked = fields[i + 1].toLowerCase().trimEnd().endsWith('chunked');
      } else if (name === 'connection') connection += `${fields[i + 1].toLowerCase()},`;
    }
    this.#keepAlive = statusLine[7] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
    this.#chunks = [];
    this.#bodyBytes = 0;
    this.#rawTrailers = [];
    if (status === 101) {
      // The connection now speaks another protocol: use ts.webSocket() or ts.connect() for that.
      this.#keepAlive = false;
      return this.#complete();
    }
    if (this.#method === 'HEAD' || status === 204 || status === 304) return this.#complete();
    if (transferEncoding) {
      // A response whose last coding is not chunked runs to the close (§6.3, rule 4).
      this.#state = chunked ? State.ChunkSize : State.UntilEof;
      if (!chunked) this.#keepAlive = false;
      return;
    }
    if (length !== undefined) {
      if (!/^\d{1,15}$/.test(length)) throw new TestResponseInvalidError(`bad content-length ${JSON.stringify(length)}`);
      this.#remaining = Number(length);
      if (this.#remaining > this.#options.maxBodySize) throw new TestResponseTooLargeError(`content-length ${length} is over maxBodySize (${this.#options.maxBodySize} bytes)`);
      if (this.#remaining === 0) this.#complete();
      else this.#state = State.Length;
      return;
    }
    this.#keepAlive = false;
    this.#state = State.UntilEof;
  }

  #chunkSize(line: string): void {
    const semi = line.indexOf(';');
    const hex = (semi < 0 ? line : line.slice(0, semi)).trim();
    if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new TestResponseInvalidError(`bad chunk size ${JSON.stringify(line.slice(0, 40))}`);
    const size = parseInt(hex, 16);
    if (size === 0) {
      this.#state = State.Trailers;
      return;
    }
    this.#remaining = size;
    this.#state = State.ChunkData;
  }

  #body(part: Buffer): void {
    if (part.length === 0) return;
    this.#bodyBytes += part.length;
    if (this.#bodyBytes > this.#options.maxBodySize) throw new TestResponseTooLargeError(`the body is over maxBodySize (${this.#options.maxBodySize} bytes)`);
    this.#chunks.push(part);
  }

  #complete(): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    this.#pending = undefined;
    this.#state = State.Idle;
    this.#timer?.unref();
    const chunks = this.#chunks;
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, this.#bodyBytes);
    this.#chunks = [];
    pending.resolve(new BufferedResponse(this.#status, this.#statusText, this.#rawHeaders, this.#rawTrailers, body));
    this.#completed = true;
  }

  #onEnd(): void {
    // The server's FIN: it ends a body that runs to the close, and anything else in progress.
    if (this.#pending !== undefined && this.#state === State.UntilEof) this.#complete();
    this.#release();
    this.#fail(new ConnectionAbortedError('The server closed the connection before the response was complete'));
    if (!this.#socket.writableEnded) this.#socket.end();
  }

  #fail(error: Error): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    this.#pending = undefined;
    this.#state = State.Idle;
    this.#keepAlive = false;
    this.#timer?.unref();
    pending.reject(error);
  }
}

/** Field lines from `start` to the end of `text`, as alternating names and values (OWS trimmed). */
function fieldLines(text: string, start: number): string[] {
  const out: string[] = [];
  let at = start;
  while (at < text.length) {
    let end = text.indexOf('\r\n', at);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', at);
    if (colon <= at || colon > end) throw new TestResponseInvalidError(`bad field line ${JSON.stringify(text.slice(at, Math.min(end, at + 100)))}`);
    out.push(text.slice(at, colon), text.slice(colon + 1, end).trim());
    at = end + 2;
  }
  return out;
}

/** Lower-case names, repeated values joined with ', ' (RFC 9110 §5.3). */
function fieldRecord(raw: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const had = record[name];
    record[name] = had === undefined ? raw[i + 1] : `${had}, ${raw[i + 1]}`;
  }
  return record;
}

class BufferedResponse implements TestResponse {
  #headers: Record<string, string> | undefined;
  #trailers: Record<string, string> | undefined;

  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly rawHeaders: readonly string[],
    readonly rawTrailers: readonly string[],
    readonly body: Buffer,
  ) {}

  get headers(): Readonly<Record<string, string>> {
    return (this.#headers ??= fieldRecord(this.rawHeaders));
  }

  get trailers(): Readonly<Record<string, string>> {
    return (this.#trailers ??= fieldRecord(this.rawTrailers));
  }

  text(): string {
    return this.body.toString('utf8');
  }

  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T;
  }

  bytes(): Uint8Array {
    return new Uint8Array(this.body.buffer, this.body.byteOffset, this.body.byteLength);
  }
}

function resolveClientOptions(options: TestClientOptions): Readonly<Required<TestClientOptions>> {
  const resolved = { ...TEST_CLIENT_DEFAULTS };
  for (const [name, value] of Object.entries(options)) {
    if (!(name in TEST_CLIENT_DEFAULTS)) throw new InvalidOptionError(name, `is not a test client option (known: ${Object.keys(TEST_CLIENT_DEFAULTS).join(', ')})`);
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (name === 'maxIdleConnections' ? 0 : 1)) {
      throw new InvalidOptionError(name, `must be a ${name === 'maxIdleConnections' ? 'non-negative' : 'positive'} integer (got ${String(value)})`);
    }
    (resolved as Record<string, number>)[name] = value;
  }
  return resolved;
}
