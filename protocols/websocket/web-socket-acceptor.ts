import { ConnectionAbortedError } from '../../connection/index.js';
import type { HeaderList, UpgradedConnection } from '../http/index.js';
import { createBoundedWebSocket, type BoundedWebSocket } from './bounded-web-socket.js';
import { WebSocketRejection, setAcceptHeaders, type WebSocketOffer } from './web-socket-handshake.js';
import { negotiateExtensions, openSocket } from './ws-bridge.js';

/** What a socket is made with (the request pipeline's `ResolvedWebSocketOptions` and peer limits). */
export interface WebSocketSocketOptions {
  readonly maxPayload: number;
  /** ws's `perMessageDeflate` options, or false for no compression. */
  readonly perMessageDeflate: false | Readonly<Record<string, unknown>>;
  readonly maxBufferedAmount: number;
  readonly closeTimeoutMs: number;
  readonly maxFragments: number;
  readonly maxBufferedChunks: number;
  readonly maxPendingAutoPongs: number;
}

/**
 * Sends the protocol's answer and hands over the byte stream: `HttpUpgradeFeature.upgrade` (101)
 * or `HttpExtendedConnectFeature.accept` (200). It may throw (503) before anything is sent.
 */
export type WebSocketHandOff = () => UpgradedConnection;

/**
 * Completes a checked handshake and turns the stream into a ws socket, the same way whichever
 * protocol carried it: negotiates the extensions (permessage-deflate over HTTP/2 as over
 * HTTP/1.1), adds the WebSocket fields to the answer, lets the protocol send it and hand over its
 * stream, then sets a ws socket on that stream. Returns a rejection, before anything is sent,
 * when the extension offer cannot be accepted.
 */
export function acceptWebSocket(
  offer: WebSocketOffer,
  protocol: string | undefined,
  responseHeaders: HeaderList,
  handOff: WebSocketHandOff,
  options: WebSocketSocketOptions,
): BoundedWebSocket | WebSocketRejection {
  const negotiated = negotiateExtensions(offer.extensions, options.perMessageDeflate, options.maxPayload);
  if (negotiated === undefined) {
    return new WebSocketRejection('extensions-header', `Invalid or unacceptable Sec-WebSocket-Extensions header ${JSON.stringify(offer.extensions)}`);
  }
  setAcceptHeaders(responseHeaders, offer, protocol, negotiated.header);
  const { transport, head } = handOff();
  // Held until the app listens (see resumeAfterAccept); an HTTP/2 stream may be flowing.
  transport.pause();
  if (!transport.readable || !transport.writable) {
    // The client half-closed (or left) before the answer: there is nobody to speak to.
    transport.destroy();
    throw new ConnectionAbortedError('The WebSocket handshake could not complete: the client went away');
  }
  const socket = createBoundedWebSocket(
    { autoPong: true, maxPendingAutoPongs: options.maxPendingAutoPongs, closeTimeout: options.closeTimeoutMs },
    options.maxBufferedAmount,
  );
  openSocket(socket, transport, head, protocol, negotiated, options);
  resumeAfterAccept(socket, transport);
  return socket;
}

/**
 * The stream is handed over paused and ws never resumes it. Resuming at once would lose
 * messages: the flow starts on a nextTick, which runs before the app's `await accept()` continues,
 * so a message the client sent right after the handshake (or in the same packet, in `head`) would
 * be emitted before the app's 'message' listener exists. setImmediate runs after that continuation.
 * An app that called `ws.pause()` meanwhile resumes the socket itself, with `ws.resume()`.
 */
function resumeAfterAccept(socket: BoundedWebSocket, transport: import('node:stream').Duplex): void {
  setImmediate(() => {
    if (!socket.isPaused && !transport.destroyed) transport.resume();
  });
}
