import { brotliCompress, brotliCompressSync, createBrotliCompress, createGzip, gzip, gzipSync, type BrotliCompress, type Gzip } from 'node:zlib';
import type { HttpExchange, HttpResponseBodyFeature } from '../../protocols/http/index.js';
import { appendVary, WrappingBody } from '../shared/index.js';
import { drained } from './drained.js';
import type { ResolvedCompressionOptions } from './compression-options.js';
import type { ContentCoding } from './encoding-negotiation.js';

const UNDECIDED = 0;
const PASS = 1;
const WHOLE = 2;
const STREAMING = 3;
type Mode = typeof UNDECIDED | typeof PASS | typeof WHOLE | typeof STREAMING;

/** True when a Cache-Control value holds `no-transform` (RFC 9111 §5.2.2.6): the body must reach the client as is. */
function noTransform(cacheControl: string | undefined): boolean {
  return cacheControl !== undefined && cacheControl.toLowerCase().includes('no-transform');
}

/**
 * The response body as compression middleware sees it: set as `ctx.response.bodyFeature` in front
 * of the exchange's. On the first write (or the end) it decides, from the head the app has set by
 * then, whether this response is compressed: never twice (a content-encoding is already set),
 * never against `Cache-Control: no-transform`, never for a status without a body, a 206 (its
 * range is of the identity body) or a HEAD, only for a compressible type and, when the length is
 * known, from the threshold up. A whole body (`send`, `json`) is compressed in one call, with a
 * content-length: on the event loop up to `inlineMaxBytes`, else on the thread pool; a written one
 * through a zlib stream that keeps the transport's backpressure.
 */
export class CompressingBody extends WrappingBody {
  readonly #coding: ContentCoding | undefined;
  readonly #o: ResolvedCompressionOptions;
  #mode: Mode = UNDECIDED;
  #zlib: BrotliCompress | Gzip | undefined = undefined;
  /** Settles once the compressed body has been handed to the exchange (or given up). */
  #done: Promise<void> | undefined = undefined;
  #settle: (() => void) | undefined = undefined;

  constructor(exchange: HttpExchange, inner: HttpResponseBodyFeature, coding: ContentCoding | undefined, options: ResolvedCompressionOptions) {
    super(exchange, inner);
    this.#coding = coding;
    this.#o = options;
  }

  write(chunk: Buffer | string): boolean {
    this.assertOpen();
    if (this.#mode === UNDECIDED) this.#mode = this.#decide(-1) ? this.#startStream() : PASS;
    if (this.#mode === PASS) return this.inner.write(chunk);
    return this.#zlib!.write(chunk);
  }

  drain(): Promise<void> {
    const z = this.#zlib;
    if (this.#mode !== STREAMING || z === undefined || !z.writableNeedDrain || z.destroyed) return this.inner.drain();
    return drained(z);
  }

  end(chunk?: Buffer | string): void {
    if (this.ended) return;
    if (this.#mode === UNDECIDED) {
      const size = chunk === undefined ? 0 : typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      this.#mode = size > 0 && this.#decide(size) ? WHOLE : PASS;
    }
    this.ended = true;
    if (this.#mode === PASS) {
      this.inner.end(chunk);
    } else if (this.#mode === WHOLE) {
      this.#compressWhole(typeof chunk === 'string' ? Buffer.from(chunk) : chunk!);
    } else if (chunk === undefined) {
      this.#zlib!.end();
    } else {
      this.#zlib!.end(chunk);
    }
  }

  /** Completes the body the app left open; resolves once the exchange has all of it (undefined: it already has). */
  finish(): void | Promise<void> {
    this.complete();
    return this.#done;
  }

  /** The app failed: stop the encoder (the pipeline answers or aborts on the exchange itself). */
  fail(): void {
    this.ended = true;
    this.#zlib?.destroy();
    this.#settle?.();
  }

  /** Whether to compress; sets the head for it when so. `size` is the whole body's, or -1 when streamed. */
  #decide(size: number): boolean {
    const ex = this.exchange;
    if (ex.headersSent || ex.method === 'HEAD') return false;
    const status = ex.statusCode;
    if (status < 200 || status === 204 || status === 206 || status === 304) return false;
    const h = ex.responseHeaders;
    if (h.has('content-encoding') || noTransform(h.get('cache-control'))) return false;
    const type = h.get('content-type');
    if (type === undefined || !this.#o.compressible(type)) return false;
    // From here what is sent depends on Accept-Encoding, whether this client gets a coding or not.
    appendVary(h, 'accept-encoding');
    if (this.#coding === undefined) return false;
    const declared = size >= 0 ? size : h.has('content-length') ? Number(h.get('content-length')) : -1;
    if (declared >= 0 && declared < this.#o.thresholdBytes) return false;
    h.set('content-encoding', this.#coding);
    h.delete('content-length');
    // The compressed bytes are not the ones a strong tag names (RFC 9110 §8.8.3).
    const etag = h.get('etag');
    if (etag !== undefined && !etag.startsWith('W/')) h.set('etag', 'W/' + etag);
    return true;
  }

  #track(): void {
    this.#done = new Promise<void>((resolve) => (this.#settle = resolve));
  }

  #compressWhole(input: Buffer): void {
    if (input.length <= this.#o.inlineMaxBytes) {
      this.inner.end(this.#coding === 'br' ? brotliCompressSync(input, this.#o.brotli) : gzipSync(input, this.#o.gzip));
      return;
    }
    this.#track();
    const onDone = (err: Error | null, out: Buffer): void => {
      // zlib refusing a Buffer is out of memory, nothing the client should get half of.
      if (err !== null) this.exchange.abort(err);
      else if (!this.inner.responseEnded) this.inner.end(out);
      this.#settle!();
    };
    if (this.#coding === 'br') brotliCompress(input, this.#o.brotli, onDone);
    else gzip(input, this.#o.gzip, onDone);
  }

  #startStream(): Mode {
    this.#track();
    const z = this.#coding === 'br' ? createBrotliCompress(this.#o.brotli) : createGzip(this.#o.gzip);
    this.#zlib = z;
    const inner = this.inner;
    const ex = this.exchange;
    const resume = (): void => {
      if (!z.destroyed) z.resume();
    };
    z.on('data', (out: Buffer) => {
      if (inner.responseEnded) {
        z.destroy();
        return;
      }
      if (!inner.write(out)) {
        z.pause();
        void inner.drain().then(resume);
      }
    });
    z.on('end', () => {
      if (!inner.responseEnded) inner.end();
    });
    z.on('error', (err) => ex.abort(err));
    z.on('close', () => this.#settle!());
    const signal = ex.aborted;
    const onAbort = (): void => {
      z.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    z.once('close', () => signal.removeEventListener('abort', onAbort));
    return STREAMING;
  }
}
