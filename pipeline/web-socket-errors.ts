import { TiercelError } from '../connection/index.js';
import type { WebSocketRejectionReason } from '../protocols/websocket/index.js';
import { HttpError } from './http-error.js';

/**
 * Why a WebSocket handshake was refused before the `101` (or HTTP/2's `200`). Each reason has a stable
 * code and a status; the pipeline sends it as an ordinary response when the app does not catch it.
 *
 * | reason | code | status |
 * |---|---|---|
 * | `not-websocket` | `ERR_TIERCEL_WS_NOT_WEBSOCKET` | 426 + `upgrade: websocket` (a plain request to a WebSocket route) |
 * | `method` | `ERR_TIERCEL_WS_BAD_METHOD` | 400 (RFC 6455 §4.2.1: GET; RFC 8441: CONNECT) |
 * | `key` | `ERR_TIERCEL_WS_BAD_KEY` | 400 (`Sec-WebSocket-Key` missing or not 16 bytes of base64) |
 * | `version` | `ERR_TIERCEL_WS_BAD_VERSION` | 426 + `sec-websocket-version: 13` (RFC 6455 §4.4) |
 * | `subprotocol-header` | `ERR_TIERCEL_WS_BAD_SUBPROTOCOL_HEADER` | 400 (`Sec-WebSocket-Protocol` is not a token list) |
 * | `extensions-header` | `ERR_TIERCEL_WS_BAD_EXTENSIONS_HEADER` | 400 (`Sec-WebSocket-Extensions` unparsable, or a deflate offer that cannot be accepted) |
 * | `origin` | `ERR_TIERCEL_WS_ORIGIN_REFUSED` | 403 (see `WebSocketOptions.allowedOrigins`) |
 *
 * Once open, a socket closes with these codes (RFC 6455 §7.4.1), which ws sends and tiercel chooses:
 * - 1000 Normal Closure: either side closed on purpose.
 * - 1001 Going Away: the server is shutting down (the connection's `LifetimeFeature` asked it to close).
 * - 1002 Protocol Error / 1007 Invalid Payload (bad UTF-8): the client broke the framing rules (ws).
 * - 1006 Abnormal Closure (never sent, only reported): the transport died; the keep-alive terminated
 *   a peer that missed a pong; a close handshake outlived `closeTimeoutMs`; ws terminated a peer
 *   with too many unflushed automatic pongs (a ping flood).
 * - 1008 Policy Violation: the peer is not reading (over `maxBufferedAmount` queued for it, see
 *   `WebSocketBufferFullError`), or (ws) a message in too many fragments.
 * - 1009 Message Too Big: a message larger than `maxPayload`.
 */
export type { WebSocketRejectionReason };

const REJECTIONS: Readonly<Record<WebSocketRejectionReason, { code: string; status: number; headers?: Record<string, string> }>> = {
  'not-websocket': { code: 'ERR_TIERCEL_WS_NOT_WEBSOCKET', status: 426, headers: { upgrade: 'websocket' } },
  method: { code: 'ERR_TIERCEL_WS_BAD_METHOD', status: 400 },
  key: { code: 'ERR_TIERCEL_WS_BAD_KEY', status: 400 },
  version: { code: 'ERR_TIERCEL_WS_BAD_VERSION', status: 426, headers: { 'sec-websocket-version': '13' } },
  'subprotocol-header': { code: 'ERR_TIERCEL_WS_BAD_SUBPROTOCOL_HEADER', status: 400 },
  'extensions-header': { code: 'ERR_TIERCEL_WS_BAD_EXTENSIONS_HEADER', status: 400 },
  origin: { code: 'ERR_TIERCEL_WS_ORIGIN_REFUSED', status: 403 },
};

/** The request is not an acceptable WebSocket handshake; thrown by `accept()` before anything is sent. */
export class WebSocketHandshakeError extends HttpError {
  constructor(
    readonly reason: WebSocketRejectionReason,
    message: string,
  ) {
    const r = REJECTIONS[reason];
    super(r.status, message, { code: r.code, headers: r.headers });
  }
}

/**
 * `accept({ protocol })` named a subprotocol the client did not offer. A 400: the client and this
 * endpoint share no subprotocol (check `requestedProtocols` first to answer differently).
 */
export class WebSocketSubprotocolError extends HttpError {
  constructor(
    readonly protocol: string,
    readonly offered: readonly string[],
  ) {
    super(
      400,
      offered.length === 0
        ? `The WebSocket client offered no subprotocol, and this endpoint requires '${protocol}'`
        : `The WebSocket client offered ${offered.map((p) => `'${p}'`).join(', ')}, not '${protocol}'`,
      { code: 'ERR_TIERCEL_WS_SUBPROTOCOL_NOT_OFFERED' },
    );
  }
}

/** `accept()` was called twice, or after the response started: an app bug, so a 500. */
export class WebSocketAcceptError extends TiercelError {
  constructor(message: string) {
    super('ERR_TIERCEL_WS_ACCEPT', message);
  }
}

export { WebSocketBufferFullError } from '../protocols/websocket/index.js';
