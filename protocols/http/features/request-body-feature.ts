import { FeatureKey } from '../../../connection/index.js';
import type { HttpResponseBodyFeature } from './response-body-feature.js';

/** Where `pipeBody` writes the body: a response body (the exchange's, or a middleware's in front of it). */
export type BodySink = Pick<HttpResponseBodyFeature, 'write' | 'drain'>;

/**
 * The request body, read chunk by chunk (Kestrel's request body pipe with its
 * `IHttpRequestBodyDetectionFeature` and `IHttpMaxRequestBodySizeFeature`). Both versions read it
 * through one shared reader (`HttpExchangeBase`), which enforces `maxRequestBodySize`: nobody above
 * has to count bytes again.
 */
export interface HttpRequestBodyFeature {
  /** The declared body length, or -1 when unknown (chunked, or HTTP/2 without content-length). */
  readonly requestContentLength: number;
  /** False when the request has no body at all (no Content-Length/TE, or Content-Length: 0). */
  readonly requestHasBody: boolean;
  /**
   * The largest body this request may have; starts at the endpoint's limit and may be changed
   * (raised or lowered) before the body is first read. `Infinity` turns the limit off.
   */
  maxRequestBodySize: number;
  /**
   * The next chunk of the request body, or null at its end. Sends `100 Continue` first when the
   * client asked for it. Rejects with an `HttpProtocolError` (413 too large, 408 too slow, 400 bad
   * framing) or a `ConnectionAbortedError` when the client goes away.
   */
  readBody(): Promise<Buffer | null>;
  /**
   * Writes the rest of the body into `sink` as it arrives, in the protocol's read callback, as
   * `readable.pipe()` does: no promise per chunk, and no chunk waits in a queue for the reader.
   * While `sink.write` refuses (the client is not taking the response), the protocol stops
   * reading. Resolves at the body's end; rejects as `readBody` does, or with what `sink.write`
   * threw. Optional: a body feature a middleware puts in front (decompression) reads chunk by chunk.
   */
  pipeBody?(sink: BodySink): Promise<void>;
}
export const HttpRequestBodyFeature = new FeatureKey<HttpRequestBodyFeature>('http.request-body');
