import { Duplex } from 'node:stream';
import { ConnectionAbortedError } from '../../connection/index.js';
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
export class MemoryDuplex extends Duplex {
    localAddress;
    remoteAddress;
    /** Undefined, as for a unix socket: an in-memory peer has no port. */
    remotePort = undefined;
    localPort = undefined;
    #peer;
    /** The callback of a write the peer has no room for yet; the peer's `_read` releases it. */
    #blockedWrite;
    #sentEof = false;
    #peerGone = false;
    constructor(options) {
        super({
            allowHalfOpen: true,
            readableHighWaterMark: options.readableHighWaterMark,
            writableHighWaterMark: options.writableHighWaterMark,
        });
        this.localAddress = options.localAddress;
        this.remoteAddress = options.remoteAddress;
    }
    /** Two connected ends. */
    static pair(a, b) {
        const left = new MemoryDuplex(a);
        const right = new MemoryDuplex(b);
        left.#peer = right;
        right.#peer = left;
        return [left, right];
    }
    _write(chunk, _encoding, callback) {
        const peer = this.#peer;
        if (this.#peerGone || peer.destroyed) {
            callback(new ConnectionAbortedError('The peer closed the connection'));
            return;
        }
        if (peer.push(chunk))
            callback();
        else
            this.#blockedWrite = callback;
    }
    _read() {
        // Our reader wants more: the peer's waiting write can now complete.
        const peer = this.#peer;
        const blocked = peer.#blockedWrite;
        if (blocked) {
            peer.#blockedWrite = undefined;
            blocked();
        }
    }
    _final(callback) {
        this.#sentEof = true;
        if (!this.#peer.destroyed)
            this.#peer.push(null);
        callback();
    }
    _destroy(error, callback) {
        this.#blockedWrite = undefined;
        const peer = this.#peer;
        if (!peer.destroyed)
            peer.#peerDestroyed(this.#sentEof);
        callback(error);
    }
    #peerDestroyed(sentEof) {
        this.#peerGone = true;
        if (!sentEof || this.readableEnded) {
            this.destroy();
            return;
        }
        // The peer closed cleanly: what it sent, and its EOF, are still ours to read.
        const blocked = this.#blockedWrite;
        this.#blockedWrite = undefined;
        blocked?.(new ConnectionAbortedError('The peer closed the connection'));
        this.once('end', () => this.destroy());
    }
    // The socket surface HTTP clients use (undici calls these on the socket its `connect` returns).
    // Timeouts and TCP settings mean nothing in memory: these are deliberate no-ops, and a
    // `setTimeout` callback never fires.
    setTimeout(_ms, _callback) {
        return this;
    }
    setNoDelay(_noDelay) {
        return this;
    }
    setKeepAlive(_enable, _initialDelay) {
        return this;
    }
    ref() {
        return this;
    }
    unref() {
        return this;
    }
    /** Ends the writable side and closes once the queued writes are delivered, as `net.Socket`'s. */
    destroySoon() {
        if (this.writableFinished)
            this.destroy();
        else {
            this.once('finish', () => this.destroy());
            this.end();
        }
    }
}
//# sourceMappingURL=memory-duplex.js.map