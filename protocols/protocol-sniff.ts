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
    let seen: Buffer | null = null;
    let timer: object | undefined;
    const finish = (result: SniffResult): void => {
      transport.off('data', onData);
      transport.off('end', onClosed);
      transport.off('close', onClosed);
      if (timer !== undefined) clock.clearTimer(timer);
      transport.pause();
      if (seen !== null && result !== 'closed') transport.unshift(seen);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      const head: Buffer = seen === null ? chunk : Buffer.concat([seen, chunk]);
      seen = head;
      const full = head.length >= MAX_SNIFF_BYTES;
      for (let i = 0; i < sniffers.length; i++) {
        const verdict = sniffers[i](head);
        if (verdict === 'yes') return finish(i);
        if (verdict === 'more' && !full) return;
      }
      finish('none');
    };
    // A client that ends before the verdict sent only a prefix of some protocol: nothing to serve.
    const onClosed = (): void => finish('closed');
    if (transport.destroyed) {
      resolve('closed');
      return;
    }
    transport.on('data', onData);
    transport.on('end', onClosed);
    transport.on('close', onClosed);
    // Middleware may hand the transport over paused; a 'data' listener alone would not start it.
    transport.resume();
    if (timeoutMs !== Infinity) timer = clock.setTimeout(() => finish('timeout'), timeoutMs);
  });
}
