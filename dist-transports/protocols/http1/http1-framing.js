// Readers for the header fields that decide message framing and connection fate. They run once
// per such field, on the already-validated value string (SP/HTAB and field-vchar only).
import { RequestRejectionReason as R } from './rejection.js';
import { equalsLower } from './http1-tokens.js';
/** Content-Length = 1*DIGIT (RFC 9110 §8.6): no sign, no inner space, no list. -1 if invalid. */
export function parseContentLength(value) {
    const n = value.length;
    if (n === 0)
        return -1;
    let v = 0;
    for (let i = 0; i < n; i++) {
        const d = value.charCodeAt(i) - 0x30;
        if (d < 0 || d > 9)
            return -1;
        v = v * 10 + d;
        // Past 2^53 the sum is no longer exact; nobody has such a body, so refuse instead of guessing.
        if (v > Number.MAX_SAFE_INTEGER)
            return -1;
    }
    return v;
}
export const CONNECTION_CLOSE = 1;
export const CONNECTION_KEEP_ALIVE = 2;
export const CONNECTION_UPGRADE = 4;
/** The connection options (RFC 9110 §7.6.1) we act on, as CONNECTION_* bits. */
export function connectionOptions(value) {
    let bits = 0;
    const n = value.length;
    let i = 0;
    while (i < n) {
        let c = value.charCodeAt(i);
        while (i < n && (c === 0x20 || c === 0x09 || c === 0x2c))
            c = value.charCodeAt(++i);
        const start = i;
        while (i < n && (c = value.charCodeAt(i)) !== 0x2c)
            i++;
        let end = i;
        while (end > start && ((c = value.charCodeAt(end - 1)) === 0x20 || c === 0x09))
            end--;
        const len = end - start;
        if (len === 5 && equalsLower(value, start, end, 'close'))
            bits |= CONNECTION_CLOSE;
        else if (len === 10 && equalsLower(value, start, end, 'keep-alive'))
            bits |= CONNECTION_KEEP_ALIVE;
        else if (len === 7 && equalsLower(value, start, end, 'upgrade'))
            bits |= CONNECTION_UPGRADE;
    }
    return bits;
}
/**
 * Judges a Transfer-Encoding value. Only a lone `chunked` is read (returns null). RFC 9112 §6.3:
 * when chunked is not the final coding the length cannot be known, so 400; codings before a
 * final chunked are well-framed but not implemented here, so 501 — the body is never read by
 * length in either case (the request-smuggling shape).
 */
export function transferEncodingProblem(value) {
    const n = value.length;
    if (n === 7 && equalsLower(value, 0, 7, 'chunked'))
        return null;
    let chunkedSeen = 0;
    let lastIsChunked = false;
    let i = 0;
    while (i <= n) {
        let end = value.indexOf(',', i);
        if (end < 0)
            end = n;
        let s = i;
        let e = end;
        while (s < e && isOws(value.charCodeAt(s)))
            s++;
        while (e > s && isOws(value.charCodeAt(e - 1)))
            e--;
        lastIsChunked = equalsLower(value, s, e, 'chunked');
        if (lastIsChunked)
            chunkedSeen++;
        i = end + 1;
    }
    if (lastIsChunked && chunkedSeen === 1)
        return R.UnsupportedTransferEncoding;
    return R.InvalidTransferEncoding;
}
function isOws(c) {
    return c === 0x20 || c === 0x09;
}
//# sourceMappingURL=http1-framing.js.map