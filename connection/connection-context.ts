import type { Duplex } from 'node:stream';
import type { Endpoint } from './endpoint.js';
import { ConnectionAbortedError } from './errors.js';
import { FeatureCollection } from './features.js';
import { nextConnectionId } from './connection-id.js';

export interface ConnectionContextInit {
  transport: Duplex;
  localEndpoint: Endpoint;
  remoteEndpoint: Endpoint;
  features?: FeatureCollection;
  id?: string;
}

/**
 * One accepted connection as it passes through connection middleware to a protocol.
 *
 * `transport` is the byte stream the next layer reads and writes. Middleware may replace it
 * (TLS swaps it for the decrypted stream); whoever replaces it owns the old one's lifetime.
 * `closed` fires once, when the connection is aborted or the transport closes.
 */
export class ConnectionContext {
  readonly id: string;
  transport: Duplex;
  readonly localEndpoint: Endpoint;
  readonly remoteEndpoint: Endpoint;
  readonly features: FeatureCollection;
  #items: Map<unknown, unknown> | undefined;
  // The closed signal and its listeners are made on first use: an idle keep-alive connection
  // should cost as little as node:http's, and most never need an AbortController.
  #controller: AbortController | undefined;
  #closedReason: Error | undefined;
  #onClosed: ((reason: Error) => void)[] | undefined;
  readonly #original: Duplex;

  constructor(init: ConnectionContextInit) {
    this.id = init.id ?? nextConnectionId();
    this.transport = init.transport;
    this.#original = init.transport;
    this.localEndpoint = init.localEndpoint;
    this.remoteEndpoint = init.remoteEndpoint;
    this.features = init.features ?? new FeatureCollection();
    if (init.transport.destroyed) this.#markClosed(new ConnectionAbortedError('The connection was closed'));
    else init.transport.once('close', () => this.#markClosed(new ConnectionAbortedError('The connection was closed')));
  }

  /** Per-connection state shared between middleware, keyed by anything. */
  get items(): Map<unknown, unknown> {
    return (this.#items ??= new Map());
  }

  /** Fires when the connection ends for any reason; `closed.reason` says why. */
  get closed(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#closedReason !== undefined) this.#controller.abort(this.#closedReason);
    }
    return this.#controller.signal;
  }

  /** True once the connection has ended (the cheap form of `closed.aborted`). */
  get isClosed(): boolean {
    return this.#closedReason !== undefined;
  }

  /**
   * Calls `listener` once when the connection ends (at once if it has): the cheap form of
   * `closed.addEventListener('abort', …)`, with no AbortController behind it.
   */
  onClosed(listener: (reason: Error) => void): void {
    if (this.#closedReason !== undefined) listener(this.#closedReason);
    else (this.#onClosed ??= []).push(listener);
  }

  #markClosed(reason: Error): void {
    if (this.#closedReason !== undefined) return;
    this.#closedReason = reason;
    this.#controller?.abort(reason);
    const listeners = this.#onClosed;
    this.#onClosed = undefined;
    if (listeners !== undefined) for (const l of listeners) l(reason);
  }

  /**
   * Ends the connection now, without a graceful close: the transport (and the one it replaced,
   * if middleware swapped it) is destroyed and `closed` fires with the reason.
   */
  abort(reason?: unknown): void {
    const error = reason instanceof Error ? reason : new ConnectionAbortedError(reason === undefined ? undefined : String(reason));
    this.#markClosed(error);
    if (!this.transport.destroyed) this.transport.destroy();
    if (this.#original !== this.transport && !this.#original.destroyed) this.#original.destroy();
  }

  /**
   * Closes the connection gracefully: ends the writable side (flushing what is queued), reads and
   * drops what the peer still sends, and destroys the transport when the peer ends too or after
   * `lingerMs`. Closing at once could make the kernel answer late input with a reset that
   * destroys the response the peer has not read yet (the reason for nginx's lingering close).
   */
  close(lingerMs = 1_000): void {
    const t = this.transport;
    if (t.destroyed) {
      if (this.#original !== t && !this.#original.destroyed) this.#original.destroy();
      return;
    }
    if (!t.writableEnded) t.end();
    // Drain what the peer still sends so its FIN can arrive, but never let it hold us forever.
    t.resume();
    const timer = setTimeout(() => this.abort(new ConnectionAbortedError('The peer did not close in time')), lingerMs);
    timer.unref();
    const done = (): void => {
      clearTimeout(timer);
      if (this.#original !== t && !this.#original.destroyed) this.#original.destroy();
    };
    t.once('close', done);
    // A stream that ended both ways but does not auto-destroy still has to go.
    t.once('end', () => {
      if (t.writableFinished) t.destroy();
      else t.once('finish', () => t.destroy());
    });
  }
}
