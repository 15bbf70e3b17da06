import { inject, injectable } from '../../connection/tsyringe.js';
import {
  AddressInUseError,
  ConnectionRefusedError,
  InvalidEndpointError,
  formatEndpoint,
  type Endpoint,
  type MemoryEndpoint,
  type Transport,
} from '../../connection/index.js';
import { resolveOptions } from '../transport-options.js';
import { MemoryDuplex } from './memory-duplex.js';
import { MemoryListener } from './memory-listener.js';
import { MEMORY_TRANSPORT_OPTIONS, memoryDefaults, memoryRules, type MemoryTransportOptions } from './memory-options.js';

/**
 * A real transport whose connections never leave the process: bytes go through the same
 * connection middleware and protocols as over TCP, with backpressure, half-close and abort.
 *
 * Each instance is its own namespace: a name bound on one transport cannot be reached through
 * another, so tests running side by side never collide. Clients connect through the instance:
 *
 * ```ts
 * const transport = new MemoryTransport();
 * const listener = await transport.bind({ kind: 'memory', name: 'app' });
 * const client = transport.connect('app'); // a Duplex; the listener's accept() gets the other end
 * ```
 */
@injectable()
export class MemoryTransport implements Transport {
  readonly name = 'memory';
  readonly #options: Required<MemoryTransportOptions>;
  readonly #listeners = new Map<string, MemoryListener>();
  #clients = 0;

  constructor(@inject(MEMORY_TRANSPORT_OPTIONS, { isOptional: true }) options?: MemoryTransportOptions) {
    this.#options = resolveOptions(memoryDefaults, memoryRules, options);
  }

  canBind(endpoint: Endpoint): boolean {
    return endpoint.kind === 'memory' && typeof (endpoint as MemoryEndpoint).name === 'string' && (endpoint as MemoryEndpoint).name.length > 0;
  }

  async bind(endpoint: Endpoint, options?: MemoryTransportOptions): Promise<MemoryListener> {
    if (!this.canBind(endpoint)) throw new InvalidEndpointError(JSON.stringify(endpoint), 'the memory transport binds only memory endpoints with a name');
    const { name } = endpoint as MemoryEndpoint;
    if (this.#listeners.has(name)) throw new AddressInUseError(formatEndpoint(endpoint));
    const resolved = resolveOptions(memoryDefaults, memoryRules, this.#options, options);
    const listener = new MemoryListener({ kind: 'memory', name }, resolved, () => {
      if (this.#listeners.get(name) === listener) this.#listeners.delete(name);
    });
    this.#listeners.set(name, listener);
    return listener;
  }

  /**
   * Opens a connection to a bound name and returns the client's end at once (synchronously, so it
   * can serve as an HTTP client's connector; undici's must still call back asynchronously, e.g.
   * `connect: (_, cb) => queueMicrotask(() => cb(null, transport.connect('app')))`).
   * The listener's `accept` gets the other end.
   * `options` set the client end's buffers; the listener's options set the server end's.
   * Throws `ConnectionRefusedError` when nothing is bound at the name.
   */
  connect(target: string | MemoryEndpoint, options?: MemoryTransportOptions): MemoryDuplex {
    const name = typeof target === 'string' ? target : target.name;
    const listener = this.#listeners.get(name);
    if (!listener?.accepting) throw new ConnectionRefusedError(`memory:${name}`);
    const client = resolveOptions(memoryDefaults, memoryRules, this.#options, options);
    const clientName = `${name}#client-${++this.#clients}`;
    const [clientEnd, serverEnd] = MemoryDuplex.pair(
      {
        readableHighWaterMark: client.maxReadBufferSize,
        writableHighWaterMark: client.maxWriteBufferSize,
        localAddress: clientName,
        remoteAddress: name,
      },
      {
        readableHighWaterMark: listener.options.maxReadBufferSize,
        writableHighWaterMark: listener.options.maxWriteBufferSize,
        localAddress: name,
        remoteAddress: clientName,
      },
    );
    listener.enqueue(serverEnd);
    return clientEnd;
  }
}
