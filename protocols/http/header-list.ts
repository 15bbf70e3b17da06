import { HeadersSentError, InvalidHeaderError } from './http-protocol-error.js';
import { TiercelError } from '../../connection/index.js';
import { classifyFieldValue, isToken, LowerCaseMemo } from './header-chars.js';

/** The empty field list every HeaderList starts with; replaced, never written to. */
const NO_FIELDS: string[] = [];

export type HeaderValue = string | number | readonly (string | number)[];

/**
 * Response headers (and trailers): an ordered list of validated name/value pairs. Names and
 * values are checked when they are set, so a value with CR or LF (response splitting) is refused
 * at the app's call, not found later on the wire. Small and array-backed: a response has few
 * headers, and a linear scan of a handful beats hashing.
 */
export class HeaderList {
  // One flat array of [lower-cased name (for lookups), name as set (for the wire), value] triples:
  // one allocation per response instead of one per column.
  // Starts as the shared empty list; the first field replaces it with an array of exactly three
  // (pushing onto an empty array would reserve seventeen slots), and later fields grow it.
  #fields: string[] = NO_FIELDS;
  #sealedBecause: string | undefined;
  #framing = 0;

  get size(): number {
    return this.#fields.length / 3;
  }

  /**
   * Which of the fields a protocol writer must look at are present (`FramingField` bits), kept as
   * fields are added and removed, so writing a head needs no lookups for absent ones.
   */
  get framingFields(): number {
    return this.#framing;
  }

  /** The first value of `name` (any case), or undefined. */
  get(name: string): string | undefined {
    const i = this.#indexOf(lowerNames.of(name));
    return i < 0 ? undefined : this.#fields[i + 2];
  }

  getAll(name: string): string[] {
    const lower = lowerNames.of(name);
    const f = this.#fields;
    const out: string[] = [];
    for (let i = 0; i < f.length; i += 3) if (f[i] === lower) out.push(f[i + 2]);
    return out;
  }

  has(name: string): boolean {
    return this.#indexOf(lowerNames.of(name)) >= 0;
  }

  /** Replaces every value of `name`. An array sets one header line per element (set-cookie). */
  set(name: string, value: HeaderValue): this {
    this.#assertOpen('set a header');
    const lower = checkName(name);
    this.#remove(lower);
    return this.#add(name, lower, value);
  }

  append(name: string, value: HeaderValue): this {
    this.#assertOpen('append a header');
    return this.#add(name, checkName(name), value);
  }

  delete(name: string): boolean {
    this.#assertOpen('delete a header');
    return this.#remove(lowerNames.of(name));
  }

  /** [name as set, value] pairs in order. */
  *entries(): IterableIterator<[string, string]> {
    const f = this.#fields;
    for (let i = 0; i < f.length; i += 3) yield [f[i + 1], f[i + 2]];
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** Lower-cased names with values joined (set-cookie kept as an array), as node:http shows them. */
  toObject(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    this.copyInto(out, NO_NAMES);
    return out;
  }

  /**
   * Adds every header to `target` under its lower-case name, repeated values joined with ', '
   * (set-cookie kept as an array), leaving out the names in `skip`: the HTTP/2 header object, built
   * onto one the caller started (`{ ':status': 200 }`) so its shape stays the same per response.
   */
  copyInto(target: Record<string, string | string[] | number | undefined>, skip: ReadonlySet<string>): void {
    const f = this.#fields;
    for (let i = 0; i < f.length; i += 3) {
      const k = f[i];
      if (skip.size > 0 && skip.has(k)) continue;
      const prev = target[k];
      const v = f[i + 2];
      if (prev === undefined) target[k] = k === 'set-cookie' ? [v] : v;
      else if (Array.isArray(prev)) prev.push(v);
      else target[k] = `${String(prev)}, ${v}`;
    }
  }

  /** Appends `name: value\r\n` for every header to `head` (the wire form for HTTP/1.x). */
  serialize(head: string): string {
    const f = this.#fields;
    for (let i = 0; i < f.length; i += 3) head += f[i + 1] + ': ' + f[i + 2] + '\r\n';
    return head;
  }

  /** The fields as a flat copy, for `matches` to compare a later list with. */
  snapshot(): readonly string[] {
    return this.#fields.slice();
  }

  /** True when the fields are those of `snapshot`, in order (usually the very same strings). */
  matches(snapshot: readonly string[]): boolean {
    const f = this.#fields;
    if (f.length !== snapshot.length) return false;
    for (let i = 0; i < f.length; i++) if (f[i] !== snapshot[i]) return false;
    return true;
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

  #indexOf(lower: string): number {
    const f = this.#fields;
    for (let i = 0; i < f.length; i += 3) if (f[i] === lower) return i;
    return -1;
  }

  #add(name: string, lower: string, value: HeaderValue): this {
    if (Array.isArray(value)) {
      for (const v of value) this.#addOne(name, lower, v);
    } else {
      // Anything but a string or a number (null, an object) is refused by #addOne.
      this.#addOne(name, lower, value as string | number);
    }
    return this;
  }

  #addOne(name: string, lower: string, value: string | number): void {
    const text = typeof value === 'number' ? String(value) : value;
    if (typeof text !== 'string') throw new InvalidHeaderError(name, 'value');
    const kind = classifyValue(text);
    if (kind === 0) throw new InvalidHeaderError(name, 'value');
    this.#framing |= framingBit(lower);
    // Leading and trailing whitespace is not part of a field value (RFC 9110 §5.5).
    const wire = trimOws(text);
    if (this.#fields === NO_FIELDS) this.#fields = [lower, name, wire];
    else this.#fields.push(lower, name, wire);
  }

  #remove(lower: string): boolean {
    const f = this.#fields;
    let removed = false;
    for (let i = f.length - 3; i >= 0; i -= 3) {
      if (f[i] === lower) {
        f.splice(i, 3);
        removed = true;
      }
    }
    if (removed) this.#framing &= ~framingBit(lower);
    return removed;
  }
}

const NO_NAMES: ReadonlySet<string> = new Set();

// The last name that passed validation, the last name lower-cased and the last value classified.
// Apps set and look up the same constant names and values on every response ('content-type',
// 'text/plain; charset=utf-8'), and comparing a string with the very same string is one pointer
// test: most calls skip the per-character work. (Seeded with a valid name: '' is not one.)
let checkedName = 'content-type';
const lowerNames = new LowerCaseMemo('content-type');
let classifiedValue = '';
let classifiedKind: 1 | 2 = 1;

/** The lower-cased name, after checking it is a token. */
function checkName(name: string): string {
  if (name !== checkedName) {
    if (typeof name !== 'string' || !isToken(name)) throw new InvalidHeaderError(String(name), 'name');
    checkedName = name;
  }
  return lowerNames.of(name);
}


function classifyValue(text: string): 0 | 1 | 2 {
  if (text === classifiedValue) return classifiedKind;
  const kind = classifyFieldValue(text);
  if (kind !== 0) {
    classifiedValue = text;
    classifiedKind = kind;
  }
  return kind;
}

/** `s` without leading and trailing SP and HTAB (OWS; String#trim would also eat NBSP, which is obs-text). */
function trimOws(s: string): string {
  const n = s.length;
  if (n === 0) return s;
  let start = 0;
  let end = n;
  let c = s.charCodeAt(0);
  while (start < end && (c === 0x20 || c === 0x09)) c = s.charCodeAt(++start);
  c = s.charCodeAt(end - 1);
  while (end > start && (c === 0x20 || c === 0x09)) c = s.charCodeAt(--end - 1);
  return start === 0 && end === n ? s : s.slice(start, end);
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

/**
 * The content-length the app set on `headers`, as a number: 1-15 decimal digits, set once. Anything
 * else (`abc`, `-1`, `5, 5`, two fields) would have the client and us disagree on where the body
 * ends, so it is refused with a TiercelError ERR_TIERCEL_INVALID_HEADER when the head is written.
 */
export function declaredLengthOf(headers: HeaderList): number {
  const values = headers.getAll('content-length');
  const value = values.length === 1 ? values[0] : values.join(', ');
  if (value.length === 0 || value.length > 15) throw invalidLength(value);
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i) - 48;
    if (c < 0 || c > 9) throw invalidLength(value);
    n = n * 10 + c;
  }
  return n;
}

function invalidLength(value: string): TiercelError {
  return new TiercelError('ERR_TIERCEL_INVALID_HEADER', `Invalid content-length '${value}'`);
}
