import diagnosticsChannel from 'node:diagnostics_channel';
import type { ConnectionCloseKind, ConnectionContext } from './connection-context.js';
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
 * | `tiercel:tls.handshake.start` | `TlsHandshakeMessage` | the server side of a handshake begins |
 * | `tiercel:tls.handshake.end` | the same object, `error` or `protocol` set | it succeeded or failed |
 */
export const DiagnosticChannels = Object.freeze({
  connectionOpened: 'tiercel:connection.opened',
  connectionClosed: 'tiercel:connection.closed',
  connectionRejected: 'tiercel:connection.rejected',
  connectionUpgraded: 'tiercel:connection.upgraded',
  connectionUpgradeClosed: 'tiercel:connection.upgrade-closed',
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
   * Set when it closed, if its protocol said why it served no more (an HTTP/1.1 keep-alive end
   * reason such as 'keep-alive-timeout' or 'bad-request'), else undefined.
   */
  endReason?: string;
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
export const tlsHandshakeStartChannel = diagnosticsChannel.channel(DiagnosticChannels.tlsHandshakeStart);
export const tlsHandshakeEndChannel = diagnosticsChannel.channel(DiagnosticChannels.tlsHandshakeEnd);

// Kept only while someone listens to `closed`: the protocol says why before the transport closes,
// and the server, which publishes, knows nothing of protocols.
const endReasons = new WeakMap<ConnectionContext, string>();

/**
 * The protocol's reason for ending the connection, published with `tiercel:connection.closed`.
 * The first reason given is kept. Costs nothing while nobody listens to that channel.
 */
export function setConnectionEndReason(connection: ConnectionContext, reason: string): void {
  if (connectionClosedChannel.hasSubscribers && !endReasons.has(connection)) endReasons.set(connection, reason);
}

/** What `setConnectionEndReason` recorded for `connection`, if anything. */
export function connectionEndReason(connection: ConnectionContext): string | undefined {
  return endReasons.get(connection);
}
