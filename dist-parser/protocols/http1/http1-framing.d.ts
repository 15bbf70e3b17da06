import { RequestRejectionReason as R } from './rejection.js';
/** Content-Length = 1*DIGIT (RFC 9110 §8.6): no sign, no inner space, no list. -1 if invalid. */
export declare function parseContentLength(b: Buffer, s: number, e: number): number;
export declare const CONNECTION_CLOSE = 1;
export declare const CONNECTION_KEEP_ALIVE = 2;
export declare const CONNECTION_UPGRADE = 4;
/** The connection options (RFC 9110 §7.6.1) we act on, as CONNECTION_* bits. */
export declare function connectionOptions(b: Buffer, s: number, e: number): number;
/** True when b[s, e) is the lone coding `chunked` (any case). */
export declare function isChunkedOnly(b: Buffer, s: number, e: number): boolean;
/**
 * Why a Transfer-Encoding value other than a lone `chunked` is refused. RFC 9112 §6.3: when
 * chunked is not the final coding the length cannot be known, so 400; codings before a final
 * chunked are well-framed but not implemented here, so 501. The body is never read by length.
 */
export declare function transferEncodingProblem(b: Buffer, s: number, e: number): R;
/** ASCII case-insensitive comparison of b[s, e) with a lower-case literal. */
export declare function equalsLower(b: Buffer, s: number, e: number, lower: string): boolean;
