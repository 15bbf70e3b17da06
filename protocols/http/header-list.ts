import { HeadersSentError, InvalidHeaderError } from './http-protocol-error.js';
import { classifyFieldValue, isToken } from './header-chars.js';

export type HeaderValue = string | number | readonly (string | number)[];

/**
 * Response headers (and trailers): an ordered list of validated name/value pairs. Names and
 * values are checked when they are set, so a value with CR or LF (response splitting) is refused
 * at the app's call, not found later on the wire. Small and array-backed: a response has few
 * headers, and a linear scan of a handful beats hashing.
 */
export class HeaderList {
  // Parallel arrays: the lower-cased name for lookups, the name as set for the wire, the value.
  #lower: string[] = [];
  #names: string[] = [];
  #values: string[] = [];
  #sealedBecause: string | undefined;
  #latin1 = false;
  #framing = 0;

  get size(): number {
    return this.#names.length;
  }

  /**
   * Which of the fields a protocol writer must look at are present (`FramingField` bits), kept as
   * fields are added and removed, so writing a head needs no lookups for absent ones.
   */
  get framingFields(): number {
    return this.#framing;
  }

  /** True when a value holds obs-text (bytes 0x80-0xFF): the head must be written as latin1. */
  get needsLatin1(): boolean {
    return this.#latin1;
  }

  /** The first value of `name` (any case), or undefined. */
  get(name: string): string | undefined {
    const i = this.#lower.indexOf(name.toLowerCase());
    return i < 0 ? undefined : this.#values[i];
  }

  getAll(name: string): string[] {
    const lower = name.toLowerCase();
    const out: string[] = [];
    for (let i = 0; i < this.#lower.length; i++) if (this.#lower[i] === lower) out.push(this.#values[i]);
    return out;
  }

  has(name: string): boolean {
    return this.#lower.indexOf(name.toLowerCase()) >= 0;
  }

  /** Replaces every value of `name`. An array sets one header line per element (set-cookie). */
  set(name: string, value: HeaderValue): this {
    this.#assertOpen('set a header');
    const lower = this.#checkName(name);
    this.#remove(lower);
    return this.#add(name, lower, value);
  }

  append(name: string, value: HeaderValue): this {
    this.#assertOpen('append a header');
    return this.#add(name, this.#checkName(name), value);
  }

  delete(name: string): boolean {
    this.#assertOpen('delete a header');
    return this.#remove(name.toLowerCase());
  }

  /** [name as set, value] pairs in order. */
  *entries(): IterableIterator<[string, string]> {
    for (let i = 0; i < this.#names.length; i++) yield [this.#names[i], this.#values[i]];
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** Lower-cased names with values joined (set-cookie kept as an array), as node:http shows them. */
  toObject(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (let i = 0; i < this.#lower.length; i++) {
      const k = this.#lower[i];
      const prev = out[k];
      if (prev === undefined) out[k] = k === 'set-cookie' ? [this.#values[i]] : this.#values[i];
      else if (Array.isArray(prev)) prev.push(this.#values[i]);
      else out[k] = `${prev}, ${this.#values[i]}`;
    }
    return out;
  }

  /**
   * Adds every header to `target` under its lower-case name, repeated values joined with ', '
   * (set-cookie kept as an array), leaving out the names in `skip`: the HTTP/2 header object, built
   * onto one the caller started (`{ ':status': 200 }`) so its shape stays the same per response.
   */
  copyInto(target: Record<string, string | string[] | number>, skip: ReadonlySet<string>): void {
    for (let i = 0; i < this.#lower.length; i++) {
      const k = this.#lower[i];
      if (skip.has(k)) continue;
      const prev = target[k];
      const v = this.#values[i];
      if (prev === undefined) target[k] = k === 'set-cookie' ? [v] : v;
      else if (Array.isArray(prev)) prev.push(v);
      else target[k] = `${String(prev)}, ${v}`;
    }
  }

  /** Appends `name: value\r\n` for every header to `head` (the wire form for HTTP/1.x). */
  serialize(head: string): string {
    for (let i = 0; i < this.#names.length; i++) head += this.#names[i] + ': ' + this.#values[i] + '\r\n';
    return head;
  }

  /** Called by the protocol when the headers go on the wire: later changes are errors. */
  seal(because: string): void {
    this.#sealedBecause = because;
  }

  get sealed(): boolean {
    return this.#sealedBecause !== undefined;
  }

  #assertOpen(what: string): void {
    if (this.#sealedBecause !== undefined) throw new HeadersSentError(what);
  }

  #checkName(name: string): string {
    if (typeof name !== 'string' || !isToken(name)) throw new InvalidHeaderError(String(name), 'name');
    return name.toLowerCase();
  }

  #add(name: string, lower: string, value: HeaderValue): this {
    if (typeof value === 'object') {
      for (const v of value) this.#addOne(name, lower, v);
    } else {
      this.#addOne(name, lower, value);
    }
    return this;
  }

  #addOne(name: string, lower: string, value: string | number): void {
    const text = typeof value === 'number' ? String(value) : value;
    if (typeof text !== 'string') throw new InvalidHeaderError(name, 'value');
    const kind = classifyFieldValue(text);
    if (kind === 0) throw new InvalidHeaderError(name, 'value');
    if (kind === 2) this.#latin1 = true;
    this.#lower.push(lower);
    this.#framing |= framingBit(lower);
    this.#names.push(name);
    // Leading and trailing whitespace is not part of a field value (RFC 9110 §5.5).
    this.#values.push(text.trim());
  }

  #remove(lower: string): boolean {
    let removed = false;
    for (let i = this.#lower.length - 1; i >= 0; i--) {
      if (this.#lower[i] === lower) {
        this.#lower.splice(i, 1);
        this.#names.splice(i, 1);
        this.#values.splice(i, 1);
        removed = true;
      }
    }
    if (removed) this.#framing &= ~framingBit(lower);
    return removed;
  }
}

/** Bits of `HeaderList.framingFields`. */
export const FramingField = {
  Date: 1,
  Server: 2,
  ContentLength: 4,
  TransferEncoding: 8,
  Connection: 16,
} as const;

function framingBit(lower: string): number {
  switch (lower) {
    case 'date':
      return FramingField.Date;
    case 'server':
      return FramingField.Server;
    case 'content-length':
      return FramingField.ContentLength;
    case 'transfer-encoding':
      return FramingField.TransferEncoding;
    case 'connection':
      return FramingField.Connection;
    default:
      return 0;
  }
}
