import { FIELD_VALUE, TOKEN } from '../http/header-chars.js';
export { FIELD_VALUE, TOKEN };
/**
 * Request-target bytes: visible ASCII (0x21-0x7E). Wider than RFC 3986 on purpose (`"`, `\`, `|`,
 * `{` are sent by real clients and llhttp accepts them), but no CTL, SP, DEL or bytes >= 0x80.
 */
export declare const TARGET: Uint8Array<ArrayBuffer>;
/** Hex digit value, or 0xff for anything else. */
export declare const HEX: Uint8Array<ArrayBuffer>;
/** qdtext (RFC 9110 §5.6.4): HTAB, SP, VCHAR except `"` and `\`, obs-text. */
export declare const QDTEXT: Uint8Array<ArrayBuffer>;
export declare const GET = "GET";
export declare const PUT = "PUT";
export declare const POST = "POST";
export declare const HEAD = "HEAD";
export declare const PATCH = "PATCH";
export declare const TRACE = "TRACE";
export declare const DELETE = "DELETE";
export declare const OPTIONS = "OPTIONS";
export declare const CONNECT = "CONNECT";
export declare const PRI = "PRI";
/** Bytes [start, end) as a latin1 string: one byte, one char (RFC 9110 §5.5 obs-text). */
export declare function latin1(buf: Buffer, start: number, end: number): string;
/** The method in buf[start, end), as an interned constant when it is a common one. */
export declare function internMethod(b: Buffer, s: number, e: number): string;
/** What a header name means to the framing logic; everything else is `Other`. */
export declare const enum HeaderKind {
    Other = 0,
    Host = 1,
    Expect = 2,
    Upgrade = 3,
    Connection = 4,
    ContentLength = 5,
    TransferEncoding = 6
}
/**
 * Classifies the header name in buf[start, end) case-insensitively, by length first so most names
 * are decided by one switch. `| 0x20` lower-cases letters and leaves `-` and digits alone; the
 * only other byte it could fold onto `-` is CR, which a token never holds.
 */
export declare function headerKind(b: Buffer, s: number, e: number): HeaderKind;
