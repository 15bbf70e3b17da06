import { FeatureKey } from '../../../connection/index.js';
import type { RequestHeaders } from '../request-headers.js';

/** Trailer fields after the request body (Kestrel's `IHttpRequestTrailersFeature`). */
export interface HttpRequestTrailersFeature {
  /**
   * The request's trailer fields (after a chunked HTTP/1.1 body, or the HTTP/2 trailing HEADERS),
   * or null when the client sent none. Read the body to its end first: until then it may be null.
   */
  readonly requestTrailers: RequestHeaders | null;
}
export const HttpRequestTrailersFeature = new FeatureKey<HttpRequestTrailersFeature>('http.request-trailers');
