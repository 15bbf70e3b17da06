import type { Writable } from 'node:stream';

/** Resolves when `stream` emits 'drain', or 'close' (a destroyed stream never drains). */
export function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}
