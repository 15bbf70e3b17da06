import { ConnectionAbortedError, TransportFeature, type ConnectionContext } from '../../connection/index.js';
import type { HeaderList, UpgradedConnection } from '../http/index.js';
import type { Duplex } from 'node:stream';
import { createBoundedWebSocket, type BoundedWebSocket, type BoundedWebSocketOptions } from './bounded-web-socket.js';
import { WebSocketRejection, setAcceptHeaders, type WebSocketOffer } from './web-socket-handshake.js';
import { negotiateExtensions, openSocket, socketSetup, type SocketSetup } from './ws-bridge.js';

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
 * or `HttpExtendedConnectFeature.accept` (200) called on `from`, the feature. It may throw (503)
 * before anything is sent. A shared function and the feature, not a closure per handshake.
 */
export type WebSocketHandOff<F> = (from: F) => UpgradedConnection;

/** What every socket made with one `WebSocketSocketOptions` is given: made once, not per socket. */
interface SocketSettings {
  readonly construct: BoundedWebSocketOptions;
  readonly setup: SocketSetup;
}

const settingsOf = new WeakMap<WebSocketSocketOptions, SocketSettings>();

function settings(options: WebSocketSocketOptions): SocketSettings {
  let made = settingsOf.get(options);
  if (made === undefined) {
    made = {
      construct: { autoPong: true, maxPendingAutoPongs: options.maxPendingAutoPongs, closeTimeout: options.closeTimeoutMs },
      setup: socketSetup(options),
    };
    settingsOf.set(options, made);
  }
  return made;
}

/**
 * Completes a checked handshake and turns the stream into a ws socket, the same way whichever
 * protocol carried it: negotiates the extensions (permessage-deflate over HTTP/2 as over
 * HTTP/1.1), adds the WebSocket fields to the answer, lets the protocol send it and hand over its
 * stream, then sets a ws socket on that stream. Returns a rejection, before anything is sent,
 * when the extension offer cannot be accepted. `connection` is the connection whose own transport
 * the protocol hands over (HTTP/1.1's upgrade), if it does.
 */
export function acceptWebSocket<F>(
  offer: WebSocketOffer,
  protocol: string | undefined,
  responseHeaders: HeaderList,
  handOff: WebSocketHandOff<F>,
  from: F,
  options: WebSocketSocketOptions,
  connection?: ConnectionContext,
): BoundedWebSocket | WebSocketRejection {
  const negotiated = negotiateExtensions(offer.extensions, options.perMessageDeflate, options.maxPayload);
  if (negotiated === undefined) {
    return new WebSocketRejection('extensions-header', `Invalid or unacceptable Sec-WebSocket-Extensions header ${JSON.stringify(offer.extensions)}`);
  }
  setAcceptHeaders(responseHeaders, offer, protocol, negotiated.header);
  const { transport, head } = handOff(from);
  // Held until the app listens (see resumeAfterAccept); an HTTP/2 stream may be flowing.
  transport.pause();
  if (!transport.readable || !transport.writable) {
    // The client half-closed (or left) before the answer: there is nobody to speak to.
    transport.destroy();
    throw new ConnectionAbortedError('The WebSocket handshake could not complete: the client went away');
  }
  const made = settings(options);
  const ws = createBoundedWebSocket(made.construct, options.maxBufferedAmount);
  openSocket(ws, transport, head, protocol, negotiated, made.setup);
  let isSocket = false;
  if (connection !== undefined && transport === connection.transport) {
    // ws listens to the transport's errors now.
    connection.yieldTransportErrors();
    isSocket = transport === connection.acceptedTransport && connection.features.get(TransportFeature)?.isSocket === true;
  }
  resumeAfterAccept(ws, transport, isSocket);
  return ws;
}

/**
 * The stream is handed over paused and ws never resumes it. Resuming at once could lose messages:
 * the flow starts on a nextTick, which runs before the app's `await accept()` continues, so a
 * message already read (in the same packet as the handshake, in `head`), or one a stream pushes
 * before that continuation, would be emitted before the app's 'message' listener exists.
 * setImmediate runs after that continuation. An app that called `ws.pause()` meanwhile resumes the
 * socket itself, with `ws.resume()`.
 *
 * The connection's own socket (`isSocket`: the `net.Socket` its listener accepted,
 * `TransportFeature.isSocket`, with no TLS or other stream in between) with nothing read
 * ahead is resumed at once: it pushes only from a read of its own, a later I/O callback, which
 * comes after every microtask of this one (the app's continuation included). The Immediate, and
 * the nextTick drain of its own that the resume then made, were ~450 bytes per WebSocket. TLS can
 * push several records from one read, HTTP/2 and in-memory streams push as they please: they wait
 * for setImmediate.
 */
function resumeAfterAccept(socket: BoundedWebSocket, transport: Duplex, isSocket: boolean): void {
  if (isSocket && transport.readableLength === 0) {
    transport.resume();
    return;
  }
  // The arguments are passed, not closed over: no closure and context per socket.
  setImmediate(resumeIfUnpaused, socket, transport);
}

function resumeIfUnpaused(socket: BoundedWebSocket, transport: Duplex): void {
  if (!socket.isPaused && !transport.destroyed) transport.resume();
}
