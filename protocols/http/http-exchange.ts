import type { FeatureKey } from '../../connection/index.js';
import type {
  HttpRequestBodyFeature,
  HttpRequestFeature,
  HttpRequestLifetimeFeature,
  HttpResponseBodyFeature,
  HttpResponseFeature,
} from './features/index.js';

export type { HttpProtocolName, UpgradedConnection } from './features/index.js';

/**
 * One request and its response, as a protocol (HTTP/1.1 or HTTP/2) presents it to the request
 * pipeline: the seam between protocols/ and pipeline/. It is made of small feature contracts, as
 * Kestrel's is. Every exchange has the core ones (request, request body, response, response body,
 * lifetime) as members; the rest a protocol offers or not, and the layers above ask for them with
 * `feature(Key)`, never for a protocol version:
 *
 * | feature | HTTP/1.x | HTTP/2 |
 * |---|---|---|
 * | `HttpRequestTrailersFeature`, `HttpResponseTrailersFeature` | yes | yes |
 * | `HttpMinRequestBodyDataRateFeature` | yes | yes |
 * | `HttpUpgradeFeature` (101 / CONNECT 200, then the raw transport) | yes | no |
 * | `HttpExtendedConnectFeature` (RFC 8441: 200, then the stream) | no | yes |
 * | `HttpEarlyHintsFeature` (`103 Early Hints`, RFC 8297) | HTTP/1.1 (not 1.0) | yes |
 */
export interface HttpExchange
  extends HttpRequestFeature,
    HttpRequestBodyFeature,
    HttpResponseFeature,
    HttpResponseBodyFeature,
    HttpRequestLifetimeFeature {
  /** The feature this exchange offers under `key`, or undefined when its protocol has none. */
  feature<T>(key: FeatureKey<T>): T | undefined;
  /**
   * The route template a router matched, as a full path (`/api/users/:id`), or undefined: what
   * metrics report as `http.route` (the pipeline sets it when `ctx.route` is set).
   */
  route: string | undefined;
}

/**
 * What a protocol adapter runs for each request. Sync-first: a handler that finishes synchronously
 * returns undefined and costs no promise; only a returned promise is awaited. When it returns (or
 * its promise settles), the protocol completes the response: ends it if it is still open, answers
 * 500 if it threw before anything was sent, aborts the exchange otherwise.
 */
export interface HttpApplication {
  handle(exchange: HttpExchange): void | Promise<void>;
}
