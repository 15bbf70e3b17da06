import { FeatureKey } from '../../../connection/index.js';
import type { UpgradedConnection } from './upgraded-connection.js';

/**
 * Leaving HTTP/1.1 on this connection (Kestrel's `IHttpUpgradeFeature`): an `Upgrade` request
 * (WebSocket, h2c, …) or a CONNECT. Offered by HTTP/1.x only.
 */
export interface HttpUpgradeFeature {
  /**
   * True for a request that may leave HTTP: an `Upgrade` request or a CONNECT. If the app answers
   * it with a normal response instead, the connection is closed after it.
   */
  readonly isUpgradableRequest: boolean;
  /** The `Upgrade` header, lower-cased (`websocket`, `h2c`); undefined for a CONNECT or a plain request. */
  readonly upgradeProtocol: string | undefined;
  /**
   * Answers `101 Switching Protocols` (a CONNECT: `200`) with the response headers set so far
   * (`connection: upgrade` and `upgrade: <upgradeProtocol>` are added when absent), then hands over
   * the raw transport and the bytes already read past the request. The server's HTTP limits and
   * timeouts stop applying; the connection counts as live until the transport closes. Over
   * `maxConcurrentUpgradedConnections` it throws an `HttpProtocolError` 503
   * (`ERR_TIERCEL_TOO_MANY_UPGRADES`) before anything is sent.
   */
  upgrade(): UpgradedConnection;
}
export const HttpUpgradeFeature = new FeatureKey<HttpUpgradeFeature>('http.upgrade');
