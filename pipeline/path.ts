// Request-target and path helpers: pure functions, so the hot path can stay allocation-free and
// the edge cases can be tested without a server.

const SLASH = 0x2f;
const PERCENT = 0x25;
const DOT = 0x2e;

/**
 * The path part of a request-target with its query removed, before decoding: the target itself
 * for origin-form (`/a/b`), the URL's path for absolute-form (`http://h/a` → `/a`, `http://h` → `/`),
 * `*` for asterisk-form and `''` for authority-form (`host:443`, CONNECT), which has no path.
 */
export function rawPathOf(targetWithoutQuery: string): string {
  if (targetWithoutQuery.charCodeAt(0) === SLASH) return targetWithoutQuery;
  if (targetWithoutQuery === '*') return '*';
  const scheme = targetWithoutQuery.indexOf('://');
  if (scheme < 0) return '';
  const slash = targetWithoutQuery.indexOf('/', scheme + 3);
  return slash < 0 ? '/' : targetWithoutQuery.slice(slash);
}

/** The authority of an absolute-form target (`http://user@h:8080/a` → `h:8080`), else undefined. */
export function authorityOf(target: string): string | undefined {
  if (target.charCodeAt(0) === SLASH) return undefined;
  const scheme = target.indexOf('://');
  if (scheme < 0) return undefined;
  let end = target.length;
  for (let i = scheme + 3; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c === SLASH || c === 0x3f /* ? */ || c === 0x23 /* # */) {
      end = i;
      break;
    }
  }
  const authority = target.slice(scheme + 3, end);
  const at = authority.lastIndexOf('@');
  return at < 0 ? authority : authority.slice(at + 1);
}

/**
 * Decodes an origin-form path as Kestrel does: percent-escapes become characters (UTF-8), except
 * `%2F`, which stays encoded so an escaped slash never becomes a segment separator, and `%00`,
 * which stays encoded so no NUL reaches file-system code. Malformed escapes and invalid UTF-8 are
 * kept as sent. Dot segments (`.`, `..`, also when escaped) are then removed (RFC 3986 §5.2.4) so
 * `/public/../admin` cannot slip past a `map('/admin')` check. A path with neither `%` nor `/.`
 * is returned as is, without allocating.
 */
export function decodePath(raw: string): string {
  if (raw.charCodeAt(0) !== SLASH) return raw;
  // One pass over the usual path, which has neither an escape nor a dot segment.
  let prev = SLASH;
  for (let i = 1; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === PERCENT || (c === DOT && prev === SLASH)) return decodeSlow(raw);
    prev = c;
  }
  return raw;
}

function decodeSlow(raw: string): string {
  let path = raw;
  if (raw.indexOf('%') >= 0) path = percentDecode(raw);
  if (path.indexOf('/.') >= 0) path = removeDotSegments(path);
  return path;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** The byte of a `%XX` escape at `i`, or -1 when there is no well-formed escape there. */
function escapedByte(s: string, i: number): number {
  if (i + 2 >= s.length || s.charCodeAt(i) !== PERCENT) return -1;
  const hi = hexValue(s.charCodeAt(i + 1));
  const lo = hexValue(s.charCodeAt(i + 2));
  return hi < 0 || lo < 0 ? -1 : (hi << 4) | lo;
}

function percentDecode(s: string): string {
  let out = '';
  let start = 0; // first character not yet copied to `out`
  let i = s.indexOf('%');
  while (i >= 0) {
    const b0 = escapedByte(s, i);
    if (b0 < 0 || b0 === 0x2f || b0 === 0x00) {
      i = s.indexOf('%', i + 1);
      continue;
    }
    // A UTF-8 sequence: one lead byte and 0-3 continuation bytes, each its own escape.
    let need = 0;
    let cp = b0;
    let min = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) { need = 1; cp = b0 & 0x1f; min = 0x80; }
    else if (b0 >= 0xe0 && b0 <= 0xef) { need = 2; cp = b0 & 0x0f; min = 0x800; }
    else if (b0 >= 0xf0 && b0 <= 0xf4) { need = 3; cp = b0 & 0x07; min = 0x10000; }
    else if (b0 >= 0x80) { i = s.indexOf('%', i + 3); continue; } // stray continuation or invalid lead
    let j = i + 3;
    let ok = true;
    for (let k = 0; k < need; k++, j += 3) {
      const b = escapedByte(s, j);
      if (b < 0 || (b & 0xc0) !== 0x80) { ok = false; break; }
      cp = (cp << 6) | (b & 0x3f);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8 (RFC 3629 §3).
    if (!ok || cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
      i = s.indexOf('%', i + 3);
      continue;
    }
    out += s.slice(start, i) + String.fromCodePoint(cp);
    start = j;
    i = s.indexOf('%', j);
  }
  return start === 0 ? s : out + s.slice(start);
}

function removeDotSegments(path: string): string {
  const parts = path.split('/');
  const out: string[] = [];
  const last = parts.length - 1;
  for (let i = 1; i <= last; i++) {
    const seg = parts[i];
    if (seg === '.' || seg === '..') {
      if (seg === '..' && out.length > 0) out.pop();
      // `/a/b/..` is the directory `/a/`: keep the trailing slash.
      if (i === last) out.push('');
      continue;
    }
    out.push(seg);
  }
  return '/' + out.join('/');
}

/**
 * Checks a `map()` prefix at build time: it must start with `/`, have at least one character
 * after it and not end with `/` (ASP.NET's rule; `/api/` would never match `/api`).
 */
export function isValidMapPrefix(prefix: string): boolean {
  return typeof prefix === 'string' && prefix.length > 1 && prefix.charCodeAt(0) === SLASH && prefix.charCodeAt(prefix.length - 1) !== SLASH;
}

/**
 * True when `path` starts with the whole segments of `prefix`, ignoring case: `/api` matches
 * `/api`, `/API/x` and `/api/`, not `/apix`. ASCII is folded in a loop (no allocation); a non-ASCII
 * difference falls back to `toLowerCase`.
 */
export function matchesPrefix(path: string, prefix: string): boolean {
  const n = prefix.length;
  if (path.length < n) return false;
  if (path.length > n && path.charCodeAt(n) !== SLASH) return false;
  for (let i = 0; i < n; i++) {
    const a = path.charCodeAt(i);
    const b = prefix.charCodeAt(i);
    if (a === b) continue;
    if (a > 0x7f || b > 0x7f) return path.slice(0, n).toLowerCase() === prefix.toLowerCase();
    const la = a >= 0x41 && a <= 0x5a ? a | 0x20 : a;
    const lb = b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
    if (la !== lb) return false;
  }
  return true;
}
