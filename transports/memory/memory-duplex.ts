import { Duplex } from 'node:stream';
import { ConnectionAbortedError, ConnectionResetError } from '../../connection/index.js';

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
 * One end of an in-memory connection: what one end writes, the other reads, with the timing, flow
 * control and close semantics of a TCP socket.
 *
 * - Delivery is asynchronous: a write reaches the peer on a later tick (`process.nextTick`), never
 *   before `write()` returns. Protocol code written for sockets (ws's close handshake, node:tls)
 *   re-enters itself if the peer answers inside its own `write()`.
 * - Backpressure: a write completes once the peer has room to buffer it (what it holds plus what
 *   is in flight to it stays under its readable high-water mark), like a socket's write completing
 *   once the kernel took it. Until then it waits in this end's writable buffer, `write()` returns
 *   false when that is full, and 'drain' follows when the peer reads.
 * - Graceful close: `end()` sends EOF after everything written (a FIN); the peer reads it as
 *   'end' and may go on writing back. `destroy()` is a socket's close: with nothing unread it
 *   sends what was already written and EOF, so the peer sees a clean end.
 * - Abort: `resetAndDestroy()` (as `net.Socket`'s), `destroy()` while data sent to this end is
 *   still unread (as the kernel answers a close with unread input), or `destroy(error)` (the one
 *   departure from a socket, whose kernel never sees the error: a client that gives up a request
 *   with an error must not look like one that finished it) resets the connection: the
 *   peer gets what was already written (as over loopback, where it has arrived before the reset),
 *   then is destroyed with `ConnectionResetError` (code ECONNRESET); what it had not read yet from
 *   a paused stream is lost with it.
 * - Writes to an end whose peer is gone fail with `ConnectionAbortedError` (a socket's EPIPE).
 *
 * Node's `duplexPair` delivers synchronously and has neither the close semantics nor the
 * socket-like surface.
 */
export class MemoryDuplex extends Duplex {
  readonly localAddress: string;
  readonly remoteAddress: string;
  /** Undefined, as for a unix socket: an in-memory peer has no port. */
  readonly remotePort: number | undefined = undefined;
  readonly localPort: number | undefined = undefined;
  #peer!: MemoryDuplex;
  /** Written and accepted (a socket's kernel send buffer), not yet handed to the peer. */
  #inFlight: Buffer[] = [];
  #inFlightBytes = 0;
  #deliveryScheduled = false;
  /** The callback of a write the peer has no room for yet; the peer's `_read` or a delivery releases it. */
  #blockedWrite: ((error?: Error | null) => void) | undefined;
  /** `_final`'s callback while the EOF waits behind what is in flight. */
  #pendingFinal: ((error?: Error | null) => void) | undefined;
  #eofSent = false;
  #resetRequested = false;
  /** This end closed with a reset: the next delivery ends with the peer's ECONNRESET. */
  #resetting = false;
  /** The peer closed (or reset): nobody will read what this end writes. */
  #peerGone = false;

  private constructor(options: MemoryEndOptions) {
    super({
      allowHalfOpen: true,
      readableHighWaterMark: options.readableHighWaterMark,
      writableHighWaterMark: options.writableHighWaterMark,
    });
    this.localAddress = options.localAddress;
    this.remoteAddress = options.remoteAddress;
  }

  /** Two connected ends. */
  static pair(a: MemoryEndOptions, b: MemoryEndOptions): [MemoryDuplex, MemoryDuplex] {
    const left = new MemoryDuplex(a);
    const right = new MemoryDuplex(b);
    left.#peer = right;
    right.#peer = left;
    return [left, right];
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#peerGone) {
      callback(new ConnectionAbortedError('The peer closed the connection'));
      return;
    }
    this.#inFlight.push(chunk);
    this.#inFlightBytes += chunk.length;
    this.#accepted(callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    if (this.#peerGone) {
      callback(new ConnectionAbortedError('The peer closed the connection'));
      return;
    }
    // One chunk, as a socket's writev reaches its peer as one read: a writer that joins its
    // pieces (a head with its body) is seen to by whoever counts the reads.
    const joined = chunks.length === 1 ? chunks[0].chunk : Buffer.concat(chunks.map(pieceOf));
    this.#inFlight.push(joined);
    this.#inFlightBytes += joined.length;
    this.#accepted(callback);
  }

  /** Schedules delivery and completes the write now if the peer has room for what is in flight. */
  #accepted(callback: (error?: Error | null) => void): void {
    this.#schedule();
    const peer = this.#peer;
    if (peer.readableLength + this.#inFlightBytes < peer.readableHighWaterMark) callback();
    else this.#blockedWrite = callback;
  }

  override _read(): void {
    // Our reader wants more (the stream asks only below its high-water mark): the peer's waiting
    // write completes. No condition here: a `_read` that pushes nothing is not asked again until
    // the next push, and a write that stayed blocked would never make one.
    const writer = this.#peer;
    const blocked = writer.#blockedWrite;
    if (blocked !== undefined) {
      writer.#blockedWrite = undefined;
      blocked();
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.#peerGone) {
      callback();
      return;
    }
    // The EOF travels behind the writes in flight.
    this.#pendingFinal = callback;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#deliveryScheduled) return;
    this.#deliveryScheduled = true;
    process.nextTick(MemoryDuplex.#deliverTo, this);
  }

  static #deliverTo(end: MemoryDuplex): void {
    end.#deliver();
  }

  /**
   * Hands the peer what is in flight, then what ends it: a reset, or the EOF once `_final` asked
   * for it or this end closed.
   */
  #deliver(): void {
    this.#deliveryScheduled = false;
    const peer = this.#peer;
    const chunks = this.#inFlight;
    if (chunks.length > 0) {
      this.#inFlight = [];
      this.#inFlightBytes = 0;
      if (!peer.destroyed) for (const chunk of chunks) peer.push(chunk);
    }
    if (this.#resetting) {
      // Like a reset on loopback: what was sent before it is readable, then the error.
      if (!peer.destroyed) peer.destroy(new ConnectionResetError());
      return;
    }
    if (this.#pendingFinal !== undefined || (this.destroyed && !this.#eofSent)) {
      this.#eofSent = true;
      if (!peer.destroyed) peer.push(null);
      const final = this.#pendingFinal;
      this.#pendingFinal = undefined;
      if (final !== undefined && !this.destroyed) final();
    }
    const blocked = this.#blockedWrite;
    if (blocked !== undefined && peer.readableLength < peer.readableHighWaterMark) {
      this.#blockedWrite = undefined;
      blocked();
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#blockedWrite = undefined;
    const peer = this.#peer;
    if (!this.#peerGone) {
      this.#peerGone = true;
      peer.#peerGone = true;
      // A close with unread input is answered with a reset, as the kernel does: the peer must not
      // take the close for a clean end of what it sent. So is a close because of an error, which a
      // kernel cannot see: an aborted request must not look like a finished one.
      const unread = this.readableLength > 0 || peer.#inFlightBytes > 0 || peer.#blockedWrite !== undefined;
      if (this.#resetRequested || error !== null || unread) {
        this.#resetting = true;
        this.#pendingFinal = undefined;
        this.#schedule();
      } else if (!this.#eofSent) {
        // What was written still arrives, then the EOF (a FIN).
        this.#schedule();
      }
    }
    callback(error);
  }

  /**
   * Closes the connection with a reset, as `net.Socket#resetAndDestroy` does: the peer errors with
   * `ConnectionResetError` (ECONNRESET) after what was already written.
   */
  resetAndDestroy(): this {
    this.#resetRequested = true;
    this.destroy();
    return this;
  }

  // The socket surface HTTP clients use (undici calls these on the socket its `connect` returns).
  // Timeouts and TCP settings mean nothing in memory: these are deliberate no-ops, and a
  // `setTimeout` callback never fires.
  setTimeout(_ms: number, _callback?: () => void): this {
    return this;
  }
  setNoDelay(_noDelay?: boolean): this {
    return this;
  }
  setKeepAlive(_enable?: boolean, _initialDelay?: number): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  /** Ends the writable side and closes once the queued writes are delivered, as `net.Socket`'s. */
  destroySoon(): void {
    if (this.writableFinished) this.destroy();
    else {
      this.once('finish', () => this.destroy());
      this.end();
    }
  }
}

function pieceOf(entry: { chunk: Buffer }): Buffer {
  return entry.chunk;
}
