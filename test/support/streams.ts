import type { Duplex } from 'node:stream';

/**
 * Reads from `stream` until `predicate(text so far)` holds or the stream ends or closes; returns
 * the text. A reset (an 'error' before 'close') ends the reading like a close: callers that care
 * how the peer closed look at `stream.errored`.
 */
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
    // Kept after cleanup: a reset that arrives once the text is in must not crash the run.
    if (stream.listenerCount('error') === 0) stream.on('error', ignore);
    stream.resume();
  });
}

/** Everything the stream sends until it ends or closes. */
export function readAll(stream: Duplex, timeoutMs = 5_000): Promise<string> {
  return readUntil(stream, () => false, timeoutMs);
}

/** Resolves when the stream has closed (both sides done), after an error (a reset) too. */
export async function closed(stream: Duplex): Promise<void> {
  if (stream.destroyed) return;
  if (stream.listenerCount('error') === 0) stream.on('error', ignore);
  await new Promise((resolve) => stream.once('close', resolve));
}

function ignore(): void {}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
