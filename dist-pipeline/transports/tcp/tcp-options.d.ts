import type { TransportOptions } from '../../connection/index.js';
import { type OptionRules } from '../transport-options.js';
/**
 * Options of the TCP transport, given to its constructor (for every bind) or to `bind` (for one).
 *
 * `maxReadBufferSize` and `maxWriteBufferSize`: Node 20 sets one `highWaterMark` for both
 * directions of an accepted socket (the `net.Server` option, since v20.1.0; a server cannot set
 * `readableHighWaterMark` and `writableHighWaterMark` apart). The transport uses the smaller of
 * the two, so neither limit is exceeded; with the defaults that is 64 KiB each way, and the
 * kernel's socket buffers come on top of it.
 */
export interface TcpTransportOptions extends TransportOptions {
    /**
     * Connections the kernel queues before the server accepts them. Default 511, Node's own
     * (and nginx's); the kernel caps it at `net.core.somaxconn`.
     */
    backlog?: number;
    /**
     * Disables Nagle's algorithm on accepted sockets. Default true (as Kestrel): a server writes
     * whole responses, and Nagle's wait for the peer's ACK adds up to 40 ms to small ones.
     */
    noDelay?: boolean;
}
export declare const tcpDefaults: Required<TcpTransportOptions>;
export declare const tcpRules: OptionRules<TcpTransportOptions>;
/** DI token for the TCP transport's options; register it with `useValue` to configure the transport. */
export declare const TCP_TRANSPORT_OPTIONS: unique symbol;
