import { LowerCaseMemo } from './header-chars.js';

/**
 * A read-only, case-insensitive view of the request's header fields over the flat
 * `[name, value, name, value, …]` array the parser produced. Nothing is lower-cased or copied
 * until the app first asks for a header, and then only the names.
 */
export class RequestHeaders {
  #lower: string[] | undefined;

  constructor(readonly raw: readonly string[]) {}

  /** Number of header lines (a repeated header counts each time). */
  get size(): number {
    return this.raw.length >>> 1;
  }

  /**
   * The value of `name` (any case); repeated fields are joined with ', ' (RFC 9110 §5.3), and
   * cookie fields with '; ' (RFC 9113 §8.2.3).
   */
  get(name: string): string | undefined {
    const key = askedNames.of(name);
    const raw = this.raw;
    const lower = this.#lower;
    let found: string | undefined;
    for (let i = 0, j = 0; j < raw.length; i++, j += 2) {
      if (lower === undefined ? isName(raw[j], key) : lower[i] === key) {
        const v = raw[j + 1];
        found = found === undefined ? v : found + (key === 'cookie' ? '; ' : ', ') + v;
      }
    }
    return found;
  }

  getAll(name: string): string[] {
    const lower = this.#names();
    const key = askedNames.of(name);
    const out: string[] = [];
    for (let i = 0; i < lower.length; i++) if (lower[i] === key) out.push(this.raw[2 * i + 1]);
    return out;
  }

  has(name: string): boolean {
    const key = askedNames.of(name);
    const lower = this.#lower;
    if (lower !== undefined) return lower.indexOf(key) >= 0;
    const raw = this.raw;
    for (let j = 0; j < raw.length; j += 2) if (isName(raw[j], key)) return true;
    return false;
  }

  /** [lower-case name, value] for each header line, in order. */
  *entries(): IterableIterator<[string, string]> {
    const lower = this.#names();
    for (let i = 0; i < lower.length; i++) yield [lower[i], this.raw[2 * i + 1]];
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** Lower-cased names, repeated values joined: the shape node:http's `req.headers` has. */
  toObject(): Record<string, string> {
    const out: Record<string, string> = {};
    const lower = this.#names();
    for (let i = 0; i < lower.length; i++) {
      const k = lower[i];
      const v = this.raw[2 * i + 1];
      out[k] = out[k] === undefined ? v : out[k] + (k === 'cookie' ? '; ' : ', ') + v;
    }
    return out;
  }

  /** Lower-cased names, made for the calls that walk them all; `get` and `has` compare in place. */
  #names(): string[] {
    if (this.#lower === undefined) {
      const n = this.raw.length >>> 1;
      const lower = new Array<string>(n);
      for (let i = 0; i < n; i++) lower[i] = this.raw[2 * i].toLowerCase();
      this.#lower = lower;
    }
    return this.#lower;
  }
}

// The names apps ask for, lower-cased (its own memo: see LowerCaseMemo).
const askedNames = new LowerCaseMemo('host');

/**
 * `name` (as sent) is `lower` (already lower-cased), ignoring ASCII case: a lookup compares in
 * place rather than lower-casing every name first (a string per name, and an array, for an app
 * that asks for one header, as most do). Field names are tokens, so ASCII folding is the whole rule.
 */
function isName(name: string, lower: string): boolean {
  const n = name.length;
  if (n !== lower.length) return false;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a ? c | 0x20 : c) !== lower.charCodeAt(i)) return false;
  }
  return true;
}
