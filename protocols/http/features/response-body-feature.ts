import { FeatureKey } from '../../../connection/index.js';

/** Writing and ending the response body (Kestrel's `IHttpResponseBodyFeature`). */
export interface HttpResponseBodyFeature {
  /** True once the response has been ended (or aborted). */
  readonly responseEnded: boolean;
  /**
   * Body bytes the app has written so far (the count the content-length is checked against; for
   * a HEAD request, what the body would have been). For an access log: read it once the response has ended.
   */
  readonly bytesSent: number;
  /**
   * Writes a body chunk, sending the headers first if they are not sent yet (chunked when no
   * content-length was set). Returns false when the transport's buffer is full: wait for
   * `drain()` before writing more.
   */
  write(chunk: Buffer | string): boolean;
  /** Resolves when the transport can take more after `write` returned false (or has closed). */
  drain(): Promise<void>;
  /**
   * Ends the response, with an optional last chunk. When nothing was written before, this sets
   * `content-length` from `chunk` and sends head and body in one write. Throws when the response
   * cannot be ended as declared (a content-length the body does not match).
   */
  end(chunk?: Buffer | string): void;
  /**
   * Finishes the response whatever state it is in (Kestrel's `CompleteAsync`): ends it if it is
   * open, and aborts the exchange when it cannot be ended (the client must not take a short body
   * for a whole one). The one completion path: protocols call it when the app is done, and so may
   * the layers above. Never throws.
   */
  complete(): void;
}
export const HttpResponseBodyFeature = new FeatureKey<HttpResponseBodyFeature>('http.response-body');
