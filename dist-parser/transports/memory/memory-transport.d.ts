import 'reflect-metadata';
import { type Endpoint, type MemoryEndpoint, type Transport } from '../../connection/index.js';
import { MemoryDuplex } from './memory-duplex.js';
import { MemoryListener } from './memory-listener.js';
import { type MemoryTransportOptions } from './memory-options.js';
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
export declare class MemoryTransport implements Transport {
    #private;
    readonly name = "memory";
    constructor(options?: MemoryTransportOptions);
    canBind(endpoint: Endpoint): boolean;
    bind(endpoint: Endpoint, options?: MemoryTransportOptions): Promise<MemoryListener>;
    /**
     * Opens a connection to a bound name and returns the client's end at once (synchronously, so it
     * can serve as an HTTP client's connector; undici's must still call back asynchronously, e.g.
     * `connect: (_, cb) => queueMicrotask(() => cb(null, transport.connect('app')))`).
     * The listener's `accept` gets the other end.
     * `options` set the client end's buffers; the listener's options set the server end's.
     * Throws `ConnectionRefusedError` when nothing is bound at the name.
     */
    connect(target: string | MemoryEndpoint, options?: MemoryTransportOptions): MemoryDuplex;
}
