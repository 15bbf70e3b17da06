// Conditional requests (RFC 9110 §13) and byte ranges (§14) for a file's validators: pure
// functions over header values, so every case is tested without a file.

/** A file's validators: its entity tag (with quotes) and modification time (whole seconds, ms). */
export interface Validators {
  readonly etag: string | undefined;
  readonly lastModified: number | undefined;
}

/** The preconditions' verdict (RFC 9110 §13.2.2): go on, 304, or 412. */
export type PreconditionResult = 'proceed' | 'not-modified' | 'failed';

/** The entity tags of an `If-Match`/`If-None-Match` list, as sent (quotes and `W/` kept); `*` alone is `['*']`. */
export function entityTags(value: string): string[] {
  const tags: string[] = [];
  let i = 0;
  const n = value.length;
  while (i < n) {
    const c = value.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x2c) {
      i++;
      continue;
    }
    if (c === 0x2a /* * */) {
      tags.push('*');
      i++;
      continue;
    }
    const start = i;
    if (c === 0x57 /* W */ && value.charCodeAt(i + 1) === 0x2f) i += 2;
    if (value.charCodeAt(i) !== 0x22) {
      // Not an entity-tag: skip to the next comma, so one bad member spoils nothing else.
      const comma = value.indexOf(',', i);
      i = comma < 0 ? n : comma + 1;
      continue;
    }
    const close = value.indexOf('"', i + 1);
    if (close < 0) break;
    tags.push(value.slice(start, close + 1));
    i = close + 1;
  }
  return tags;
}

const opaque = (tag: string): string => (tag.startsWith('W/') ? tag.slice(2) : tag);

/** Strong comparison (§8.8.3.2): neither is weak and the opaque tags are equal. */
function strongMatch(list: string[], etag: string): boolean {
  if (etag.startsWith('W/')) return false;
  for (const tag of list) if (tag === '*' || tag === etag) return true;
  return false;
}

/** Weak comparison: the opaque tags are equal, weak or not. */
function weakMatch(list: string[], etag: string): boolean {
  const mine = opaque(etag);
  for (const tag of list) if (tag === '*' || opaque(tag) === mine) return true;
  return false;
}

/** An HTTP-date as ms since the epoch, or undefined when it is not one (then the condition is ignored, §13.1.3). */
function httpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * RFC 9110 §13.2.2's order: If-Match, else If-Unmodified-Since (412 when false); then
 * If-None-Match (304 for GET/HEAD, else 412), else If-Modified-Since for GET/HEAD (304).
 */
export function evaluatePreconditions(
  get: (name: string) => string | undefined,
  method: string,
  v: Validators,
): PreconditionResult {
  const ifMatch = get('if-match');
  if (ifMatch !== undefined) {
    const list = entityTags(ifMatch);
    if (!(list.includes('*') || (v.etag !== undefined && strongMatch(list, v.etag)))) return 'failed';
  } else {
    const since = httpDate(get('if-unmodified-since'));
    if (since !== undefined && v.lastModified !== undefined && v.lastModified > since) return 'failed';
  }
  const safe = method === 'GET' || method === 'HEAD';
  const ifNoneMatch = get('if-none-match');
  if (ifNoneMatch !== undefined) {
    const list = entityTags(ifNoneMatch);
    if (list.includes('*') || (v.etag !== undefined && weakMatch(list, v.etag))) return safe ? 'not-modified' : 'failed';
  } else if (safe) {
    const since = httpDate(get('if-modified-since'));
    if (since !== undefined && v.lastModified !== undefined && v.lastModified <= since) return 'not-modified';
  }
  return 'proceed';
}

/**
 * True when `If-Range` (§13.1.5) lets the Range apply: an entity tag that matches strongly, or
 * the exact Last-Modified date. Absent, it always does.
 */
export function ifRangeAllows(value: string | undefined, v: Validators): boolean {
  if (value === undefined) return true;
  const trimmed = value.trim();
  if (trimmed.charCodeAt(0) === 0x22 || trimmed.startsWith('W/')) return v.etag !== undefined && strongMatch([trimmed], v.etag);
  const date = httpDate(trimmed);
  return date !== undefined && v.lastModified !== undefined && date === v.lastModified;
}

/** One satisfiable byte range, both ends inclusive. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The byte range a `Range` header asks of a `size`-byte representation (§14.1.2): a ByteRange,
 * `'unsatisfiable'` (416) when no range overlaps the file, or undefined when the header is to be
 * ignored and the whole file sent (§14.2 allows it): not `bytes=`, malformed, or more than one
 * range (multipart/byteranges is not offered; a client asking for several gets the whole file).
 */
export function parseRange(value: string, size: number): ByteRange | 'unsatisfiable' | undefined {
  const eq = value.indexOf('=');
  if (eq < 0 || value.slice(0, eq).trim().toLowerCase() !== 'bytes') return undefined;
  const spec = value.slice(eq + 1).trim();
  if (spec.includes(',')) return undefined;
  const dash = spec.indexOf('-');
  if (dash < 0) return undefined;
  const first = spec.slice(0, dash).trim();
  const last = spec.slice(dash + 1).trim();
  if (!isDigits(first) && first !== '') return undefined;
  if (!isDigits(last) && last !== '') return undefined;
  if (first === '') {
    // A suffix range: the last N bytes.
    if (last === '') return undefined;
    const n = Number(last);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return { start, end };
}

function isDigits(s: string): boolean {
  if (s === '') return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
