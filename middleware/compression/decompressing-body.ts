import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { HttpRequestBodyFeature } from '../../protocols/http/index.js';
import { HttpError, RequestBodyTooLargeError } from '../../pipeline/index.js';
import { drained } from './drained.js';

/** The request codings tiercel inflates, by their Content-Encoding token (lower case). */
const DECODERS: Readonly<Record<string, () => Transform>> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** The decoder for a Content-Encoding value, or undefined when it is not one tiercel inflates (several codings included). */
export function decoderFor(contentEncoding: string): (() => Transform) | undefined {
  return DECODERS[contentEncoding.trim().toLowerCase()];
}

/**
 * A request body read through a decoder: set as `ctx.request.bodyFeature` in front of the
 * exchange's. The compressed bytes are still limited by the exchange (`maxRequestBodySize`); the
 * inflated ones by `maxInflated`, checked as each chunk comes out of the decoder, so a zip bomb
 * costs at most one decoder chunk (16 KiB) past the limit before it fails with 413. A corrupt
 * body is a 400.
 */
export class DecompressingBody implements HttpRequestBodyFeature {
  readonly requestContentLength = -1;
  readonly requestHasBody = true;
  readonly #inner: HttpRequestBodyFeature;
  readonly #makeDecoder: () => Transform;
  // Made when the app first reads: a body nobody reads costs no decoder.
  #decoder: Transform | undefined = undefined;
  readonly #maxInflated: number | undefined;
  #iterator: AsyncIterator<Buffer> | undefined = undefined;
  #inflated = 0;
  #failure: unknown = undefined;
  /** What reading the compressed body failed with (a 413, the client leaving): passed on as is. */
  #feedError: unknown = undefined;

  constructor(inner: HttpRequestBodyFeature, decoder: () => Transform, maxInflated: number | undefined) {
    this.#inner = inner;
    this.#makeDecoder = decoder;
    this.#maxInflated = maxInflated;
  }

  /** The limit on the compressed bytes, as the exchange enforces it. */
  get maxRequestBodySize(): number {
    return this.#inner.maxRequestBodySize;
  }

  set maxRequestBodySize(value: number) {
    this.#inner.maxRequestBodySize = value;
  }

  async readBody(): Promise<Buffer | null> {
    if (this.#failure !== undefined) throw this.#failure;
    const limit = this.#maxInflated ?? this.#inner.maxRequestBodySize;
    this.#iterator ??= this.#start();
    let next: IteratorResult<Buffer>;
    try {
      next = await this.#iterator.next();
    } catch (err) {
      this.#failure =
        err === this.#feedError ? err : new HttpError(400, 'The request body could not be decompressed', { code: 'ERR_TIERCEL_BAD_COMPRESSED_BODY', cause: err });
      throw this.#failure;
    }
    if (next.done === true) return null;
    this.#inflated += next.value.length;
    if (this.#inflated > limit) {
      this.#failure = new RequestBodyTooLargeError(limit);
      this.#decoder?.destroy();
      throw this.#failure;
    }
    return next.value;
  }

  #start(): AsyncIterator<Buffer> {
    const z = (this.#decoder = this.#makeDecoder());
    const inner = this.#inner;
    // Feeds the decoder as it asks for more (its write buffer is the backpressure), so what is
    // held is the decoder's buffers, never the whole compressed body.
    const feed = async (): Promise<void> => {
      for (let chunk = await inner.readBody(); chunk !== null; chunk = await inner.readBody()) {
        if (z.destroyed) return;
        if (!z.write(chunk)) await drained(z);
      }
      z.end();
    };
    feed().catch((err: unknown) => {
      this.#feedError = err instanceof Error ? err : new Error(String(err));
      z.destroy(this.#feedError as Error);
    });
    return z[Symbol.asyncIterator]();
  }
}
