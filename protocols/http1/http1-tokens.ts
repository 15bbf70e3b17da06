// Byte tables and byte-level matchers for the HTTP/1.1 parser. One array read per byte beats a
// regex, and matching known names on the Buffer avoids making a string only to compare it.
import { FIELD_VALUE, TOKEN } from '../http/header-chars.js';

export { FIELD_VALUE, TOKEN };

/**
 * The bytes the parser tests for by value. A const enum, so each use compiles to a literal: a
 * module-level `const` is a context slot in the bundle, which optimised code loads and checks
 * again at every use, inside the per-byte loops too.
 */
export const enum Byte {
  HTAB = 0x09,
  LF = 0x0a,
  CR = 0x0d,
  SP = 0x20,
  SLASH = 0x2f,
  COLON = 0x3a,
  DEL = 0x7f,
}

/** Hex digit value, or 0xff for anything else. */
export const HEX = new Uint8Array(256).fill(0xff);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[0x41 + c] = 10 + c;
  HEX[0x61 + c] = 10 + c;
}

/** qdtext (RFC 9110 §5.6.4): HTAB, SP, VCHAR except `"` and `\`, obs-text. */
export const QDTEXT = new Uint8Array(256);
QDTEXT[0x09] = 1;
for (let c = 0x20; c <= 0xff; c++) QDTEXT[c] = 1;
QDTEXT[0x22] = 0;
QDTEXT[0x5c] = 0;
QDTEXT[0x7f] = 0;

// Interned method strings: a request's method is `===` one of these, at no allocation.
export const GET = 'GET';
export const PUT = 'PUT';
export const POST = 'POST';
export const HEAD = 'HEAD';
export const PATCH = 'PATCH';
export const TRACE = 'TRACE';
export const DELETE = 'DELETE';
export const OPTIONS = 'OPTIONS';
export const CONNECT = 'CONNECT';
export const PRI = 'PRI';

interface Latin1Buffer extends Buffer {
  // Node's own Buffer#toString('latin1') ends here after argument checks; not in @types/node.
  latin1Slice(start: number, end: number): string;
}

/** Bytes [start, end) as a latin1 string: one byte, one char (RFC 9110 §5.5 obs-text). */
export function latin1(buf: Buffer, start: number, end: number): string {
  return (buf as Latin1Buffer).latin1Slice(start, end);
}

/** The method in buf[start, end), as an interned constant when it is a common one. */
export function internMethod(b: Buffer, s: number, e: number): string {
  switch (e - s) {
    case 3:
      if (b[s] === 0x47 && b[s + 1] === 0x45 && b[s + 2] === 0x54) return GET;
      if (b[s] === 0x50 && b[s + 1] === 0x55 && b[s + 2] === 0x54) return PUT;
      if (b[s] === 0x50 && b[s + 1] === 0x52 && b[s + 2] === 0x49) return PRI;
      break;
    case 4:
      if (b[s + 1] === 0x4f && b[s] === 0x50 && b[s + 2] === 0x53 && b[s + 3] === 0x54) return POST;
      if (b[s + 1] === 0x45 && b[s] === 0x48 && b[s + 2] === 0x41 && b[s + 3] === 0x44) return HEAD;
      break;
    case 5:
      if (equalsAt(b, s, 'PATCH')) return PATCH;
      if (equalsAt(b, s, 'TRACE')) return TRACE;
      break;
    case 6:
      if (equalsAt(b, s, 'DELETE')) return DELETE;
      break;
    case 7:
      if (equalsAt(b, s, 'OPTIONS')) return OPTIONS;
      if (equalsAt(b, s, 'CONNECT')) return CONNECT;
      break;
  }
  return latin1(b, s, e);
}

function equalsAt(b: Buffer, s: number, lit: string): boolean {
  for (let i = 0; i < lit.length; i++) if (b[s + i] !== lit.charCodeAt(i)) return false;
  return true;
}

/** What a header name means to the framing logic; everything else is `Other`. */
export const enum HeaderKind {
  Other = 0,
  Host,
  Expect,
  Upgrade,
  Connection,
  ContentLength,
  TransferEncoding,
}

/**
 * Classifies the header name in buf[start, end) case-insensitively, by length first so most names
 * are decided by one switch. `| 0x20` lower-cases letters and leaves `-` and digits alone; the
 * only other byte it could fold onto `-` is CR, which a token never holds.
 */
export function headerKind(b: Buffer, s: number, e: number): HeaderKind {
  switch (e - s) {
    case 4:
      return (b[s] | 0x20) === 0x68 && lowerEqualsAt(b, s, 'host') ? HeaderKind.Host : HeaderKind.Other;
    case 6:
      return (b[s] | 0x20) === 0x65 && lowerEqualsAt(b, s, 'expect') ? HeaderKind.Expect : HeaderKind.Other;
    case 7:
      return (b[s] | 0x20) === 0x75 && lowerEqualsAt(b, s, 'upgrade') ? HeaderKind.Upgrade : HeaderKind.Other;
    case 10:
      return (b[s] | 0x20) === 0x63 && lowerEqualsAt(b, s, 'connection') ? HeaderKind.Connection : HeaderKind.Other;
    case 14:
      return (b[s] | 0x20) === 0x63 && lowerEqualsAt(b, s, 'content-length') ? HeaderKind.ContentLength : HeaderKind.Other;
    case 17:
      return (b[s] | 0x20) === 0x74 && lowerEqualsAt(b, s, 'transfer-encoding')
        ? HeaderKind.TransferEncoding
        : HeaderKind.Other;
  }
  return HeaderKind.Other;
}

function lowerEqualsAt(b: Buffer, s: number, lower: string): boolean {
  for (let i = 1; i < lower.length; i++) if ((b[s + i] | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}
