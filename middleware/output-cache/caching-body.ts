import type { HttpExchange, HttpResponseBodyFeature } from '../../protocols/http/index.js';
import { WrappingBody } from '../shared/index.js';
import type { ResolvedOutputCacheOptions } from './output-cache-options.js';

const UNDECIDED = 0;
const BUFFERING = 1;
const PASS = 2;
type Mode = typeof UNDECIDED | typeof BUFFERING | typeof PASS;

/** What a finished response leaves to store: the fields the route added and the body. */
export interface CapturedResponse {
  readonly fields: readonly string[];
  readonly body: Buffer;
}

// Set per response by the protocol or from the body itself when it is replayed.
const NOT_STORED = new Set(['content-length', 'transfer-encoding', 'connection', 'date', 'age']);

/** True when a Cache-Control value forbids a shared store (RFC 9111 §5.2.2.5, §5.2.2.7). */
function forbidsStore(values: readonly string[]): boolean {
  for (const v of values) {
    const lower = v.toLowerCase();
    if (lower.includes('no-store') || lower.includes('private')) return true;
  }
  return false;
}

/**
 * The response body as the output cache sees it: set as `ctx.response.bodyFeature` in front of
 * the one it replaces for a request that may fill the cache. On the first write (or the end) it
 * decides from the head whether the response can be stored: a 200 with no Set-Cookie, no
 * `Cache-Control: private`/`no-store`, and no Vary beyond the cache's own key. If so it holds the
 * body (writes never wait) up to `maxEntryBytes` and hands it on whole at the end, after giving it
 * to `onDone` (while held, nothing has gone to the client: `headersSent` stays false); past the
 * limit, or when the response cannot be stored, it passes everything on.
 * `onDone` is called exactly once: with the captured response, or undefined.
 */
export class CachingBody extends WrappingBody {
    /** The response's fields (HeaderList.snapshot) when the cache was entered: set upstream, not the route's. */
  readonly #before: readonly string[];
  readonly #o: ResolvedOutputCacheOptions;
  #onDone: ((captured: CapturedResponse | undefined) => void) | undefined;
  #mode: Mode = UNDECIDED;
  #chunks: Buffer[] = [];
  #bytes = 0;

  constructor(exchange: HttpExchange, inner: HttpResponseBodyFeature, before: readonly string[], o: ResolvedOutputCacheOptions, onDone: (captured: CapturedResponse | undefined) => void) {
    super(exchange, inner);
    this.#before = before;
    this.#o = o;
    this.#onDone = onDone;
  }

  write(chunk: Buffer | string): boolean {
    this.assertOpen();
    if (this.#mode === UNDECIDED) this.#mode = this.#storable() === undefined ? this.#pass() : BUFFERING;
    if (this.#mode === PASS) return this.inner.write(chunk);
    return this.#hold(chunk) ? true : this.#overflow();
  }

  drain(): Promise<void> {
    return this.#mode === PASS ? this.inner.drain() : Promise.resolve();
  }

  end(chunk?: Buffer | string): void {
    if (this.ended) return;
    if (this.#mode === UNDECIDED) this.#mode = this.#storable() === undefined ? this.#pass() : BUFFERING;
    this.ended = true;
    if (this.#mode === PASS) {
      this.inner.end(chunk);
      return;
    }
    // Nothing has gone on yet: the body goes in one piece (with its length) even past the bound, only unstored.
    const fits = chunk === undefined || this.#hold(chunk);
    const body = this.#chunks.length === 1 ? this.#chunks[0] : Buffer.concat(this.#chunks, this.#bytes);
    this.#chunks = [];
    // Looked at again: the head may have changed since the first write (nothing was sent yet).
    const fields = fits ? this.#storable() : undefined;
    this.#done(fields === undefined ? undefined : { fields, body });
    this.inner.end(body);
  }

  /** The route is done: end what it left open; nothing is stored after this. */
  finish(): void {
    this.complete();
    this.#done(undefined);
  }

  /** The route failed: nothing is stored (the pipeline answers on the exchange itself). */
  fail(): void {
    this.ended = true;
    this.#chunks = [];
    this.#done(undefined);
  }

  #done(captured: CapturedResponse | undefined): void {
    const onDone = this.#onDone;
    this.#onDone = undefined;
    onDone?.(captured);
  }

  #pass(): Mode {
    this.#done(undefined);
    return PASS;
  }

  #hold(chunk: Buffer | string): boolean {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.#bytes += b.length;
    if (this.#bytes > this.#o.maxEntryBytes) {
      this.#chunks.push(b);
      return false;
    }
    if (b.length > 0) this.#chunks.push(b);
    return true;
  }

  /** Past maxEntryBytes: what is held goes on as written, and so does the rest. */
  #overflow(): boolean {
    this.#mode = PASS;
    this.#done(undefined);
    const chunks = this.#chunks;
    this.#chunks = [];
    let more = true;
    for (const c of chunks) more = this.inner.write(c);
    return more;
  }

  /** The fields to store (name, value pairs the route added) when the response may be stored, else undefined. */
  #storable(): string[] | undefined {
    const ex = this.exchange;
    if (ex.statusCode !== 200 || ex.headersSent) return undefined;
    const h = ex.responseHeaders;
    if (h.has('set-cookie') || forbidsStore(h.getAll('cache-control'))) return undefined;
    const now = h.snapshot();
    const before = this.#before.slice();
    const fields: string[] = [];
    for (let i = 0; i < now.length; i += 3) {
      const lower = now[i];
      const at = sameField(before, lower, now[i + 1], now[i + 2]);
      if (at >= 0) {
        before[at] = '';
        continue;
      }
      if (NOT_STORED.has(lower)) continue;
      if (lower === 'vary' && !this.#keyCovers(now[i + 2])) return undefined;
      fields.push(now[i + 1], now[i + 2]);
    }
    return fields;
  }

  /** True when every name in a Vary value the route set is part of the key. */
  #keyCovers(vary: string): boolean {
    for (const part of vary.split(',')) {
      const name = part.trim().toLowerCase();
      if (name !== '' && !this.#o.varyByHeaders.includes(name)) return false;
    }
    return true;
  }
}

/** The index of the triple (lower, name, value) in a snapshot, or -1; a consumed triple is blanked. */
function sameField(snapshot: readonly string[], lower: string, name: string, value: string): number {
  for (let i = 0; i < snapshot.length; i += 3) {
    if (snapshot[i] === lower && snapshot[i + 1] === name && snapshot[i + 2] === value) return i;
  }
  return -1;
}
