import { Duplex, finished } from 'node:stream';

/** Called with each chunk read from, or written to, the wrapped stream. */
export type ChunkObserver = (chunk: Buffer) => void;

/**
 * A stream in front of a connection's transport that shows every chunk to an observer on its way
 * in and out (Kestrel's `LoggingStream`), and otherwise passes it on unchanged: the reader's
 * backpressure pauses the transport, a full transport holds the writer, half-close, errors and
 * close go through. `bytesRead`/`bytesWritten` are kept, as a socket's are, for the data-rate checks.
 */
export class LoggingDuplex extends Duplex {
  readonly #inner: Duplex;
  readonly #onWrite: ChunkObserver;
  #read = 0;
  #written = 0;

  constructor(inner: Duplex, onRead: ChunkObserver, onWrite: ChunkObserver) {
    // Half-open as a socket is: HTTP/1.1 answers what a client sent before its FIN.
    super({ allowHalfOpen: true });
    this.#inner = inner;
    this.#onWrite = onWrite;
    inner.on('data', (chunk: Buffer) => {
      this.#read += chunk.length;
      onRead(chunk);
      if (!this.push(chunk)) inner.pause();
    });
    inner.on('end', () => this.push(null));
    inner.on('error', (err: Error) => this.destroy(err));
    inner.on('close', () => {
      if (!this.destroyed) this.destroy();
    });
  }

  get bytesRead(): number {
    return this.#read;
  }

  get bytesWritten(): number {
    return this.#written;
  }

  override _read(): void {
    this.#inner.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#written += chunk.length;
    this.#onWrite(chunk);
    if (this.#inner.write(chunk)) callback();
    else this.#inner.once('drain', () => callback());
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    // A corked batch (HTTP/1.1 writes a response's head and body so) is one write, one record.
    this._write(chunks.length === 1 ? chunks[0].chunk : Buffer.concat(chunks.map((c) => c.chunk)), 'latin1', callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    // Finished only once the transport is: a close that destroys this stream on 'finish' must not
    // cut off what the transport (a TLS socket's records, say) still has to write.
    this.#inner.end();
    finished(this.#inner, { readable: false }, () => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#inner.destroyed) this.#inner.destroy(error ?? undefined);
    callback(error);
  }
}
