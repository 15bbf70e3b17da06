/** A stored 200: the header fields the route set (name, value pairs) and the whole body. */
export interface CachedResponse {
  readonly fields: readonly string[];
  readonly body: Buffer;
  readonly storedAt: number;
  readonly expiresAt: number;
  /** What it counts against `maxBytes`: body, header text and key. */
  readonly size: number;
}

/**
 * The entries of one outputCache(): least recently used first (a Map keeps insertion order, and a
 * hit re-inserts), bounded by the total of their sizes. An expired entry is dropped when it is
 * looked up or reached while evicting; nothing runs on a timer.
 */
export class OutputCacheStore {
  readonly #entries = new Map<string, CachedResponse>();
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get(key: string, now: number): CachedResponse | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= now) {
      this.#bytes -= entry.size;
      return undefined;
    }
    this.#entries.set(key, entry);
    return entry;
  }

  set(key: string, entry: CachedResponse): void {
    // A body within maxEntryBytes whose headers and key tip it over the whole budget.
    if (entry.size > this.#maxBytes) return;
    const old = this.#entries.get(key);
    if (old !== undefined) {
      this.#entries.delete(key);
      this.#bytes -= old.size;
    }
    for (const [k, e] of this.#entries) {
      if (this.#bytes + entry.size <= this.#maxBytes) break;
      this.#entries.delete(k);
      this.#bytes -= e.size;
    }
    this.#entries.set(key, entry);
    this.#bytes += entry.size;
  }
}
