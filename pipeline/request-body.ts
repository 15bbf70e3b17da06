import { Readable } from 'node:stream';
import type { HttpRequestBodyFeature } from '../protocols/http/index.js';
import { HttpError } from './http-error.js';

// Body readers over `exchange.readBody()`. The exchange's one body reader (shared by HTTP/1.1 and
// HTTP/2) enforces `maxRequestBodySize` and turns bad framing, slow uploads and oversize bodies
// into an HttpProtocolError (400/408/413) that these helpers pass on untouched: they never hold
// more than the limit because the reader never hands more over.

const EMPTY = Buffer.alloc(0);

/** The whole body in one Buffer, never more than the exchange's `maxRequestBodySize`. */
export async function readBodyBuffer(exchange: HttpRequestBodyFeature): Promise<Buffer> {
  if (!exchange.requestHasBody) return EMPTY;
  const first = await exchange.readBody();
  if (first === null) return EMPTY;
  let received = first.length;
  const chunks: Buffer[] = [first];
  for (;;) {
    const chunk = await exchange.readBody();
    if (chunk === null) break;
    received += chunk.length;
    chunks.push(chunk);
  }
  // The common small body arrives in one chunk: hand it over without a copy.
  return chunks.length === 1 ? first : Buffer.concat(chunks, received);
}

/** The body decoded as UTF-8. */
export async function readBodyText(exchange: HttpRequestBodyFeature): Promise<string> {
  const buffer = await readBodyBuffer(exchange);
  return buffer.length === 0 ? '' : buffer.toString('utf8');
}

/** The body parsed as JSON; a body that is not JSON (an empty one included) is a 400. */
export async function readBodyJson<T = unknown>(exchange: HttpRequestBodyFeature): Promise<T> {
  const text = await readBodyText(exchange);
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new HttpError(400, 'The request body is not valid JSON', { code: 'ERR_TIERCEL_INVALID_JSON', cause: err });
  }
}

/**
 * `request.body`: the body chunk by chunk, as the client sends it, for `for await`. It also names
 * the body feature it reads from, so that `response.stream(request.body)` can move the chunks
 * itself, without the async generator in between.
 */
export class RequestBodyChunks implements AsyncIterable<Buffer> {
  constructor(readonly feature: HttpRequestBodyFeature) {}

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return iterateBody(this.feature);
  }
}

/** The body chunk by chunk, as the client sends it; the next chunk is read only when asked for. */
export async function* iterateBody(exchange: HttpRequestBodyFeature): AsyncGenerator<Buffer, void, undefined> {
  if (!exchange.requestHasBody) return;
  for (;;) {
    const chunk = await exchange.readBody();
    if (chunk === null) return;
    yield chunk;
  }
}

/**
 * A Readable over the body. It pulls: `_read` asks the exchange for one chunk and asks again only
 * when the consumer wants more, so a slow consumer slows the upload (backpressure to the client).
 */
export class RequestBodyStream extends Readable {
  readonly #exchange: HttpRequestBodyFeature;

  constructor(exchange: HttpRequestBodyFeature) {
    super();
    this.#exchange = exchange;
    if (!exchange.requestHasBody) this.push(null);
  }

  override _read(): void {
    this.#exchange.readBody().then(this.#onChunk, this.#onError);
  }

  readonly #onChunk = (chunk: Buffer | null): void => {
    this.push(chunk);
  };

  readonly #onError = (err: unknown): void => {
    this.destroy(err instanceof Error ? err : new Error(String(err)));
  };
}
