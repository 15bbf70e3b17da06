import { FeatureKey } from '../../../connection/index.js';
import type { HeaderList } from '../header-list.js';

/**
 * `103 Early Hints` (RFC 8297): an interim response, sent before the final one, whose fields
 * (mostly `Link: <…>; rel=preload`) let the client start fetching while the server is still
 * working — what replaced HTTP/2 server push. Offered by HTTP/2 and by HTTP/1.1, not to an
 * HTTP/1.0 client (RFC 9110 §15.2: no 1xx to HTTP/1.0).
 */
export interface HttpEarlyHintsFeature {
  /**
   * Sends a 103 with `fields` now. Returns false, sending nothing, once the final response's head
   * has been sent or the exchange has ended (a hint after the answer means nothing).
   */
  sendEarlyHints(fields: HeaderList): boolean;
}
export const HttpEarlyHintsFeature = new FeatureKey<HttpEarlyHintsFeature>('http.early-hints');
