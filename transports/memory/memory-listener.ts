import {
  ConnectionContext,
  FeatureCollection,
  TransportFeature,
  type ConnectionListener,
  type MemoryEndpoint,
} from '../../connection/index.js';
import { AcceptQueue } from '../accept-queue.js';
import type { MemoryDuplex } from './memory-duplex.js';
import type { MemoryTransportOptions } from './memory-options.js';

/** A bound in-memory name. `MemoryTransport.connect` hands it the server's end of each connection. */
export class MemoryListener implements ConnectionListener {
  readonly endpoint: MemoryEndpoint;
  readonly options: Required<MemoryTransportOptions>;
  readonly #queue = new AcceptQueue<MemoryDuplex>(
    (end) => !end.destroyed,
    (end) => end.destroy(),
    () => this.endpoint,
  );
  readonly #onUnbind: () => void;

  /** `onUnbind` frees the name in the transport that bound it. */
  constructor(endpoint: MemoryEndpoint, options: Required<MemoryTransportOptions>, onUnbind: () => void) {
    this.endpoint = { kind: 'memory', name: endpoint.name };
    this.options = options;
    this.#onUnbind = onUnbind;
  }

  /** False once unbound: a connect then is refused. */
  get accepting(): boolean {
    return !this.#queue.closed;
  }

  /** Queues the server's end of a new connection for `accept`. */
  enqueue(serverEnd: MemoryDuplex): void {
    // As with sockets: a peer's abort must not crash the process through an unhandled 'error'.
    serverEnd.on('error', ignore);
    this.#queue.push(serverEnd);
  }

  async accept(): Promise<ConnectionContext | null> {
    const end = await this.#queue.take();
    if (end === null) return null;
    const features = new FeatureCollection();
    features.set(TransportFeature, { name: 'memory' });
    return new ConnectionContext({
      transport: end,
      localEndpoint: this.endpoint,
      remoteEndpoint: { kind: 'memory', name: end.remoteAddress },
      features,
    });
  }

  async unbind(): Promise<void> {
    if (this.#queue.closed) return;
    this.#queue.close();
    this.#onUnbind();
  }

  dispose(): Promise<void> {
    return this.unbind();
  }
}

function ignore(): void {}
