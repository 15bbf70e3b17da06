// Readers for the header fields that decide message framing and connection fate. They run on
// the bytes of a field value as soon as its line ends (so a bad one is refused before the head
// is complete), and the bytes are already known to be SP/HTAB/field-vchar.
import { RequestRejectionReason as R } from './rejection.js';
/** Content-Length = 1*DIGIT (RFC 9110 §8.6): no sign, no inner space, no list. -1 if invalid. */
export function parseContentLength(b, s, e) {
    if (s === e)
        return -1;
    let v = 0;
    for (let i = s; i < e; i++) {
        const d = b[i] - 0x30;
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
export function connectionOptions(b, s, e) {
    let bits = 0;
    let i = s;
    while (i < e) {
        while (i < e && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x2c))
            i++;
        const start = i;
        while (i < e && b[i] !== 0x2c)
            i++;
        let end = i;
        while (end > start && (b[end - 1] === 0x20 || b[end - 1] === 0x09))
            end--;
        switch (end - start) {
            case 5:
                if (equalsLower(b, start, end, 'close'))
                    bits |= CONNECTION_CLOSE;
                break;
            case 10:
                if (equalsLower(b, start, end, 'keep-alive'))
                    bits |= CONNECTION_KEEP_ALIVE;
                break;
            case 7:
                if (equalsLower(b, start, end, 'upgrade'))
                    bits |= CONNECTION_UPGRADE;
                break;
        }
    }
    return bits;
}
/** True when b[s, e) is the lone coding `chunked` (any case). */
export function isChunkedOnly(b, s, e) {
    return equalsLower(b, s, e, 'chunked');
}
/**
 * Why a Transfer-Encoding value other than a lone `chunked` is refused. RFC 9112 §6.3: when
 * chunked is not the final coding the length cannot be known, so 400; codings before a final
 * chunked are well-framed but not implemented here, so 501. The body is never read by length.
 */
export function transferEncodingProblem(b, s, e) {
    let chunkedCount = 0;
    let lastIsChunked = false;
    for (let i = s; i <= e;) {
        let j = i;
        while (j < e && b[j] !== 0x2c)
            j++;
        let ps = i;
        let pe = j;
        while (ps < pe && (b[ps] === 0x20 || b[ps] === 0x09))
            ps++;
        while (pe > ps && (b[pe - 1] === 0x20 || b[pe - 1] === 0x09))
            pe--;
        lastIsChunked = equalsLower(b, ps, pe, 'chunked');
        if (lastIsChunked)
            chunkedCount++;
        i = j + 1;
    }
    return lastIsChunked && chunkedCount === 1 ? R.UnsupportedTransferEncoding : R.InvalidTransferEncoding;
}
/** ASCII case-insensitive comparison of b[s, e) with a lower-case literal. */
export function equalsLower(b, s, e, lower) {
    if (e - s !== lower.length)
        return false;
    for (let i = 0; i < lower.length; i++) {
        const c = b[s + i];
        // Fold letters only; folding anything else could make `\r` equal `-`.
        if ((c >= 0x41 && c <= 0x5a ? c | 0x20 : c) !== lower.charCodeAt(i))
            return false;
    }
    return true;
}
//# sourceMappingURL=http1-framing.js.map