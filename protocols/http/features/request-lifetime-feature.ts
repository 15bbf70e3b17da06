import { FeatureKey } from '../../../connection/index.js';

/** The request's lifetime (Kestrel's `IHttpRequestLifetimeFeature`). */
export interface HttpRequestLifetimeFeature {
  /** Fires when the client goes away or the exchange is aborted before the response ended. */
  readonly aborted: AbortSignal;
  /** Abandons the exchange: the response cannot be completed, so the stream or connection is closed. */
  abort(reason?: unknown): void;
}
export const HttpRequestLifetimeFeature = new FeatureKey<HttpRequestLifetimeFeature>('http.request-lifetime');
