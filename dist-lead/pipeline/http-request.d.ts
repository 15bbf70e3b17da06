import type { Readable } from 'node:stream';
import type { HttpExchange, HttpProtocolName, RequestHeaders } from '../protocols/http/index.js';
/**
 * The request side of an `HttpContext`. Everything derived from the target (path, query) is
 * computed on first use, so a handler that never looks at the query never parses it.
 */
export declare class HttpRequest {
    #private;
    /**
     * The part of the path that `map()` matched on the way here (`/api` inside `map('/api', …)`),
     * or `''`. `pathBase + path` is the decoded path the client asked for.
     */
    pathBase: string;
    constructor(exchange: HttpExchange);
    /** The method as sent; methods are case-sensitive. */
    get method(): string;
    /**
     * The path, percent-decoded (except `%2F` and `%00`) and without dot segments, relative to
     * `pathBase`. For an absolute-form target it is the URL's path; `*` for asterisk-form, `''` for
     * authority-form. Settable, for middleware that rewrites URLs.
     */
    get path(): string;
    set path(value: string);
    /** The request-target exactly as sent. */
    get rawTarget(): string;
    /** The raw query with its `?` (`?a=1&b`), or `''` when there is none. */
    get queryString(): string;
    /** The query, parsed on first use. */
    get query(): URLSearchParams;
    get headers(): RequestHeaders;
    get protocol(): HttpProtocolName;
    /**
     * The host the client asked for: the authority of an absolute-form target, which overrides the
     * Host header (RFC 9112 §3.2.2), else the Host header; undefined when neither is present.
     */
    get host(): string | undefined;
    /** The declared body length, or -1 when it is not known in advance (chunked). */
    get contentLength(): number;
    /** False when the request has no body at all. */
    get hasBody(): boolean;
    /**
     * The largest body this request may have (the endpoint's limit unless changed). Change it
     * before reading the body: raise it for an upload route, lower it for a JSON API.
     */
    get maxBodySize(): number;
    set maxBodySize(value: number);
    /** True once the body has been (or is being) read by one of the helpers below. */
    get bodyUsed(): boolean;
    /** The body as chunks: `for await (const chunk of ctx.request.body)`. */
    get body(): AsyncIterable<Buffer>;
    /** The body as a Node Readable that pulls from the client as it is read. */
    stream(): Readable;
    buffer(): Promise<Buffer>;
    /** The body as UTF-8 text. */
    text(): Promise<string>;
    /** The body parsed as JSON; invalid JSON is an `HttpError` 400. The result is not validated. */
    json<T = unknown>(): Promise<T>;
}
