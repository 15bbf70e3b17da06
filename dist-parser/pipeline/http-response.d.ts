import type { Readable } from 'node:stream';
import { type HeaderList, type HttpExchange } from '../protocols/http/index.js';
/** What a response body chunk may be. */
export type ResponseChunk = string | Buffer | Uint8Array;
/** True when `stream()` aborted its exchange because of `err`. Internal: not in index.ts. */
export declare function streamAbortedFor(err: unknown): boolean;
/**
 * The response side of an `HttpContext`. Sync-first: `write` returns undefined when the transport
 * took the chunk and a promise only when the caller has to wait for it to drain.
 */
export declare class HttpResponse {
    #private;
    constructor(exchange: HttpExchange);
    /** The status code; default 200. An integer from 100 to 999, settable until headers are sent. */
    get status(): number;
    set status(value: number);
    /** Response headers, validated as they are set: `response.headers.set('x-id', '1')`. */
    get headers(): HeaderList;
    /** Trailers sent after the body, or null when the protocol cannot send them. */
    get trailers(): HeaderList | null;
    get headersSent(): boolean;
    /** True once the response has been ended, or the exchange aborted. */
    get ended(): boolean;
    /**
     * Writes a body chunk (the headers go first, chunked unless a content-length was set). Returns
     * undefined when the transport took it, or a promise to await before writing more when its
     * buffer is full: `const p = res.write(x); if (p) await p;`.
     */
    write(chunk: ResponseChunk): void | Promise<void>;
    /** Ends the response, with an optional last chunk. Ending an ended response without a chunk does nothing. */
    end(chunk?: ResponseChunk): void;
    /**
     * Sends `body` and ends the response, in one write with a content-length when nothing was
     * written before. Sets `content-type` when none is set: text/plain; charset=utf-8 for a string,
     * application/octet-stream for bytes. null or undefined sends no body.
     */
    send(body?: string | Buffer | Uint8Array | null): void;
    /**
     * Sends `value` as JSON (application/json; charset=utf-8 unless a content-type is set) and ends
     * the response. `undefined` is sent as `null`; a value JSON cannot hold (a cycle, a BigInt) throws.
     */
    json(value: unknown, status?: number): void;
    /**
     * Redirects to `url` (sent as given in `location`, so it must already be URL-encoded) and ends
     * the response. `status` must be 3xx; default 302 (use 303 after a POST, 307/308 to keep the method).
     */
    redirect(url: string, status?: number): void;
    /**
     * Streams `source` as the body and ends the response. The next chunk is taken only after the
     * transport took the last one (backpressure). If the client goes away, a Readable source is
     * destroyed. If the source fails after the headers went out, the exchange is aborted (the
     * client must not take a cut-off body for a whole one) and the error is rethrown; before, it is
     * only rethrown, so the pipeline can still answer 500.
     */
    stream(source: Readable | AsyncIterable<ResponseChunk>): Promise<void>;
}
