import { FeatureKey } from '../../../connection/index.js';
import type { HeaderList } from '../header-list.js';

/** The response's status and head (Kestrel's `IHttpResponseFeature`). */
export interface HttpResponseFeature {
  statusCode: number;
  /** Headers to send; validated as they are set (CR, LF and NUL are refused). */
  readonly responseHeaders: HeaderList;
  /** True once the status line and headers have been handed to the transport. */
  readonly headersSent: boolean;
}
export const HttpResponseFeature = new FeatureKey<HttpResponseFeature>('http.response');
