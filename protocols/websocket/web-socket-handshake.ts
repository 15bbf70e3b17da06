import { isToken, type HeaderList, type RequestHeaders } from '../http/index.js';

/**
 * Why a handshake is refused before anything is sent. The request pipeline turns each into an
 * ordinary HTTP response (`WebSocketHandshakeError` maps them to codes and statuses).
 */
export type WebSocketRejectionReason = 'not-websocket' | 'method' | 'key' | 'version' | 'subprotocol-header' | 'extensions-header' | 'origin';

/** A refused handshake: returned, not thrown, so a caller maps it to its own error in one place. */
export class WebSocketRejection {
  constructor(
    readonly reason: WebSocketRejectionReason,
    readonly message: string,
  ) {}
}

/**
 * How the client asked for a WebSocket: the feature its protocol offered, not its version.
 * - `upgrade`: RFC 6455 over an HTTP/1.1 `Upgrade` (a GET with a key, answered with a 101);
 * - `extended-connect`: RFC 8441 over an HTTP/2 extended CONNECT (no key, answered with a 200).
 */
export type WebSocketOpeningKind = 'upgrade' | 'extended-connect';

/** A request that is a valid WebSocket handshake. */
export interface WebSocketOffer {
  readonly kind: WebSocketOpeningKind;
  /** The subprotocols the client offered, in its order of preference. */
  readonly protocols: readonly string[];
  /** `Sec-WebSocket-Key` (the `upgrade` kind only). */
  readonly key: string | undefined;
  /** `Sec-WebSocket-Extensions` as sent, negotiated when the socket is opened. */
  readonly extensions: string | undefined;
}

/** What a client that offered no subprotocol offered: shared, not an empty array per handshake. */
const NO_PROTOCOLS: readonly string[] = Object.freeze([]);

// RFC 6455 §4.1: the key is 16 random bytes in base64, so exactly 22 characters and '=='.
const KEY = /^[+/0-9A-Za-z]{22}==$/;
// RFC 6455 §1.3: the GUID the key is hashed with.
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function reject(reason: WebSocketRejectionReason, message: string): WebSocketRejection {
  return new WebSocketRejection(reason, message);
}

/** True when an HTTP/1.1 `Upgrade` value (a list, RFC 9110 §7.8) names websocket. */
export function upgradeNamesWebSocket(upgrade: string | undefined): boolean {
  if (upgrade === undefined) return false;
  if (upgrade === 'websocket') return true;
  return upgrade.split(',').some((s) => s.trim() === 'websocket');
}

/**
 * Checks a WebSocket handshake — the only place it is checked: ws is handed a stream whose
 * handshake is done. `kind` says which feature carried the request (undefined: a plain request).
 */
export function readWebSocketOffer(kind: WebSocketOpeningKind | undefined, method: string, headers: RequestHeaders): WebSocketOffer | WebSocketRejection {
  if (kind === undefined) return reject('not-websocket', 'This endpoint speaks WebSocket only: send an Upgrade: websocket request');
  let key: string | undefined;
  if (kind === 'extended-connect') {
    // RFC 8441 §4: an extended CONNECT; there is no key (the stream is already the client's).
    if (method !== 'CONNECT') return reject('method', `A WebSocket over HTTP/2 is an extended CONNECT, not ${method}`);
  } else if (method !== 'GET') {
    return reject('method', `A WebSocket handshake is a GET, not ${method}`);
  }
  if (headers.get('sec-websocket-version') !== '13') return reject('version', 'Only WebSocket version 13 (RFC 6455) is supported');
  if (kind === 'upgrade') {
    key = headers.get('sec-websocket-key');
    if (key === undefined || !KEY.test(key)) return reject('key', 'Missing or invalid Sec-WebSocket-Key header');
  }
  const protocolHeader = headers.get('sec-websocket-protocol');
  const protocols = protocolHeader === undefined ? NO_PROTOCOLS : parseProtocols(protocolHeader);
  if (protocols === undefined) return reject('subprotocol-header', `Invalid Sec-WebSocket-Protocol header ${JSON.stringify(protocolHeader)}`);
  return { kind, protocols, key, extensions: headers.get('sec-websocket-extensions') };
}

export function isWebSocketRejection<T>(value: T | WebSocketRejection): value is WebSocketRejection {
  return value instanceof WebSocketRejection;
}

/** `Sec-WebSocket-Protocol`: a comma-separated list of distinct tokens (RFC 6455 §4.1). */
function parseProtocols(value: string): string[] | undefined {
  const out: string[] = [];
  for (const part of value.split(',')) {
    const p = part.trim();
    if (!isToken(p) || out.includes(p)) return undefined;
    out.push(p);
  }
  return out;
}

/**
 * The WebSocket fields of the answer (the 101 or the 200): `upgrade: websocket` and
 * `sec-websocket-accept` for an `upgrade` (RFC 6455 §4.2.2), the chosen subprotocol and the
 * negotiated extensions.
 */
export function setAcceptHeaders(into: HeaderList, offer: WebSocketOffer, protocol: string | undefined, extensions: string | undefined): void {
  if (offer.key !== undefined) {
    // The 101 names the one protocol switched to, whatever else the client's Upgrade listed.
    into.set('upgrade', 'websocket');
    // node:crypto is taken on the first handshake, not at import: an app without WebSockets (or TLS)
    // never loads it (test/hosting/lazy-loading.test.ts).
    // The one-shot hash: no Hash object (and its native state) per handshake.
    into.set('sec-websocket-accept', process.getBuiltinModule('node:crypto').hash('sha1', offer.key + GUID, 'base64'));
  }
  if (protocol !== undefined) into.set('sec-websocket-protocol', protocol);
  if (extensions !== undefined) into.set('sec-websocket-extensions', extensions);
}
