import { FeatureKey } from '../../../connection/index.js';
import type { MinDataRate } from '../http-limits.js';

/**
 * The minimum rate the request body must arrive at once the app reads it, for this request
 * (Kestrel's `IHttpMinRequestBodyDataRateFeature`). Starts at the endpoint's
 * `minRequestBodyDataRate`; null turns the check off (a long-poll upload, a slow device).
 */
export interface HttpMinRequestBodyDataRateFeature {
  minRequestBodyDataRate: MinDataRate | null;
}
export const HttpMinRequestBodyDataRateFeature = new FeatureKey<HttpMinRequestBodyDataRateFeature>('http.min-request-body-data-rate');
