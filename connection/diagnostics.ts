import diagnosticsChannel from 'node:diagnostics_channel';
import type { ConnectionCloseKind, ConnectionContext } from './connection-context.js';
import type { ConnectionEndReason } from './connection-end-reason.js';
import type { Endpoint } from './endpoint.js';

/**
 * The connection events tiercel publishes on `node:diagnostics_channel`, for metrics, APM agents
 * and anyone else (`diagnostics_channel.subscribe('tiercel:connection.opened', fn)`). A publisher
 * checks `hasSubscribers` before it builds a message, so with nobody listening an event costs one
 * property read.
 *
 * | channel | message | when |
 * |---|---|---|
 * | `tiercel:connection.opened` | `ConnectionMessage` | the server took the connection from its listener |
 * | `tiercel:connection.closed` | the same object, `closeKind` and `endReason` set | the connection's transport closed |
 * | `tiercel:connection.rejected` | `ConnectionRejectedMessage` | closed at once: `maxConcurrentConnections` |
 * | `tiercel:connection.upgraded` | `ConnectionUpgradeMessage` | a request took the connection (or stream) out of HTTP |
 * | `tiercel:connection.upgrade-closed` | the same object | that upgraded connection (or stream) closed |
 * | `tiercel:connection.queue` | `ConnectionQueueMessage` (one per listener, `depth` updated) | a listener's accept queue grew or shrank |
 * | `tiercel:connection.protocol` | `ConnectionProtocolMessage` | the HTTP terminal chose the connection's protocol (ALPN or the sniff) |
 * | `tiercel:tls.handshake.start` | `TlsHandshakeMessage` | the server side of a handshake begins |
 * | `tiercel:tls.handshake.end` | the same object, `error` or `protocol` set | it succeeded or failed |
 */
export const DiagnosticChannels = Object.freeze({
  connectionOpened: 'tiercel:connection.opened',
  connectionClosed: 'tiercel:connection.closed',
  connectionRejected: 'tiercel:connection.rejected',
  connectionUpgraded: 'tiercel:connection.upgraded',
  connectionUpgradeClosed: 'tiercel:connection.upgrade-closed',
  connectionQueue: 'tiercel:connection.queue',
  connectionProtocol: 'tiercel:connection.protocol',
  tlsHandshakeStart: 'tiercel:tls.handshake.start',
  tlsHandshakeEnd: 'tiercel:tls.handshake.end',
} as const);

/** A connection the server runs, from `opened` to `closed` (one object for both). */
export interface ConnectionMessage {
  readonly connection: ConnectionContext;
  /** The endpoint the listener is bound to (port 0 resolved), not the socket's local address. */
  readonly endpoint: Endpoint;
  /** `performance.now()` when it was opened. */
  readonly startTime: number;
  /** Set when it closed: 'end' (graceful) or 'abort'. */
  closeKind?: ConnectionCloseKind;
  /**
   * Set when it closed: why (`CONNECTION_END_REASONS`), as its protocol or the server said, else
   * 'closed' or 'aborted' by `closeKind`.
   */
  endReason?: ConnectionEndReason;
}

export interface ConnectionRejectedMessage {
  readonly connection: ConnectionContext;
  readonly endpoint: Endpoint;
  /** Why it was closed at once; 'max-concurrent-connections' is the only reason today. */
  readonly reason: 'max-concurrent-connections';
}

export interface ConnectionUpgradeMessage {
  readonly connection: ConnectionContext;
}

/**
 * A listener's accept queue (Kestrel's `queued_connections`): connections the transport took from
 * the OS that the server's accept loop has not taken yet. One object per listener, its `depth`
 * updated before each publish: a subscriber reads it then, it does not keep it.
 */
export interface ConnectionQueueMessage {
  /** The listener's endpoint (port 0 resolved), as in `ConnectionMessage`. */
  readonly endpoint: Endpoint;
  /** Connections waiting now (dead ones included until the loop reaches them). */
  depth: number;
}

/** The protocol a connection speaks, published once, when the HTTP terminal hands it over. */
export interface ConnectionProtocolMessage {
  readonly connection: ConnectionContext;
  /** The protocol adapter's name: 'HTTP/1.1', 'HTTP/2', or a custom adapter's. */
  readonly protocol: string;
}

/** One TLS handshake, from `start` to `end` (one object for both). */
export interface TlsHandshakeMessage {
  readonly connection: ConnectionContext;
  /** `performance.now()` when it began. */
  readonly startTime: number;
  /** Set at `end` when the handshake failed (a `TlsHandshakeFailedError`, with its `reason`). */
  error?: Error;
  /** Set at `end` when it succeeded: the TLS version ('TLSv1.3'). */
  protocol?: string;
}

export const connectionOpenedChannel = diagnosticsChannel.channel(DiagnosticChannels.connectionOpened);
export const connectionClosedChannel = diagnosticsChannel.channel(DiagnosticChannels.connectionClosed);
export const connectionRejectedChannel = diagnosticsChannel.channel(DiagnosticChannels.connectionRejected);
export const connectionUpgradedChannel = diagnosticsChannel.channel(DiagnosticChannels.connectionUpgraded);
export const connectionUpgradeClosedChannel = diagnosticsChannel.channel(DiagnosticChannels.connectionUpgradeClosed);
export const connectionQueueChannel = diagnosticsChannel.channel(DiagnosticChannels.connectionQueue);
export const connectionProtocolChannel = diagnosticsChannel.channel(DiagnosticChannels.connectionProtocol);
export const tlsHandshakeStartChannel = diagnosticsChannel.channel(DiagnosticChannels.tlsHandshakeStart);
export const tlsHandshakeEndChannel = diagnosticsChannel.channel(DiagnosticChannels.tlsHandshakeEnd);

// Kept only while someone listens to `closed`: the protocol says why before the transport closes,
// and the server, which publishes, knows nothing of protocols.
const endReasons = new WeakMap<ConnectionContext, ConnectionEndReason>();

/**
 * The protocol's reason for ending the connection, published with `tiercel:connection.closed`.
 * The first reason given is kept. Costs nothing while nobody listens to that channel.
 */
export function setConnectionEndReason(connection: ConnectionContext, reason: ConnectionEndReason): void {
  if (connectionClosedChannel.hasSubscribers && !endReasons.has(connection)) endReasons.set(connection, reason);
}

/** What `setConnectionEndReason` recorded for `connection`, if anything. */
export function connectionEndReason(connection: ConnectionContext): ConnectionEndReason | undefined {
  return endReasons.get(connection);
}
