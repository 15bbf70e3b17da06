import type { TransportOptions } from '../../connection/index.js';
import { type OptionRules } from '../transport-options.js';
/**
 * Options of the pipe transport (unix domain sockets on POSIX, named pipes on Windows), given to
 * its constructor (for every bind) or to `bind` (for one).
 *
 * `maxReadBufferSize` and `maxWriteBufferSize`: as for TCP, Node 20 sets one `highWaterMark` for
 * both directions of an accepted socket, so the transport uses the smaller of the two.
 */
export interface PipeTransportOptions extends TransportOptions {
    /** Connections the kernel queues before the server accepts them. Default 511, Node's own. */
    backlog?: number;
    /**
     * Permission bits of the unix socket file, applied right after it is created and before any
     * connection is accepted. Connecting needs write permission on the file, so this decides who
     * may connect. Default 0o600: owner only, because a socket file is often in a shared
     * directory and the server behind it trusts its callers. Ignored for Windows named pipes.
     */
    mode?: number;
}
export declare const pipeDefaults: Required<PipeTransportOptions>;
export declare const pipeRules: OptionRules<PipeTransportOptions>;
/** DI token for the pipe transport's options; register it with `useValue` to configure the transport. */
export declare const PIPE_TRANSPORT_OPTIONS: unique symbol;
