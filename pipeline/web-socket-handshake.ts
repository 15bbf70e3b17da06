import { HttpExtendedConnectFeature, HttpUpgradeFeature, type HttpExchange } from '../protocols/http/index.js';
import { upgradeNamesWebSocket, type WebSocketOpeningKind } from '../protocols/websocket/index.js';
import { WebSocketHandshakeError } from './web-socket-errors.js';
import { normalizeOrigin, type ResolvedWebSocketOptions } from './web-socket-options.js';

/**
 * How the exchange asks for a WebSocket, from the features its protocol offers (never its
 * version): an HTTP/1.1 `Upgrade: websocket`, or an HTTP/2 extended CONNECT with `:protocol =
 * websocket`; undefined when it does not.
 */
export function webSocketOpeningOf(ex: HttpExchange): WebSocketOpeningKind | undefined {
  const connect = ex.feature(HttpExtendedConnectFeature);
  if (connect !== undefined) return connect.isExtendedConnect && connect.connectProtocol === 'websocket' ? 'extended-connect' : undefined;
  const upgrade = ex.feature(HttpUpgradeFeature);
  if (upgrade !== undefined && upgrade.isUpgradableRequest && upgradeNamesWebSocket(upgrade.upgradeProtocol)) return 'upgrade';
  return undefined;
}

/**
 * The app's origin policy (`WebSocketOptions.allowedOrigins`), the one check the pipeline adds to
 * the handshake (protocols/websocket checks the rest, once).
 */
export function checkOrigin(ex: HttpExchange, options: ResolvedWebSocketOptions): void {
  const headers = ex.headers;
  const origin = headers.get('origin');
  const allowed = options.allowedOrigins;
  // No Origin: not a browser, so no page can be riding on the user's cookies (CSWSH needs a browser).
  if (origin === undefined || allowed === '*') return;
  const normalized = normalizeOrigin(origin);
  if (normalized !== undefined) {
    if (allowed === 'same-origin') {
      // HTTP/2's :authority is presented as `host` (protocols/http2), so this serves both versions.
      const host = headers.get('host');
      if (host !== undefined && sameHost(normalized, host)) return;
    } else if (allowed.has(normalized)) {
      return;
    }
  }
  throw new WebSocketHandshakeError('origin', `Origin ${JSON.stringify(origin)} may not open a WebSocket here`);
}

/** The origin's host[:port] against the Host header, with the origin's scheme deciding the default port. */
function sameHost(origin: string, host: string): boolean {
  const scheme = origin.slice(0, origin.indexOf(':'));
  // ws:// and wss:// origins do not occur (browsers send the page's origin), but map them anyway.
  const web = scheme === 'wss' ? 'https' : scheme === 'ws' ? 'http' : scheme;
  try {
    return new URL(origin).host === new URL(`${web}://${host}`).host;
  } catch {
    return false;
  }
}
