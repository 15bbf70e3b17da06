import { InvalidOptionError } from '../../connection/errors.js';
import { BadRequestError, RequestRejectionReason as R } from './rejection.js';
import { RequestHead } from './request-head.js';
import { CONNECT, FIELD_VALUE, HEX, PRI, TARGET, TOKEN, headerKind, internMethod, latin1 } from './http1-tokens.js';
import { CONNECTION_CLOSE, CONNECTION_KEEP_ALIVE, CONNECTION_UPGRADE, connectionOptions, equalsLower, isChunkedOnly, parseContentLength, transferEncodingProblem, } from './http1-framing.js';
import { ChunkExtensionScanner, EXT_BARE_LF } from './chunk-extension.js';
export { RequestHead, assertValidHost, isValidHostValue } from './request-head.js';
/** Kestrel's defaults for the first three; Node's 16 KiB chunk-extension cap; trailers as headers. */
export const DEFAULT_PARSER_LIMITS = Object.freeze({
    maxRequestLineSize: 8192,
    maxRequestHeadersTotalSize: 32768,
    maxRequestHeaderCount: 100,
    maxChunkExtensionSize: 16384,
    maxTrailerSize: 32768,
});
const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;
const MAX_CHUNK_SIZE = 2 ** 53;
// A carry buffer that grew for one huge head is dropped afterwards, not kept per connection.
const CARRY_KEEP = 4096;
/**
 * A strict, push-based HTTP/1.1 request parser (RFC 9112). Feed it the bytes of a connection in
 * pieces of any size; it reports requests to its handler and never touches a socket.
 *
 * `execute(chunk)` returns how many bytes of `chunk` it consumed:
 * - `chunk.length`: all of it; feed the next chunk when it arrives.
 * - less: it stopped; `status` says why. 'paused': a callback called `pause()`; call `resume()`
 *   and `execute(chunk.subarray(n))` later. 'upgraded': the request was CONNECT or an Upgrade;
 *   the rest belongs to the tunnel or the new protocol (or call `resume()` to go on with HTTP/1.1
 *   when the upgrade is declined). 'closed': the message was not keep-alive; later bytes are not
 *   requests and must be discarded.
 * - it throws a `BadRequestError` for input that breaks RFC 9112 or a limit. The parser is then
 *   dead ('failed', every later `execute` throws the same error); the driver answers
 *   `err.status` and closes.
 *
 * How it stays fast: the head is scanned once with table lookups, recording offsets; when the
 * empty line arrives, the head is decoded with one latin1 slice and every string is a substring
 * of it. A head split across chunks is continued in a carry buffer holding only that unfinished
 * head, copied after its size has been checked against the limits.
 */
export class Http1Parser {
    #handler;
    #maxLine;
    #maxHeaders;
    #maxCount;
    #maxExt;
    #maxTrailers;
    #state = 0 /* S.ReqStart */;
    #paused = false;
    #error = null;
    #head = null;
    // The head (or trailer section) being scanned. Offsets are relative to its first byte, so
    // they stay valid when its bytes move from a chunk to the carry.
    #carry = null;
    #carryLen = 0;
    #sectionOffset = 0; // where the current section (request line, fields) begins
    #offsets = []; // per field: name start, name end, value start, value end
    #offsetCount = 0;
    #inTrailers = false;
    #method = '';
    #targetStart = 0;
    #targetEnd = 0;
    #versionIndex = 0;
    #versionMinor = 1;
    #kind = 0 /* HeaderKind.Other */;
    // What the framing fields said, settled on the head when it is complete.
    #contentLength = -1;
    #chunked = false;
    #hasTransferEncoding = false;
    #connection = 0;
    #hasUpgradeField = false;
    #expectContinue = false;
    #hostField = -1;
    // The body.
    #remaining = 0;
    #chunkSize = 0;
    #chunkDigits = 0;
    #extScanner = new ChunkExtensionScanner();
    #extBytes = 0;
    constructor(handler, limits = DEFAULT_PARSER_LIMITS) {
        this.#handler = handler;
        this.#maxLine = limit(limits, 'maxRequestLineSize');
        this.#maxHeaders = limit(limits, 'maxRequestHeadersTotalSize');
        this.#maxCount = limit(limits, 'maxRequestHeaderCount');
        this.#maxExt = limit(limits, 'maxChunkExtensionSize');
        this.#maxTrailers = limit(limits, 'maxTrailerSize');
    }
    get status() {
        switch (this.#state) {
            case 19 /* S.Upgraded */:
                return 'upgraded';
            case 20 /* S.Closed */:
                return 'closed';
            case 21 /* S.Failed */:
                return 'failed';
        }
        return this.#paused ? 'paused' : 'running';
    }
    /** The rejection that killed the parser, if any. */
    get error() {
        return this.#error;
    }
    /**
     * True between messages: no byte of a next request has arrived, so EOF here is a clean end
     * (llhttp's "finish is safe"), and an idle timeout is a keep-alive timeout, not a slow request.
     */
    get isIdle() {
        const s = this.#state;
        return s === 0 /* S.ReqStart */ || s === 19 /* S.Upgraded */ || s === 20 /* S.Closed */;
    }
    /** The head of the request being read, from its empty line until the next request starts. */
    get currentHead() {
        return this.#head;
    }
    /**
     * Stops `execute` at the next event boundary: right after the callback that calls it. Two
     * events are never split: onMessageComplete follows the last body piece, and a request without
     * a body completes together with its head. Until `resume()`, `execute` consumes nothing.
     */
    pause() {
        this.#paused = true;
    }
    /**
     * Undoes `pause()`. After an upgrade stop, goes on parsing HTTP/1.1 (the driver declined the
     * upgrade and answered normally); for CONNECT, consider closing instead, as the client may
     * already be sending tunnel bytes.
     */
    resume() {
        this.#paused = false;
        if (this.#state === 19 /* S.Upgraded */)
            this.#nextMessage();
    }
    execute(chunk) {
        let state = this.#state;
        if (state >= 19 /* S.Upgraded */) {
            if (state === 21 /* S.Failed */)
                throw this.#error;
            return 0;
        }
        if (this.#paused)
            return 0;
        const len = chunk.length;
        let p = 0;
        if (this.#carryLen > 0) {
            // A head began in an earlier chunk: continue it in the carry, where its bytes are
            // contiguous. Take no more than can still fit the limits, so the copy is bounded.
            const before = this.#carryLen;
            const budget = (this.#inTrailers ? this.#maxTrailers : this.#maxLine + this.#maxHeaders) + 1 - before;
            const take = Math.min(len, Math.max(budget, 1));
            this.#appendCarry(chunk, 0, take);
            const carry = this.#carry;
            const end = this.#scanHead(carry, before, before + take, 0);
            if (end < 0)
                return take;
            p = end - before;
            this.#carryLen = 0;
            state = this.#headDone(carry, 0, end);
            if (this.#paused || state >= 19 /* S.Upgraded */)
                return this.#stop(p, state);
        }
        while (p < len) {
            switch (state) {
                case 0 /* S.ReqStart */: {
                    const b = chunk[p];
                    if (b === CR) {
                        p++;
                        state = 1 /* S.ReqStartLf */;
                        continue;
                    }
                    if (b === LF)
                        return this.#fail(R.BareLineFeed);
                    this.#startMessage();
                    state = 2 /* S.Method */;
                    continue;
                }
                case 1 /* S.ReqStartLf */:
                    if (chunk[p] !== LF)
                        return this.#fail(R.BareCarriageReturn);
                    p++;
                    state = 0 /* S.ReqStart */;
                    continue;
                case 2 /* S.Method */:
                case 3 /* S.Target */:
                case 4 /* S.Version */:
                case 5 /* S.ReqLineLf */:
                case 6 /* S.HeaderStart */:
                case 7 /* S.HeaderName */:
                case 8 /* S.HeaderOws */:
                case 9 /* S.HeaderValue */:
                case 10 /* S.HeaderLf */:
                case 11 /* S.HeadersEndLf */: {
                    // The head starts here (with an empty carry, no byte of it came earlier).
                    this.#state = state;
                    const end = this.#scanHead(chunk, p, len, p);
                    if (end < 0) {
                        this.#appendCarry(chunk, p, len);
                        return len;
                    }
                    state = this.#headDone(chunk, p, end);
                    p = end;
                    if (this.#paused || state >= 19 /* S.Upgraded */)
                        return this.#stop(p, state);
                    continue;
                }
                case 12 /* S.Body */: {
                    const n = Math.min(this.#remaining, len - p);
                    const end = p + n;
                    this.#remaining -= n;
                    this.#handler.onBody(chunk.subarray(p, end));
                    p = end;
                    if (this.#remaining === 0) {
                        this.#complete();
                        state = this.#state;
                    }
                    if (this.#paused || state >= 19 /* S.Upgraded */)
                        return this.#stop(p, state);
                    continue;
                }
                case 13 /* S.ChunkSize */: {
                    let size = this.#chunkSize;
                    let digits = this.#chunkDigits;
                    let v = 0;
                    while (p < len && (v = HEX[chunk[p]]) !== 0xff) {
                        size = size * 16 + v;
                        // Past 2^53 the sum is inexact; `ffffffffffffffffff` must not wrap to something small.
                        if (size > MAX_CHUNK_SIZE)
                            return this.#fail(R.ChunkSizeOverflow);
                        digits++;
                        p++;
                    }
                    this.#chunkSize = size;
                    this.#chunkDigits = digits;
                    if (p === len)
                        break;
                    const b = chunk[p];
                    // No BWS before `;` or CRLF: llhttp refuses it too, and leniency here is a smuggling vector.
                    if (digits === 0 || (b !== CR && b !== 0x3b)) {
                        return this.#fail(b === LF && digits > 0 ? R.BareLineFeed : R.InvalidChunkSize);
                    }
                    p++;
                    if (b === CR) {
                        state = 15 /* S.ChunkSizeLf */;
                        continue;
                    }
                    this.#extScanner.reset();
                    if (++this.#extBytes > this.#maxExt)
                        return this.#fail(R.ChunkExtensionsTooLarge);
                    state = 14 /* S.ChunkExt */;
                    continue;
                }
                case 14 /* S.ChunkExt */: {
                    const next = this.#extScanner.scan(chunk, p, len);
                    if (next < 0)
                        return this.#fail(next === EXT_BARE_LF ? R.BareLineFeed : R.InvalidChunkExtension);
                    this.#extBytes += next - p;
                    if (this.#extBytes > this.#maxExt)
                        return this.#fail(R.ChunkExtensionsTooLarge);
                    p = next;
                    if (this.#extScanner.done)
                        state = 15 /* S.ChunkSizeLf */;
                    continue;
                }
                case 15 /* S.ChunkSizeLf */:
                    if (chunk[p] !== LF)
                        return this.#fail(R.BareCarriageReturn);
                    p++;
                    if (this.#chunkSize === 0) {
                        // The last chunk: trailer fields follow (RFC 9112 §7.1.2), read like a head.
                        this.#inTrailers = true;
                        this.#sectionOffset = 0;
                        this.#offsetCount = 0;
                        state = 6 /* S.HeaderStart */;
                    }
                    else {
                        this.#remaining = this.#chunkSize;
                        state = 16 /* S.ChunkData */;
                    }
                    continue;
                case 16 /* S.ChunkData */: {
                    const n = Math.min(this.#remaining, len - p);
                    const end = p + n;
                    this.#remaining -= n;
                    let next = end;
                    if (this.#remaining === 0) {
                        // Usually the CRLF after the data is right here.
                        if (end + 2 <= len && chunk[end] === CR && chunk[end + 1] === LF) {
                            state = 13 /* S.ChunkSize */;
                            this.#chunkSize = 0;
                            this.#chunkDigits = 0;
                            next = end + 2;
                        }
                        else {
                            state = 17 /* S.ChunkDataCr */;
                        }
                    }
                    this.#handler.onBody(chunk.subarray(p, end));
                    p = next;
                    if (this.#paused)
                        return this.#stop(p, state);
                    continue;
                }
                case 17 /* S.ChunkDataCr */:
                    if (chunk[p] !== CR)
                        return this.#fail(R.InvalidChunkTerminator);
                    p++;
                    state = 18 /* S.ChunkDataLf */;
                    continue;
                case 18 /* S.ChunkDataLf */:
                    if (chunk[p] !== LF)
                        return this.#fail(R.BareCarriageReturn);
                    p++;
                    this.#chunkSize = 0;
                    this.#chunkDigits = 0;
                    state = 13 /* S.ChunkSize */;
                    continue;
                default:
                    // Upgraded, Closed, Failed: execute returned before the loop.
                    return p;
            }
        }
        this.#state = state;
        return len;
    }
    // ---- the head -------------------------------------------------------------------------
    #startMessage() {
        this.#inTrailers = false;
        this.#sectionOffset = 0;
        this.#offsetCount = 0;
        this.#contentLength = -1;
        this.#chunked = false;
        this.#hasTransferEncoding = false;
        this.#connection = 0;
        this.#hasUpgradeField = false;
        this.#expectContinue = false;
        this.#hostField = -1;
    }
    /**
     * Scans head bytes buf[p, len) where the head began at buf[base], from the saved state.
     * Returns the position after the empty line, or -1 when more bytes are needed (state saved,
     * limits checked). Fields are validated and recorded as offsets; framing fields are read here,
     * at the end of their line, so a bad one is refused at once.
     */
    #scanHead(buf, p, len, base) {
        // Tables in locals: an imported binding is re-read through its module cell on every access.
        const token = TOKEN;
        const fieldValue = FIELD_VALUE;
        const offsets = this.#offsets;
        const sectionLimit = this.#inTrailers ? this.#maxTrailers : this.#maxHeaders;
        let state = this.#state;
        let n = this.#offsetCount;
        let section = this.#sectionOffset;
        let b = 0;
        while (p < len) {
            switch (state) {
                case 2 /* S.Method */: {
                    while (p < len && token[buf[p]] === 1)
                        p++;
                    if (p === len)
                        break;
                    if (buf[p] !== SP || p === base)
                        return this.#fail(R.InvalidMethod);
                    const method = internMethod(buf, base, p);
                    // RFC 9113 §3.4: PRI is reserved for the HTTP/2 preface; never an HTTP/1.1 request.
                    if (method === PRI)
                        return this.#fail(R.UnexpectedHttp2Preface);
                    this.#method = method;
                    p++;
                    this.#targetStart = p - base;
                    state = 3 /* S.Target */;
                    continue;
                }
                case 3 /* S.Target */: {
                    const target = TARGET;
                    while (p < len && target[buf[p]] === 1)
                        p++;
                    if (p === len)
                        break;
                    b = buf[p];
                    if (b !== SP)
                        return this.#fail(b === CR || b === LF ? R.InvalidRequestLine : R.InvalidRequestTarget);
                    if (p - base === this.#targetStart)
                        return this.#fail(R.InvalidRequestTarget);
                    this.#targetEnd = p - base;
                    p++;
                    this.#versionIndex = 0;
                    state = 4 /* S.Version */;
                    // The whole version and its CRLF are here (the usual case): check them in one go.
                    if (p + 10 <= len &&
                        buf[p + 9] === LF &&
                        buf[p + 8] === CR &&
                        buf[p] === 0x48 &&
                        buf[p + 1] === 0x54 &&
                        buf[p + 2] === 0x54 &&
                        buf[p + 3] === 0x50 &&
                        buf[p + 4] === 0x2f &&
                        buf[p + 5] === 0x31 &&
                        buf[p + 6] === 0x2e &&
                        ((b = buf[p + 7]) === 0x31 || b === 0x30)) {
                        this.#versionMinor = b === 0x31 ? 1 : 0;
                        p += 10;
                        if (p - base > this.#maxLine)
                            return this.#fail(R.RequestLineTooLong);
                        this.#requestLineDone(buf, base);
                        section = p - base;
                        state = 6 /* S.HeaderStart */;
                    }
                    continue;
                }
                case 4 /* S.Version */:
                    this.#versionByte(buf[p]);
                    p++;
                    if (++this.#versionIndex === 9)
                        state = 5 /* S.ReqLineLf */;
                    continue;
                case 5 /* S.ReqLineLf */:
                    if (buf[p] !== LF)
                        return this.#fail(R.BareCarriageReturn);
                    p++;
                    if (p - base > this.#maxLine)
                        return this.#fail(R.RequestLineTooLong);
                    this.#requestLineDone(buf, base);
                    section = p - base;
                    state = 6 /* S.HeaderStart */;
                    continue;
                case 6 /* S.HeaderStart */: {
                    b = buf[p];
                    if (token[b] === 0) {
                        if (b === CR) {
                            p++;
                            state = 11 /* S.HeadersEndLf */;
                            continue;
                        }
                        return this.#fail(b === SP || b === HTAB
                            ? R.ObsoleteLineFolding
                            : b === LF
                                ? R.BareLineFeed
                                : b === COLON
                                    ? R.EmptyHeaderName
                                    : R.InvalidHeaderName);
                    }
                    if (n >= this.#maxCount * 4)
                        return this.#fail(R.TooManyHeaders);
                    const nameStart = p;
                    offsets[n] = p - base;
                    // Fast path: the whole `name: value CRLF` line is in the buffer. Anything else (a split
                    // line, an error) goes back to the byte states from just after the name's first byte.
                    p++;
                    while (p < len && token[buf[p]] === 1)
                        p++;
                    if (p < len && buf[p] === COLON) {
                        const nameEnd = p;
                        p++;
                        while (p < len && ((b = buf[p]) === SP || b === HTAB))
                            p++;
                        const valueStart = p;
                        while (p < len && fieldValue[buf[p]] === 1)
                            p++;
                        if (p + 1 < len && buf[p] === CR && buf[p + 1] === LF) {
                            let end = p;
                            while (end > valueStart && ((b = buf[end - 1]) === SP || b === HTAB))
                                end--;
                            offsets[n + 1] = nameEnd - base;
                            offsets[n + 2] = valueStart - base;
                            offsets[n + 3] = end - base;
                            if (!this.#inTrailers) {
                                const kind = headerKind(buf, nameStart, nameEnd);
                                if (kind !== 0 /* HeaderKind.Other */)
                                    this.#framingField(kind, buf, valueStart, end, n >> 2);
                            }
                            n += 4;
                            p += 2;
                            if (p - base - section > sectionLimit)
                                return this.#fail(this.#sectionReason());
                            continue;
                        }
                    }
                    p = nameStart + 1;
                    state = 7 /* S.HeaderName */;
                    continue;
                }
                case 7 /* S.HeaderName */:
                    while (p < len && token[buf[p]] === 1)
                        p++;
                    if (p === len)
                        break;
                    b = buf[p];
                    if (b !== COLON)
                        return this.#fail(b === SP || b === HTAB ? R.WhitespaceBeforeColon : R.InvalidHeaderName);
                    offsets[n + 1] = p - base;
                    this.#kind = this.#inTrailers ? 0 /* HeaderKind.Other */ : headerKind(buf, base + offsets[n], p);
                    p++;
                    state = 8 /* S.HeaderOws */;
                    continue;
                case 8 /* S.HeaderOws */:
                    while (p < len && ((b = buf[p]) === SP || b === HTAB))
                        p++;
                    if (p === len)
                        break;
                    offsets[n + 2] = p - base;
                    state = 9 /* S.HeaderValue */;
                    continue;
                case 9 /* S.HeaderValue */: {
                    while (p < len && fieldValue[buf[p]] === 1)
                        p++;
                    if (p === len)
                        break;
                    b = buf[p];
                    if (b !== CR)
                        return this.#fail(b === LF ? R.BareLineFeed : R.InvalidHeaderValue);
                    // Trailing OWS is not part of the value (RFC 9110 §5.5).
                    const start = base + offsets[n + 2];
                    let end = p;
                    while (end > start && ((b = buf[end - 1]) === SP || b === HTAB))
                        end--;
                    offsets[n + 3] = end - base;
                    if (this.#kind !== 0 /* HeaderKind.Other */)
                        this.#framingField(this.#kind, buf, start, end, n >> 2);
                    n += 4;
                    p++;
                    if (p < len && buf[p] === LF) {
                        p++;
                        if (p - base - section > sectionLimit)
                            return this.#fail(this.#sectionReason());
                        state = 6 /* S.HeaderStart */;
                    }
                    else {
                        state = 10 /* S.HeaderLf */;
                    }
                    continue;
                }
                case 10 /* S.HeaderLf */:
                    if (buf[p] !== LF)
                        return this.#fail(R.BareCarriageReturn);
                    p++;
                    if (p - base - section > sectionLimit)
                        return this.#fail(this.#sectionReason());
                    state = 6 /* S.HeaderStart */;
                    continue;
                case 11 /* S.HeadersEndLf */:
                    if (buf[p] !== LF)
                        return this.#fail(R.BareCarriageReturn);
                    p++;
                    if (p - base - section > sectionLimit)
                        return this.#fail(this.#sectionReason());
                    this.#offsetCount = n;
                    return p;
            }
        }
        // The buffer ended inside the head: refuse it now if it is already too big, before any copy.
        if (state <= 5 /* S.ReqLineLf */) {
            if (len - base > this.#maxLine)
                return this.#fail(R.RequestLineTooLong);
        }
        else if (len - base - section > sectionLimit) {
            return this.#fail(this.#sectionReason());
        }
        this.#state = state;
        this.#offsetCount = n;
        this.#sectionOffset = section;
        return -1;
    }
    /** One byte of `HTTP/1.x` + CR, when the version arrives split (the fast path handles the rest). */
    #versionByte(b) {
        const i = this.#versionIndex;
        if (i < 5) {
            if (b !== 'HTTP/'.charCodeAt(i))
                this.#fail(R.InvalidVersion);
        }
        else if (i === 5 || i === 7) {
            if (b < 0x30 || b > 0x39)
                this.#fail(R.InvalidVersion);
            // A well-formed version we do not speak: 505 (RFC 9110 §15.6.6), decided on its first digit.
            if (i === 5 ? b !== 0x31 : b > 0x31)
                this.#fail(R.UnsupportedHttpVersion);
            if (i === 7)
                this.#versionMinor = b === 0x31 ? 1 : 0;
        }
        else if (i === 6) {
            if (b !== 0x2e)
                this.#fail(R.InvalidVersion);
        }
        else if (b !== CR) {
            this.#fail(b === LF ? R.BareLineFeed : R.InvalidVersion);
        }
    }
    #requestLineDone(buf, base) {
        if (targetForm(buf, base + this.#targetStart, base + this.#targetEnd, this.#method === CONNECT) === null) {
            this.#fail(R.InvalidRequestTarget);
        }
    }
    #framingField(kind, buf, s, e, index) {
        switch (kind) {
            case 1 /* HeaderKind.Host */:
                if (this.#hostField >= 0)
                    this.#fail(R.DuplicateHost);
                this.#hostField = index;
                break;
            case 5 /* HeaderKind.ContentLength */: {
                // Duplicates are refused even when equal: `5` then `5` is how CL-CL desync starts.
                if (this.#contentLength !== -1)
                    this.#fail(R.DuplicateContentLength);
                if (this.#hasTransferEncoding)
                    this.#fail(R.ContentLengthWithTransferEncoding);
                const length = parseContentLength(buf, s, e);
                if (length < 0)
                    this.#fail(R.InvalidContentLength);
                this.#contentLength = length;
                break;
            }
            case 6 /* HeaderKind.TransferEncoding */:
                if (this.#hasTransferEncoding)
                    this.#fail(R.DuplicateTransferEncoding);
                this.#hasTransferEncoding = true;
                if (this.#contentLength !== -1)
                    this.#fail(R.ContentLengthWithTransferEncoding);
                // RFC 9112 §6.1: HTTP/1.0 has no Transfer-Encoding; an intermediary may not agree on it.
                if (this.#versionMinor === 0)
                    this.#fail(R.TransferEncodingInHttp10);
                if (!isChunkedOnly(buf, s, e))
                    this.#fail(transferEncodingProblem(buf, s, e));
                this.#chunked = true;
                break;
            case 4 /* HeaderKind.Connection */:
                this.#connection |= connectionOptions(buf, s, e);
                break;
            case 3 /* HeaderKind.Upgrade */:
                this.#hasUpgradeField = true;
                break;
            case 2 /* HeaderKind.Expect */:
                if (equalsLower(buf, s, e, '100-continue'))
                    this.#expectContinue = true;
                break;
        }
    }
    /**
     * The empty line of a head (or trailer section) ending at buf[end] was read: make its strings
     * — one latin1 decode, then substrings — and report it. Returns the next state.
     */
    #headDone(buf, base, end) {
        const text = latin1(buf, base, end);
        const offsets = this.#offsets;
        const n = this.#offsetCount;
        const fields = new Array(n >> 1);
        for (let i = 0, j = 0; i < n; i += 4, j += 2) {
            fields[j] = text.substring(offsets[i], offsets[i + 1]);
            fields[j + 1] = text.substring(offsets[i + 2], offsets[i + 3]);
        }
        if (this.#carry !== null && this.#carry.length > CARRY_KEEP)
            this.#carry = null;
        if (this.#inTrailers) {
            if (n > 0)
                this.#head.trailers = fields;
            this.#complete();
            return this.#state;
        }
        const method = this.#method;
        const isConnect = method === CONNECT;
        const target = text.substring(this.#targetStart, this.#targetEnd);
        const minor = this.#versionMinor;
        const head = new RequestHead(method, target, targetFormOf(target, isConnect), minor, isConnect, fields);
        const conn = this.#connection;
        head.keepAlive = (conn & CONNECTION_CLOSE) === 0 && (minor === 1 || (conn & CONNECTION_KEEP_ALIVE) !== 0);
        // RFC 9110 §7.8: Upgrade is ignored in HTTP/1.0.
        head.upgrade = (conn & CONNECTION_UPGRADE) !== 0 && this.#hasUpgradeField && minor === 1;
        head.contentLength = this.#contentLength;
        head.chunked = this.#chunked;
        head.expectContinue = this.#expectContinue;
        if (this.#hostField >= 0)
            head.host = fields[2 * this.#hostField + 1];
        this.#head = head;
        // CONNECT has no body (RFC 9110 §9.3.6): what follows is the tunnel, even with a Content-Length.
        let next = 0 /* S.ReqStart */;
        if (!isConnect) {
            if (head.chunked) {
                this.#chunkSize = 0;
                this.#chunkDigits = 0;
                this.#extBytes = 0;
                next = 13 /* S.ChunkSize */;
            }
            else if (head.contentLength > 0) {
                this.#remaining = head.contentLength;
                next = 12 /* S.Body */;
            }
        }
        this.#state = next;
        this.#handler.onRequestHead(head);
        if (next === 0 /* S.ReqStart */)
            this.#complete();
        return this.#state;
    }
    // ---- message end ----------------------------------------------------------------------
    /** Reports the end of the message; then stops for upgrade/close or gets ready for the next. */
    #complete() {
        const head = this.#head;
        if (head.upgrade || head.isConnect)
            this.#state = 19 /* S.Upgraded */;
        else if (!head.keepAlive)
            this.#state = 20 /* S.Closed */;
        else
            this.#state = 0 /* S.ReqStart */;
        this.#handler.onMessageComplete();
    }
    #nextMessage() {
        this.#state = this.#head !== null && !this.#head.keepAlive ? 20 /* S.Closed */ : 0 /* S.ReqStart */;
    }
    /** Leaves execute early, at an event boundary: no head is half-scanned there. */
    #stop(p, state) {
        this.#state = state;
        return p;
    }
    // ---- buffers, limits, failure ---------------------------------------------------------
    #appendCarry(src, start, end) {
        const need = this.#carryLen + (end - start);
        let carry = this.#carry;
        if (carry === null || need > carry.length) {
            const grown = Buffer.allocUnsafe(Math.max(need, carry === null ? 1024 : carry.length * 2));
            if (carry !== null)
                carry.copy(grown, 0, 0, this.#carryLen);
            this.#carry = carry = grown;
        }
        src.copy(carry, this.#carryLen, start, end);
        this.#carryLen = need;
    }
    #sectionReason() {
        return this.#inTrailers ? R.TrailersTooLarge : R.HeadersTooLarge;
    }
    #fail(reason) {
        const error = new BadRequestError(reason);
        this.#error = error;
        this.#state = 21 /* S.Failed */;
        this.#carry = null;
        this.#carryLen = 0;
        throw error;
    }
}
/** The target's form (RFC 9112 §3.2) from its bytes, or null when it has none of them. */
function targetForm(b, s, e, isConnect) {
    const c0 = b[s];
    if (isConnect) {
        // authority-form = uri-host ":" port, and only for CONNECT (RFC 9112 §3.2.3).
        let colon = -1;
        for (let i = s; i < e; i++) {
            const c = b[i];
            if (c === 0x2f || c === 0x40 || c === 0x3f || c === 0x23)
                return null; // / @ ? #
            if (c === COLON)
                colon = i;
        }
        if (colon <= s)
            return null;
        for (let i = colon + 1; i < e; i++)
            if (b[i] < 0x30 || b[i] > 0x39)
                return null;
        return 'authority';
    }
    if (c0 === 0x2f /* / */)
        return 'origin';
    if (c0 === 0x2a /* * */)
        return e - s === 1 ? 'asterisk' : null;
    // absolute-form starts with a scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
    if (!isAlpha(c0))
        return null;
    for (let i = s + 1; i < e; i++) {
        const c = b[i];
        if (c === COLON)
            return 'absolute';
        if (!isAlpha(c) && !(c >= 0x30 && c <= 0x39) && c !== 0x2b && c !== 0x2d && c !== 0x2e)
            return null;
    }
    return null;
}
/** The form of a target already validated by targetForm. */
function targetFormOf(target, isConnect) {
    if (isConnect)
        return 'authority';
    const c0 = target.charCodeAt(0);
    return c0 === 0x2f ? 'origin' : c0 === 0x2a ? 'asterisk' : 'absolute';
}
function isAlpha(c) {
    return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function limit(limits, name) {
    const value = limits[name] ?? DEFAULT_PARSER_LIMITS[name];
    if (!Number.isSafeInteger(value) || value < 1) {
        throw new InvalidOptionError(name, `must be a positive integer (got ${String(value)})`);
    }
    return value;
}
//# sourceMappingURL=http1-parser.js.map