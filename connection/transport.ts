import type { ConnectionContext } from './connection-context.js';
import type { Endpoint } from './endpoint.js';

/**
 * Options every transport understands, under the same names. Transports may add their own.
 * Defaults are Kestrel's: 1 MiB of unread input and 64 KiB of unsent output per connection.
 */
export interface TransportOptions {
  /**
   * Bytes a connection buffers from the peer before it stops reading (backpressure to the peer).
   * Default 1 MiB (Kestrel's `MaxRequestBufferSize`).
   */
  maxReadBufferSize?: number;
  /**
   * Bytes a connection queues for the peer before `write()` returns false.
   * Default 64 KiB (Kestrel's `MaxResponseBufferSize`).
   */
  maxWriteBufferSize?: number;
}

export const DEFAULT_MAX_READ_BUFFER_SIZE = 1024 * 1024;
export const DEFAULT_MAX_WRITE_BUFFER_SIZE = 64 * 1024;

/**
 * A source of connections. A transport claims endpoints with `canBind`; when several can, the
 * last one registered wins (so a user's transport overrides a built-in one).
 */
export interface Transport {
  readonly name: string;
  canBind(endpoint: Endpoint): boolean;
  bind(endpoint: Endpoint, options?: TransportOptions): Promise<ConnectionListener>;
}

/**
 * A bound endpoint. `accept()` resolves with the next connection, or with null once the listener
 * is unbound: null ends the accept loop, it is never an error.
 */
export interface ConnectionListener {
  /** The endpoint actually bound (port 0 resolved to the real port). */
  readonly endpoint: Endpoint;
  accept(): Promise<ConnectionContext | null>;
  /**
   * Optional, in place of `accept`: hands `sink` every connection as it is accepted (those already
   * waiting at once), then null once unbound. The server uses it when a listener has it: no promise
   * and no await per connection. A listener given a sink is not also asked to `accept`.
   */
  acceptEach?(sink: (ctx: ConnectionContext | null) => void): void;
  /** Stops accepting new connections; connections already accepted live on. */
  unbind(): Promise<void>;
  /** Unbinds and releases everything the listener holds. */
  dispose(): Promise<void>;
}
