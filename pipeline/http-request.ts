import type { Readable } from 'node:stream';
import { TlsFeature, type Scheme } from '../connection/index.js';
import { HttpRequestTrailersFeature, type HttpExchange, type HttpProtocolName, type HttpRequestBodyFeature, type RequestHeaders } from '../protocols/http/index.js';
import { BodyAlreadyReadError } from './errors.js';
import { authorityOf, decodePath, rawPathOf } from './path.js';
import { RequestBodyChunks, RequestBodyStream, readBodyBuffer, readBodyJson, readBodyText } from './request-body.js';

/**
 * The request side of an `HttpContext`. Everything derived from the target (path, query) is
 * computed on first use, so a handler that never looks at the query never parses it.
 */
export class HttpRequest {
  /**
   * The part of the path that `map()` matched on the way here (`/api` inside `map('/api', …)`),
   * or `''`. `pathBase + path` is the decoded path the client asked for.
   */
  pathBase = '';
  readonly #exchange: HttpExchange;
  // Where the body is read from: the exchange, unless a middleware that transforms it (request
  // decompression) put its own in front.
  #body: HttpRequestBodyFeature;
  #path: string | undefined = undefined;
  #queryString: string | undefined = undefined;
  #query: URLSearchParams | undefined = undefined;
  #bodyUsed = false;
  #scheme: Scheme | undefined = undefined;
  #host: string | undefined = undefined;

  constructor(exchange: HttpExchange) {
    this.#exchange = exchange;
    this.#body = exchange;
  }

  /**
   * Where the body helpers (`body`, `stream()`, `buffer()`, `text()`, `json()`), `contentLength`,
   * `hasBody` and `maxBodySize` read from: the exchange itself unless replaced by a middleware
   * that transforms the body (request decompression), before anything reads it.
   */
  get bodyFeature(): HttpRequestBodyFeature {
    return this.#body;
  }

  set bodyFeature(value: HttpRequestBodyFeature) {
    if (this.#bodyUsed) throw new BodyAlreadyReadError();
    this.#body = value;
  }

  /** The method as sent; methods are case-sensitive. */
  get method(): string {
    return this.#exchange.method;
  }

  /**
   * The path, percent-decoded (except `%2F` and `%00`) and without dot segments, relative to
   * `pathBase`. For an absolute-form target it is the URL's path; `*` for asterisk-form, `''` for
   * authority-form. Settable, for middleware that rewrites URLs.
   */
  get path(): string {
    if (this.#path === undefined) this.#splitTarget();
    return this.#path as string;
  }

  set path(value: string) {
    this.#path = value;
  }

  /** The request-target exactly as sent. */
  get rawTarget(): string {
    return this.#exchange.target;
  }

  /** The raw query with its `?` (`?a=1&b`), or `''` when there is none. */
  get queryString(): string {
    if (this.#queryString === undefined) this.#splitTarget();
    return this.#queryString as string;
  }

  /** The query, parsed on first use. */
  get query(): URLSearchParams {
    return (this.#query ??= new URLSearchParams(this.queryString));
  }

  get headers(): RequestHeaders {
    return this.#exchange.headers;
  }

  get protocol(): HttpProtocolName {
    return this.#exchange.protocol;
  }

  /**
   * The host the client asked for: the authority of an absolute-form target, which overrides the
   * Host header (RFC 9112 §3.2.2), else the Host header; undefined when neither is present.
   */
  get host(): string | undefined {
    if (this.#host !== undefined) return this.#host;
    const target = this.#exchange.target;
    if (target.charCodeAt(0) !== 0x2f) {
      const authority = authorityOf(target);
      if (authority !== undefined) return authority;
    }
    return this.#exchange.headers.get('host');
  }

  /** Settable, for middleware that knows the host the client really asked for (a trusted proxy's). */
  set host(value: string | undefined) {
    this.#host = value;
  }

  /**
   * The scheme the client used: `'https'` on a TLS connection, else `'http'`, unless a middleware
   * that knows better (forwarded headers from a trusted proxy) set it for this request.
   */
  get scheme(): Scheme {
    return this.#scheme ?? (this.#exchange.connection.features.get(TlsFeature) === undefined ? 'http' : 'https');
  }

  set scheme(value: Scheme) {
    this.#scheme = value;
  }

  /** The declared body length, or -1 when it is not known in advance (chunked). */
  get contentLength(): number {
    return this.#body.requestContentLength;
  }

  /** False when the request has no body at all. */
  get hasBody(): boolean {
    return this.#body.requestHasBody;
  }

  /**
   * The largest body this request may have (the endpoint's limit unless changed). Change it
   * before reading the body: raise it for an upload route, lower it for a JSON API.
   */
  get maxBodySize(): number {
    return this.#body.maxRequestBodySize;
  }

  set maxBodySize(value: number) {
    this.#body.maxRequestBodySize = value;
  }

  /** True once the body has been (or is being) read by one of the helpers below. */
  /**
   * The trailer fields the client sent after the body (chunked HTTP/1.1, or HTTP/2), or null when
   * there were none. Read the body to its end first: until then it may be null.
   */
  get trailers(): RequestHeaders | null {
    return this.#exchange.feature(HttpRequestTrailersFeature)?.requestTrailers ?? null;
  }

  get bodyUsed(): boolean {
    return this.#bodyUsed;
  }

  /** The body as chunks: `for await (const chunk of ctx.request.body)`. */
  get body(): AsyncIterable<Buffer> {
    this.#claimBody();
    return new RequestBodyChunks(this.#body);
  }

  /** The body as a Node Readable that pulls from the client as it is read. */
  stream(): Readable {
    this.#claimBody();
    return new RequestBodyStream(this.#body);
  }

  buffer(): Promise<Buffer> {
    if (this.#bodyUsed) return Promise.reject(new BodyAlreadyReadError());
    this.#bodyUsed = true;
    return readBodyBuffer(this.#body);
  }

  /** The body as UTF-8 text. */
  text(): Promise<string> {
    if (this.#bodyUsed) return Promise.reject(new BodyAlreadyReadError());
    this.#bodyUsed = true;
    return readBodyText(this.#body);
  }

  /** The body parsed as JSON; invalid JSON is an `HttpError` 400. The result is not validated. */
  json<T = unknown>(): Promise<T> {
    if (this.#bodyUsed) return Promise.reject(new BodyAlreadyReadError());
    this.#bodyUsed = true;
    return readBodyJson<T>(this.#body);
  }

  #claimBody(): void {
    if (this.#bodyUsed) throw new BodyAlreadyReadError();
    this.#bodyUsed = true;
  }

  #splitTarget(): void {
    const target = this.#exchange.target;
    if (target !== lastTarget) {
      const q = target.indexOf('?');
      lastPath = decodePath(rawPathOf(q < 0 ? target : target.slice(0, q)));
      lastQueryString = q < 0 ? '' : target.slice(q);
      lastTarget = target;
    }
    this.#queryString = lastQueryString;
    if (this.#path === undefined) this.#path = lastPath;
  }
}

// The last target split and its parts (both pure functions of it). A keep-alive client asks for
// the same few targets again and again: comparing one with the last costs less than finding its
// query and scanning its path for escapes and dot segments anew.
let lastTarget = '';
let lastPath = '';
let lastQueryString = '';
