import { RequestRejectionReason as R } from './rejection.js';
/** Content-Length = 1*DIGIT (RFC 9110 §8.6): no sign, no inner space, no list. -1 if invalid. */
export declare function parseContentLength(value: string): number;
export declare const CONNECTION_CLOSE = 1;
export declare const CONNECTION_KEEP_ALIVE = 2;
export declare const CONNECTION_UPGRADE = 4;
/** The connection options (RFC 9110 §7.6.1) we act on, as CONNECTION_* bits. */
export declare function connectionOptions(value: string): number;
/**
 * Judges a Transfer-Encoding value. Only a lone `chunked` is read (returns null). RFC 9112 §6.3:
 * when chunked is not the final coding the length cannot be known, so 400; codings before a
 * final chunked are well-framed but not implemented here, so 501 — the body is never read by
 * length in either case (the request-smuggling shape).
 */
export declare function transferEncodingProblem(value: string): R | null;
