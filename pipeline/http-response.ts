import type { Readable } from 'node:stream';
import { HeaderList, HeadersSentError, HttpEarlyHintsFeature, HttpResponseTrailersFeature, type HttpExchange, type HttpRequestBodyFeature, type HttpResponseBodyFeature } from '../protocols/http/index.js';
import { InvalidBodyError, InvalidStatusCodeError, ResponseEndedError } from './errors.js';
import { RequestBodyChunks } from './request-body.js';

/** What a response body chunk may be. */
export type ResponseChunk = string | Buffer | Uint8Array;

const TEXT_PLAIN = 'text/plain; charset=utf-8';
const OCTET_STREAM = 'application/octet-stream';
const APPLICATION_JSON = 'application/json; charset=utf-8';

function toWire(chunk: ResponseChunk, what: string): Buffer | string {
  if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new InvalidBodyError(what, chunk);
}

// Errors for which stream() aborted the exchange itself: the pipeline logs those as the app's
// failures, not as the aftermath of a client going away.
const abortedForError = new WeakSet<object>();

/** True when `stream()` aborted its exchange because of `err`. Internal: not in index.ts. */
export function streamAbortedFor(err: unknown): boolean {
  return typeof err === 'object' && err !== null && abortedForError.has(err);
}

function isReadable(source: unknown): source is Readable {
  return typeof (source as Readable).destroy === 'function' && typeof (source as Readable).pipe === 'function';
}

/**
 * The response side of an `HttpContext`. Sync-first: `write` returns undefined when the transport
 * took the chunk and a promise only when the caller has to wait for it to drain.
 */
export class HttpResponse {
  readonly #exchange: HttpExchange;
  // Where the body goes: the exchange, unless a middleware that transforms the body (compression)
  // put its own in front. Read where the exchange was read before, so an app without such a
  // middleware pays one field, no branch.
  #body: HttpResponseBodyFeature;

  constructor(exchange: HttpExchange) {
    this.#exchange = exchange;
    this.#body = exchange;
  }

  /**
   * Where `write`, `end`, `send`, `json`, `redirect` and `stream` put the body (ASP.NET's
   * `IHttpResponseBodyFeature`): the exchange itself unless replaced. A middleware that transforms
   * the body (response compression) sets its own, which writes to the one it replaced, and must
   * finish it before its own `next()` promise settles (the protocol completes the exchange, not
   * the wrapper). Status and headers stay the exchange's.
   */
  get bodyFeature(): HttpResponseBodyFeature {
    return this.#body;
  }

  set bodyFeature(value: HttpResponseBodyFeature) {
    this.#body = value;
  }

  /** The status code; default 200. An integer from 100 to 999, settable until headers are sent. */
  get status(): number {
    return this.#exchange.statusCode;
  }

  set status(value: number) {
    if (!Number.isInteger(value) || value < 100 || value > 999) throw new InvalidStatusCodeError(value);
    if (this.#exchange.headersSent) throw new HeadersSentError('set the status');
    this.#exchange.statusCode = value;
  }

  /** Response headers, validated as they are set: `response.headers.set('x-id', '1')`. */
  get headers(): HeaderList {
    return this.#exchange.responseHeaders;
  }

  /** Trailers sent after the body, or null when the protocol cannot send them. */
  get trailers(): HeaderList | null {
    return this.#exchange.feature(HttpResponseTrailersFeature)?.responseTrailers ?? null;
  }

  get headersSent(): boolean {
    return this.#exchange.headersSent;
  }

  /** True once the response has been ended, or the exchange aborted. */
  get ended(): boolean {
    return this.#body.responseEnded;
  }

  /**
   * Sends `103 Early Hints` (RFC 8297) now, with one `Link` field per entry
   * (`'</app.css>; rel=preload; as=style'`), so the client can start fetching them while the final
   * response is being prepared. Returns false, sending nothing, when there is nothing to send, the
   * protocol offers no 1xx (an HTTP/1.0 client), or the response's head has already gone. May be
   * called more than once; each call is its own 103. A value with CR, LF or NUL throws.
   */
  sendEarlyHints(links: string | readonly string[]): boolean {
    const ex = this.#exchange;
    if (typeof links !== 'string' && links.length === 0) return false;
    const feature = ex.feature(HttpEarlyHintsFeature);
    if (feature === undefined || ex.headersSent) return false;
    return feature.sendEarlyHints(new HeaderList().set('link', links));
  }

  /**
   * Writes a body chunk (the headers go first, chunked unless a content-length was set). Returns
   * undefined when the transport took it, or a promise to await before writing more when its
   * buffer is full: `const p = res.write(x); if (p) await p;`.
   */
  write(chunk: ResponseChunk): void | Promise<void> {
    const ex = this.#body;
    if (ex.responseEnded) throw new ResponseEndedError('write to the response');
    return ex.write(toWire(chunk, 'write()')) ? undefined : ex.drain();
  }

  /** Ends the response, with an optional last chunk. Ending an ended response without a chunk does nothing. */
  end(chunk?: ResponseChunk): void {
    const ex = this.#body;
    if (ex.responseEnded) {
      if (chunk !== undefined) throw new ResponseEndedError('end the response with a chunk');
      return;
    }
    if (chunk === undefined) ex.end();
    else ex.end(toWire(chunk, 'end()'));
  }

  /**
   * Sends `body` and ends the response, in one write with a content-length when nothing was
   * written before. Sets `content-type` when none is set: text/plain; charset=utf-8 for a string,
   * application/octet-stream for bytes. null or undefined sends no body.
   */
  send(body?: string | Buffer | Uint8Array | null): void {
    const out = this.#body;
    if (out.responseEnded) throw new ResponseEndedError('send a response');
    if (body === undefined || body === null) {
      out.end();
      return;
    }
    let wire: Buffer | string;
    let type: string;
    if (typeof body === 'string') {
      wire = body;
      type = TEXT_PLAIN;
    } else {
      wire = toWire(body, 'send()');
      type = OCTET_STREAM;
    }
    const ex = this.#exchange;
    if (!ex.headersSent) {
      const headers = ex.responseHeaders;
      // `append` skips the remove-scan `set` does; the header is known to be absent.
      if (!headers.has('content-type')) headers.append('content-type', type);
    }
    out.end(wire);
  }

  /**
   * Sends `value` as JSON (application/json; charset=utf-8 unless a content-type is set) and ends
   * the response. `undefined` is sent as `null`; a value JSON cannot hold (a cycle, a BigInt) throws.
   */
  json(value: unknown, status?: number): void {
    const ex = this.#exchange;
    const out = this.#body;
    if (out.responseEnded) throw new ResponseEndedError('send a JSON response');
    if (status !== undefined) this.status = status;
    const text = JSON.stringify(value);
    if (!ex.headersSent) {
      const headers = ex.responseHeaders;
      if (!headers.has('content-type')) headers.append('content-type', APPLICATION_JSON);
    }
    out.end(text === undefined ? 'null' : text);
  }

  /**
   * Redirects to `url` (sent as given in `location`, so it must already be URL-encoded) and ends
   * the response. `status` must be 3xx; default 302 (use 303 after a POST, 307/308 to keep the method).
   */
  redirect(url: string, status = 302): void {
    if (!Number.isInteger(status) || status < 300 || status > 399) {
      throw new InvalidStatusCodeError(status, 'a redirect status must be an integer from 300 to 399');
    }
    const out = this.#body;
    if (out.responseEnded) throw new ResponseEndedError('redirect');
    this.status = status;
    this.#exchange.responseHeaders.set('location', url);
    out.end();
  }

  /**
   * Streams `source` as the body and ends the response. The next chunk is taken only after the
   * transport took the last one (backpressure). If the client goes away, a Readable source is
   * destroyed. If the source fails after the headers went out, the exchange is aborted (the
   * client must not take a cut-off body for a whole one) and the error is rethrown; before, it is
   * only rethrown, so the pipeline can still answer 500.
   */
  async stream(source: Readable | AsyncIterable<ResponseChunk>): Promise<void> {
    const ex = this.#exchange;
    const out = this.#body;
    if (out.responseEnded) throw new ResponseEndedError('stream a response');
    if (source instanceof RequestBodyChunks) return this.#echo(source.feature);
    const readable = isReadable(source) ? source : undefined;
    // The abort signal is made only where it is needed: a Readable must be destroyed when the
    // client goes away. An AbortController costs more than a small response's whole head, so
    // otherwise the abort state is asked for only when a write is refused (full or gone).
    const signal = readable === undefined ? undefined : ex.aborted;
    const onAbort = (): void => {
      readable?.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const chunk of source) {
        if (signal?.aborted) return;
        if (!out.write(toWire(chunk, 'stream()'))) {
          if (ex.aborted.aborted) return;
          await out.drain();
        }
      }
    } catch (err) {
      this.#streamFailed(err);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    // An exchange the server aborted counts as ended; after the client left, end() writes nothing.
    if (!out.responseEnded) out.end();
  }

  /**
   * `stream(request.body)`: the exchange's own body feature pipes each chunk into the response in
   * its read callback (`pipeBody`), as node:http's `req.pipe(res)` does: no promise per chunk, no
   * chunk queued for a reader. A body feature a middleware replaced is read chunk by chunk, with
   * one promise per chunk, where the async generator and `for await` took three.
   */
  async #echo(body: HttpRequestBodyFeature): Promise<void> {
    const ex = this.#exchange;
    const out = this.#body;
    try {
      if (body.pipeBody !== undefined) {
        if (body.requestHasBody) await body.pipeBody(out);
      } else if (body.requestHasBody) {
        for (let chunk = await body.readBody(); chunk !== null; chunk = await body.readBody()) {
          if (!out.write(chunk)) {
            if (ex.aborted.aborted) return;
            await out.drain();
          }
        }
      }
    } catch (err) {
      this.#streamFailed(err);
    }
    if (!out.responseEnded) out.end();
  }

  /**
   * The source of `stream()` failed: after the headers went out the exchange is aborted (the
   * client must not take a cut-off body for a whole one); before, the error only goes on, so the
   * pipeline can still answer 500.
   */
  #streamFailed(err: unknown): never {
    const ex = this.#exchange;
    if (ex.headersSent && !this.#body.responseEnded) {
      if (typeof err === 'object' && err !== null) abortedForError.add(err);
      ex.abort(err);
    }
    throw err;
  }
}
