// protocols/websocket/: turns a stream whose HTTP side is done (an HTTP/1.1 101 or an HTTP/2
// extended CONNECT's 200) into a ws socket. Checks the handshake once, negotiates
// permessage-deflate, and loads ws only when the first socket is accepted.
export {
  readWebSocketOffer,
  isWebSocketRejection,
  upgradeNamesWebSocket,
  setAcceptHeaders,
  type WebSocketOffer,
  type WebSocketOpeningKind,
  WebSocketRejection,
  type WebSocketRejectionReason,
} from './web-socket-handshake.js';
export { acceptWebSocket, type WebSocketHandOff, type WebSocketSocketOptions } from './web-socket-acceptor.js';
export type { BoundedWebSocket, WebSocketObserver } from './bounded-web-socket.js';
export { WebSocketBufferFullError } from './web-socket-errors.js';
