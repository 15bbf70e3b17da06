import type { Duplex } from 'node:stream';
/** Reads from `stream` until `predicate(text so far)` holds or the stream ends; returns the text. */
export declare function readUntil(stream: Duplex, predicate: (text: string) => boolean, timeoutMs?: number): Promise<string>;
/** Everything the stream sends until it ends or closes. */
export declare function readAll(stream: Duplex, timeoutMs?: number): Promise<string>;
/** Resolves when the stream has closed (both sides done). */
export declare function closed(stream: Duplex): Promise<void>;
export declare function delay(ms: number): Promise<void>;
