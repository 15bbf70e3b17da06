import { FeatureKey } from '../../../connection/index.js';
import type { UpgradedConnection } from './upgraded-connection.js';

/**
 * A CONNECT on an HTTP/2 stream (Kestrel's `IHttpExtendedConnectFeature`): RFC 8441's extended
 * CONNECT (`:protocol`, e.g. WebSocket) or a plain tunnel. Offered by HTTP/2 only.
 */
export interface HttpExtendedConnectFeature {
  /** True for a CONNECT with a `:protocol` (RFC 8441). */
  readonly isExtendedConnect: boolean;
  /** The `:protocol` asked for, lower-cased (`websocket`); undefined for a plain CONNECT. */
  readonly connectProtocol: string | undefined;
  /**
   * Answers `200` with the response headers set so far and hands over the stream (empty `head`).
   * The stream's HTTP limits stop applying; over `maxConcurrentUpgradedConnections` it throws an
   * `HttpProtocolError` 503 (`ERR_TIERCEL_TOO_MANY_UPGRADES`) before anything is sent.
   */
  accept(): UpgradedConnection;
}
export const HttpExtendedConnectFeature = new FeatureKey<HttpExtendedConnectFeature>('http.extended-connect');
