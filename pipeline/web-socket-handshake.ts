import { isToken, type HttpExchange } from '../protocols/http/index.js';
import { WebSocketHandshakeError } from './web-socket-errors.js';
import { normalizeOrigin, type ResolvedWebSocketOptions } from './web-socket-options.js';

/** What a valid handshake asked for. */
export interface WebSocketHandshake {
  /** The subprotocols the client offered, in its order of preference. */
  readonly protocols: readonly string[];
}

// RFC 6455 §4.1: the key is 16 random bytes in base64, so exactly 22 characters and '=='.
const KEY = /^[+/0-9A-Za-z]{22}==$/;

/** True when the exchange asks for WebSocket: HTTP/1.1 `Upgrade: websocket`, or HTTP/2 `:protocol = websocket`. */
export function isWebSocketRequest(ex: HttpExchange): boolean {
  const p = ex.upgradeProtocol;
  if (p === undefined || !ex.isUpgradeRequest) return false;
  if (p === 'websocket') return true;
  // `Upgrade` may list several protocols (RFC 9110 §7.8).
  return p.split(',').some((s) => s.trim() === 'websocket');
}

/**
 * Checks a WebSocket handshake before anything is sent, so that every refusal is an ordinary HTTP
 * response (thrown as a `WebSocketHandshakeError`) rather than bytes ws writes on a detached socket.
 * The checks are ws's own (ws would repeat them), plus the origin policy.
 */
export function validateHandshake(ex: HttpExchange, options: ResolvedWebSocketOptions): WebSocketHandshake {
  if (!isWebSocketRequest(ex)) throw new WebSocketHandshakeError('not-websocket', 'This endpoint speaks WebSocket only: send an Upgrade: websocket request');
  const h2 = ex.protocol === 'HTTP/2';
  const headers = ex.headers;
  if (h2) {
    // RFC 8441 §4: an extended CONNECT; there is no key (the stream is already the client's).
    if (ex.method !== 'CONNECT') throw new WebSocketHandshakeError('method', `A WebSocket over HTTP/2 is an extended CONNECT, not ${ex.method}`);
  } else {
    if (ex.method !== 'GET') throw new WebSocketHandshakeError('method', `A WebSocket handshake is a GET, not ${ex.method}`);
  }
  if (headers.get('sec-websocket-version') !== '13') {
    throw new WebSocketHandshakeError('version', 'Only WebSocket version 13 (RFC 6455) is supported');
  }
  if (!h2) {
    const key = headers.get('sec-websocket-key');
    if (key === undefined || !KEY.test(key)) throw new WebSocketHandshakeError('key', 'Missing or invalid Sec-WebSocket-Key header');
  }
  const protocols = parseProtocols(headers.get('sec-websocket-protocol'));
  checkOrigin(headers.get('origin'), headers.get('host') ?? headers.get(':authority'), options.allowedOrigins);
  return { protocols };
}

/** `Sec-WebSocket-Protocol`: a comma-separated list of distinct tokens (RFC 6455 §4.1). */
function parseProtocols(value: string | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  for (const part of value.split(',')) {
    const p = part.trim();
    if (!isToken(p) || out.includes(p)) {
      throw new WebSocketHandshakeError('subprotocol-header', `Invalid Sec-WebSocket-Protocol header ${JSON.stringify(value)}`);
    }
    out.push(p);
  }
  return out;
}

function checkOrigin(origin: string | undefined, host: string | undefined, allowed: ResolvedWebSocketOptions['allowedOrigins']): void {
  // No Origin: not a browser, so no page can be riding on the user's cookies (CSWSH needs a browser).
  if (origin === undefined || allowed === '*') return;
  const normalized = normalizeOrigin(origin);
  if (normalized !== undefined) {
    if (allowed === 'same-origin') {
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
