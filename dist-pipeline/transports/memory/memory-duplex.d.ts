import { Duplex } from 'node:stream';
/** One end's buffer limits and the addresses it reports. */
export interface MemoryEndOptions {
    /** Bytes of the peer's writes this end buffers before the peer's writes stop completing. */
    readonly readableHighWaterMark: number;
    /** Bytes this end queues before `write()` returns false. */
    readonly writableHighWaterMark: number;
    readonly localAddress: string;
    readonly remoteAddress: string;
}
/**
 * One end of an in-memory connection: what one end writes, the other reads, with the flow
 * control of a socket.
 *
 * - Backpressure: a write completes once the peer has room to buffer it (its readable side is
 *   under its high-water mark); until then it waits in this end's writable buffer, and `write()`
 *   returns false when that buffer is full. 'drain' follows when the peer reads.
 * - Half-close: `end()` delivers EOF to the peer, which can go on writing back.
 * - Abort: `destroy()` reaches the peer, which closes too. If this end had already sent its EOF,
 *   the peer first reads what is buffered and its 'end', as it would from a socket closed cleanly.
 *   Writes to an end whose peer is gone fail with `ConnectionAbortedError` (a socket's EPIPE).
 *
 * Node's `duplexPair` has neither the destroy propagation nor the socket-like surface.
 */
export declare class MemoryDuplex extends Duplex {
    #private;
    readonly localAddress: string;
    readonly remoteAddress: string;
    /** Undefined, as for a unix socket: an in-memory peer has no port. */
    readonly remotePort: number | undefined;
    readonly localPort: number | undefined;
    private constructor();
    /** Two connected ends. */
    static pair(a: MemoryEndOptions, b: MemoryEndOptions): [MemoryDuplex, MemoryDuplex];
    _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void;
    _read(): void;
    _final(callback: (error?: Error | null) => void): void;
    _destroy(error: Error | null, callback: (error?: Error | null) => void): void;
    setTimeout(_ms: number, _callback?: () => void): this;
    setNoDelay(_noDelay?: boolean): this;
    setKeepAlive(_enable?: boolean, _initialDelay?: number): this;
    ref(): this;
    unref(): this;
    /** Ends the writable side and closes once the queued writes are delivered, as `net.Socket`'s. */
    destroySoon(): void;
}
