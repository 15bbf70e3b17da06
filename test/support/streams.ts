import type { Duplex } from 'node:stream';
import { once } from 'node:events';

/** Reads from `stream` until `predicate(text so far)` holds or the stream ends; returns the text. */
export async function readUntil(stream: Duplex, predicate: (text: string) => boolean, timeoutMs = 5_000): Promise<string> {
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms; got ${JSON.stringify(text.slice(0, 500))}`));
    }, timeoutMs);
    const onData = (d: Buffer): void => {
      text += d.toString('latin1');
      if (predicate(text)) {
        cleanup();
        resolve(text);
      }
    };
    const onEnd = (): void => {
      cleanup();
      resolve(text);
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('close', onEnd);
    stream.resume();
  });
}

/** Everything the stream sends until it ends or closes. */
export function readAll(stream: Duplex, timeoutMs = 5_000): Promise<string> {
  return readUntil(stream, () => false, timeoutMs);
}

/** Resolves when the stream has closed (both sides done). */
export async function closed(stream: Duplex): Promise<void> {
  if (stream.destroyed) return;
  await once(stream, 'close');
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
