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
  readonly #queue = new AcceptQueue<ConnectionContext>(
    (ctx) => !ctx.transport.destroyed,
    (ctx) => ctx.transport.destroy(),
    () => this.endpoint,
  );
  /** The features every connection shares (its `TransportFeature`). */
  readonly #defaultFeatures = new FeatureCollection();
  readonly #onUnbind: () => void;

  /** `onUnbind` frees the name in the transport that bound it. */
  constructor(endpoint: MemoryEndpoint, options: Required<MemoryTransportOptions>, onUnbind: () => void) {
    this.endpoint = { kind: 'memory', name: endpoint.name };
    this.options = options;
    this.#onUnbind = onUnbind;
    this.#defaultFeatures.set(TransportFeature, Object.freeze({ name: 'memory' }));
  }

  /** False once unbound: a connect then is refused. */
  get accepting(): boolean {
    return !this.#queue.closed;
  }

  /** Queues the server's end of a new connection for `accept`. */
  enqueue(serverEnd: MemoryDuplex): void {
    // As with sockets, the context is made now: its 'error' listener keeps a peer's abort while the
    // connection waits in the queue from crashing the process through an unhandled 'error'.
    this.#queue.push(
      new ConnectionContext({
        transport: serverEnd,
        localEndpoint: this.endpoint,
        remoteEndpoint: { kind: 'memory', name: serverEnd.remoteAddress },
        defaultFeatures: this.#defaultFeatures,
      }),
    );
  }

  accept(): Promise<ConnectionContext | null> {
    return this.#queue.take();
  }

  acceptEach(sink: (ctx: ConnectionContext | null) => void): void {
    this.#queue.takeEach(sink);
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

