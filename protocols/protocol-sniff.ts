import type { Duplex } from 'node:stream';
import type { Clock } from '../connection/index.js';
import type { SniffVerdict } from './http/index.js';

/**
 * The most bytes held while the adapters decide. Beyond it an adapter still answering `'more'`
 * counts as `'no'`, so a client cannot make the server buffer without bound before any protocol
 * (and its limits) has taken the connection. The HTTP/2 preface needs 24.
 */
export const MAX_SNIFF_BYTES = 4_096;

/** The index of the adapter that said yes, or why none did. */
export type SniffResult = number | 'none' | 'closed' | 'timeout';

/**
 * Reads the first bytes of `transport` and asks `sniffers` in order (highest precedence first)
 * until one says yes; a `'more'` waits for the next read before a later sniffer is asked. Nothing
 * is consumed: the bytes read are put back with `unshift`, and the transport is left paused for the
 * protocol that takes it. No verdict within `timeoutMs` (on `clock`) is `'timeout'`.
 */
export function sniffProtocol(
  transport: Duplex,
  sniffers: readonly ((head: Buffer) => SniffVerdict)[],
  timeoutMs: number,
  clock: Clock,
): Promise<SniffResult> {
  return new Promise((resolve) => {
    if (transport.destroyed) {
      resolve('closed');
      return;
    }
    new Sniff(transport, sniffers, clock, resolve).start(timeoutMs);
  });
}

/**
 * One connection's sniff. Its listeners are bound methods, not closures named in the function:
 * the published bundle (esbuild's keepNames) gives each named closure its name at run time, a
 * property definition that cost every accepted connection ~900 bytes of garbage for these three.
 */
class Sniff {
  readonly #transport: Duplex;
  readonly #sniffers: readonly ((head: Buffer) => SniffVerdict)[];
  readonly #clock: Clock;
  readonly #resolve: (result: SniffResult) => void;
  readonly #onData: (chunk: Buffer) => void;
  readonly #onClosed: () => void;
  #seen: Buffer | null = null;
  #timer: object | undefined;

  constructor(transport: Duplex, sniffers: readonly ((head: Buffer) => SniffVerdict)[], clock: Clock, resolve: (result: SniffResult) => void) {
    this.#transport = transport;
    this.#sniffers = sniffers;
    this.#clock = clock;
    this.#resolve = resolve;
    this.#onData = this.#data.bind(this);
    // A client that ends before the verdict sent only a prefix of some protocol: nothing to serve.
    this.#onClosed = this.#finish.bind(this, 'closed');
  }

  start(timeoutMs: number): void {
    const transport = this.#transport;
    transport.on('data', this.#onData);
    transport.on('end', this.#onClosed);
    transport.on('close', this.#onClosed);
    // Middleware may hand the transport over paused; a 'data' listener alone would not start it.
    transport.resume();
    if (timeoutMs !== Infinity) this.#timer = this.#clock.setTimeout(() => this.#finish('timeout'), timeoutMs);
  }

  #data(chunk: Buffer): void {
    const seen = this.#seen;
    const head: Buffer = seen === null ? chunk : Buffer.concat([seen, chunk]);
    this.#seen = head;
    const full = head.length >= MAX_SNIFF_BYTES;
    const sniffers = this.#sniffers;
    for (let i = 0; i < sniffers.length; i++) {
      const verdict = sniffers[i](head);
      if (verdict === 'yes') return this.#finish(i);
      if (verdict === 'more' && !full) return;
    }
    this.#finish('none');
  }

  #finish(result: SniffResult): void {
    const transport = this.#transport;
    transport.off('data', this.#onData);
    transport.off('end', this.#onClosed);
    transport.off('close', this.#onClosed);
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    transport.pause();
    if (this.#seen !== null && result !== 'closed') transport.unshift(this.#seen);
    this.#resolve(result);
  }
}
