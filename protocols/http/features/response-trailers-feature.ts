import { FeatureKey } from '../../../connection/index.js';
import type { HeaderList } from '../header-list.js';

/** Trailer fields sent after the response body (Kestrel's `IHttpResponseTrailersFeature`). */
export interface HttpResponseTrailersFeature {
  /** Sent after a chunked HTTP/1.1 body, or as HTTP/2 trailers. */
  readonly responseTrailers: HeaderList;
}
export const HttpResponseTrailersFeature = new FeatureKey<HttpResponseTrailersFeature>('http.response-trailers');
