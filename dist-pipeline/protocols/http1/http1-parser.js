import { InvalidOptionError } from '../../connection/errors.js';
import { BadRequestError, RequestRejectionReason as R } from './rejection.js';
import { RequestHead } from './request-head.js';
import { CONNECT, FIELD_VALUE, HEX, PRI, QDTEXT, TARGET, TOKEN, headerKind, internMethod, latin1, equalsLower, } from './http1-tokens.js';
import { CONNECTION_CLOSE, CONNECTION_KEEP_ALIVE, CONNECTION_UPGRADE, connectionOptions, parseContentLength, transferEncodingProblem, } from './http1-framing.js';
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
 * any pieces; it reports requests to its handler and never touches a socket.
 *
 * `execute(chunk)` returns how many bytes of `chunk` it consumed:
 * - `chunk.length`: all of it; feed the next chunk when it arrives.
 * - less: it stopped; `status` says why. 'paused': a callback called `pause()`; call `resume()`
 *   and `execute(chunk.subarray(n))` later. 'upgraded': the request was CONNECT or an accepted
 *   Upgrade; the rest belongs to the tunnel/new protocol (or call `resume()` to go on with
 *   HTTP/1.1 when the upgrade is declined). 'closed': the message was not keep-alive; later bytes
 *   are not requests and must be discarded.
 * - it throws a `BadRequestError` for input that breaks RFC 9112 or a limit. The parser is then
 *   dead ('failed'); the driver answers `err.status` and closes.
 *
 * Only the unfinished token of a chunk (a method, target, name or value split by the chunk
 * boundary) is copied, and only after the size limit of its section has been checked.
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
    /** Bytes of the current section (request line, header or trailer section) in earlier chunks. */
    #sectionBytes = 0;
    /** Bytes of the token in progress that arrived in earlier chunks (copied here). */
    #carry = null;
    #carryLen = 0;
    // Per request.
    #head = null;
    #method = '';
    #target = '';
    #versionIndex = 0;
    #versionMinor = 1;
    #fieldCount = 0;
    #inTrailers = false;
    #name = '';
    #kind = 0 /* HeaderKind.Other */;
    #connection = 0;
    #hasUpgradeField = false;
    #hasTransferEncoding = false;
    #remaining = 0;
    #chunkSize = 0;
    #chunkDigits = 0;
    #ext = 0 /* X.NameStart */;
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
     * Stops `execute` at the next event boundary: right after the callback that calls it (after the
     * last body piece, onMessageComplete still comes first). Until `resume()`, `execute` consumes
     * nothing and returns 0.
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
        // Where the token in progress starts in this chunk; -1 when none is.
        let mark = state === 2 /* S.Method */ || state === 3 /* S.Target */ || state === 7 /* S.HeaderName */ || state === 9 /* S.HeaderValue */ ? 0 : -1;
        // The current section started `sectionBytes` before this chunk: its size at p is p - sectionStart.
        let sectionStart = -this.#sectionBytes;
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
                    mark = p;
                    state = 2 /* S.Method */;
                    continue;
                }
                case 2 /* S.Method */: {
                    while (p < len && TOKEN[chunk[p]] === 1)
                        p++;
                    if (p === len)
                        break;
                    if (chunk[p] !== SP || (p === mark && this.#carryLen === 0))
                        return this.#fail(R.InvalidMethod);
                    const method = this.#carryLen === 0 ? internMethod(chunk, mark, p) : this.#carriedMethod(chunk, mark, p);
                    // RFC 9113 §3.4: PRI is reserved for the HTTP/2 preface; never an HTTP/1.1 request.
                    if (method === PRI)
                        return this.#fail(R.UnexpectedHttp2Preface);
                    this.#method = method;
                    p++;
                    mark = p;
                    state = 3 /* S.Target */;
                    continue;
                }
                case 3 /* S.Target */: {
                    while (p < len && TARGET[chunk[p]] === 1)
                        p++;
                    if (p === len)
                        break;
                    const b = chunk[p];
                    if (b !== SP)
                        return this.#fail(b === CR || b === LF ? R.InvalidRequestLine : R.InvalidRequestTarget);
                    if (p === mark && this.#carryLen === 0)
                        return this.#fail(R.InvalidRequestTarget);
                    this.#target = this.#token(chunk, mark, p);
                    mark = -1;
                    p++;
                    state = 4 /* S.Version */;
                    this.#versionIndex = 0;
                    // The whole version and its CR are here (the usual case): check them in one go.
                    if (p + 9 <= len &&
                        chunk[p + 8] === CR &&
                        chunk[p] === 0x48 &&
                        chunk[p + 1] === 0x54 &&
                        chunk[p + 2] === 0x54 &&
                        chunk[p + 3] === 0x50 &&
                        chunk[p + 4] === 0x2f &&
                        chunk[p + 5] === 0x31 &&
                        chunk[p + 6] === 0x2e &&
                        (chunk[p + 7] === 0x31 || chunk[p + 7] === 0x30)) {
                        this.#versionMinor = chunk[p + 7] === 0x31 ? 1 : 0;
                        p += 9;
                        state = 5 /* S.ReqLineLf */;
                    }
                    continue;
                }
                case 1 /* S.ReqStartLf */:
                    if (chunk[p] !== LF)
                        return this.#fail(R.BareCarriageReturn);
                    p++;
                    state = 0 /* S.ReqStart */;
                    continue;
                case 4 /* S.Version */:
                    this.#versionByte(chunk[p]);
                    p++;
                    if (++this.#versionIndex === 9)
                        state = 5 /* S.ReqLineLf */;
                    continue;
                case 5 /* S.ReqLineLf */:
                    if (chunk[p] !== LF)
                        return this.#fail(R.BareCarriageReturn);
                    p++;
                    if (p - sectionStart > this.#maxLine)
                        return this.#fail(R.RequestLineTooLong);
                    this.#startHead();
                    sectionStart = p;
                    state = 6 /* S.HeaderStart */;
                    continue;
                case 6 /* S.HeaderStart */: {
                    const b = chunk[p];
                    if (TOKEN[b] === 0) {
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
                    if (++this.#fieldCount > this.#maxCount)
                        return this.#fail(R.TooManyHeaders);
                    mark = p;
                    p++;
                    state = 7 /* S.HeaderName */;
                    continue;
                }
                case 7 /* S.HeaderName */: {
                    while (p < len && TOKEN[chunk[p]] === 1)
                        p++;
                    if (p === len)
                        break;
                    const b = chunk[p];
                    if (b !== COLON)
                        return this.#fail(b === SP || b === HTAB ? R.WhitespaceBeforeColon : R.InvalidHeaderName);
                    if (this.#carryLen === 0) {
                        this.#kind = this.#inTrailers ? 0 /* HeaderKind.Other */ : headerKind(chunk, mark, p);
                        this.#name = latin1(chunk, mark, p);
                    }
                    else {
                        this.#carriedName(chunk, mark, p);
                    }
                    mark = -1;
                    p++;
                    state = 8 /* S.HeaderOws */;
                    continue;
                }
                case 8 /* S.HeaderOws */: {
                    let b = 0;
                    while (p < len && ((b = chunk[p]) === SP || b === HTAB))
                        p++;
                    if (p === len)
                        break;
                    mark = p;
                    state = 9 /* S.HeaderValue */;
                    continue;
                }
                case 9 /* S.HeaderValue */: {
                    while (p < len && FIELD_VALUE[chunk[p]] === 1)
                        p++;
                    if (p === len)
                        break;
                    const b = chunk[p];
                    if (b !== CR)
                        return this.#fail(b === LF ? R.BareLineFeed : R.InvalidHeaderValue);
                    let value;
                    if (this.#carryLen === 0) {
                        // Trailing OWS is not part of the value (RFC 9110 §5.5); trim it on the bytes.
                        let end = p;
                        while (end > mark && ((chunk[end - 1] === SP || chunk[end - 1] === HTAB)))
                            end--;
                        value = latin1(chunk, mark, end);
                    }
                    else {
                        value = trimEnd(this.#token(chunk, mark, p));
                    }
                    mark = -1;
                    this.#field(value);
                    p++;
                    if (p < len && chunk[p] === LF) {
                        p++;
                        if (p - sectionStart > this.#sectionLimit())
                            return this.#fail(this.#sectionReason());
                        state = 6 /* S.HeaderStart */;
                    }
                    else {
                        state = 10 /* S.HeaderLf */;
                    }
                    continue;
                }
                case 10 /* S.HeaderLf */:
                    if (chunk[p] !== LF)
                        return this.#fail(R.BareCarriageReturn);
                    p++;
                    if (p - sectionStart > this.#sectionLimit())
                        return this.#fail(this.#sectionReason());
                    state = 6 /* S.HeaderStart */;
                    continue;
                case 11 /* S.HeadersEndLf */: {
                    if (chunk[p] !== LF)
                        return this.#fail(R.BareCarriageReturn);
                    p++;
                    if (p - sectionStart > this.#sectionLimit())
                        return this.#fail(this.#sectionReason());
                    if (this.#inTrailers) {
                        this.#complete();
                        state = this.#state;
                        sectionStart = p;
                    }
                    else {
                        state = this.#state = this.#headersComplete();
                        this.#handler.onRequestHead(this.#head);
                        // A message without a body is complete with its head.
                        if (state === 0 /* S.ReqStart */) {
                            this.#complete();
                            state = this.#state;
                            sectionStart = p;
                        }
                    }
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
                        sectionStart = p;
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
                    this.#ext = 0 /* X.NameStart */;
                    if (++this.#extBytes > this.#maxExt)
                        return this.#fail(R.ChunkExtensionsTooLarge);
                    state = 14 /* S.ChunkExt */;
                    continue;
                }
                case 14 /* S.ChunkExt */:
                    p = this.#chunkExtension(chunk, p);
                    if (this.#ext === 7 /* X.Done */)
                        state = 15 /* S.ChunkSizeLf */;
                    continue;
                case 15 /* S.ChunkSizeLf */:
                    if (chunk[p] !== LF)
                        return this.#fail(R.BareCarriageReturn);
                    p++;
                    if (this.#chunkSize === 0) {
                        // The last chunk: trailers follow (RFC 9112 §7.1.2), read with the header states.
                        this.#inTrailers = true;
                        this.#fieldCount = 0;
                        sectionStart = p;
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
                    if (this.#remaining === 0) {
                        // The usual case: the CRLF after the data is right here.
                        if (end + 2 <= len && chunk[end] === CR && chunk[end + 1] === LF) {
                            state = 13 /* S.ChunkSize */;
                            this.#chunkSize = 0;
                            this.#chunkDigits = 0;
                            this.#handler.onBody(chunk.subarray(p, end));
                            p = end + 2;
                        }
                        else {
                            state = 17 /* S.ChunkDataCr */;
                            this.#handler.onBody(chunk.subarray(p, end));
                            p = end;
                        }
                    }
                    else {
                        this.#handler.onBody(chunk.subarray(p, end));
                        p = end;
                    }
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
                    // Upgraded, Closed, Failed: unreachable, execute returned before the loop.
                    return p;
            }
        }
        // The chunk ended inside a section: refuse it now if it is already too big, before copying.
        const size = len - sectionStart;
        if (state <= 5 /* S.ReqLineLf */) {
            if (size > this.#maxLine)
                return this.#fail(R.RequestLineTooLong);
        }
        else if (state <= 11 /* S.HeadersEndLf */) {
            if (size > this.#sectionLimit())
                return this.#fail(this.#sectionReason());
        }
        if (mark >= 0 && mark < len)
            this.#appendCarry(chunk, mark, len);
        this.#sectionBytes = size;
        this.#state = state;
        return len;
    }
    // ---- request line ---------------------------------------------------------------------
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
    #startHead() {
        const method = this.#method;
        const target = this.#target;
        const isConnect = method === CONNECT;
        const form = targetForm(target, isConnect);
        if (form === null)
            this.#fail(R.InvalidRequestTarget);
        this.#head = new RequestHead(method, target, form, this.#versionMinor, isConnect);
        this.#method = this.#target = '';
        this.#fieldCount = 0;
    }
    // ---- header fields --------------------------------------------------------------------
    #field(value) {
        const head = this.#head;
        if (this.#inTrailers) {
            (head.trailers ??= []).push(this.#name, value);
            return;
        }
        head.rawHeaders.push(this.#name, value);
        if (this.#kind !== 0 /* HeaderKind.Other */)
            this.#framingField(head, this.#kind, value);
    }
    #framingField(head, kind, value) {
        switch (kind) {
            case 1 /* HeaderKind.Host */:
                if (head.host !== null)
                    this.#fail(R.DuplicateHost);
                head.host = value;
                break;
            case 5 /* HeaderKind.ContentLength */: {
                // Duplicates are refused even when equal: `5` then `5` is how CL-CL desync starts.
                if (head.contentLength !== -1)
                    this.#fail(R.DuplicateContentLength);
                if (this.#hasTransferEncoding)
                    this.#fail(R.ContentLengthWithTransferEncoding);
                const n = parseContentLength(value);
                if (n < 0)
                    this.#fail(R.InvalidContentLength);
                head.contentLength = n;
                break;
            }
            case 6 /* HeaderKind.TransferEncoding */: {
                if (this.#hasTransferEncoding)
                    this.#fail(R.DuplicateTransferEncoding);
                this.#hasTransferEncoding = true;
                if (head.contentLength !== -1)
                    this.#fail(R.ContentLengthWithTransferEncoding);
                // RFC 9112 §6.1: HTTP/1.0 has no Transfer-Encoding; an intermediary may not agree on it.
                if (head.versionMinor === 0)
                    this.#fail(R.TransferEncodingInHttp10);
                const problem = transferEncodingProblem(value);
                if (problem !== null)
                    this.#fail(problem);
                head.chunked = true;
                break;
            }
            case 4 /* HeaderKind.Connection */:
                this.#connection |= connectionOptions(value);
                break;
            case 3 /* HeaderKind.Upgrade */:
                this.#hasUpgradeField = true;
                break;
            case 2 /* HeaderKind.Expect */:
                if (equalsLower(value, 0, value.length, '100-continue'))
                    head.expectContinue = true;
                break;
        }
    }
    /** Settles keep-alive and upgrade, and returns the state that reads the body. */
    #headersComplete() {
        const head = this.#head;
        const conn = this.#connection;
        head.keepAlive =
            (conn & CONNECTION_CLOSE) === 0 && (head.versionMinor === 1 || (conn & CONNECTION_KEEP_ALIVE) !== 0);
        // RFC 9110 §7.8: Upgrade is ignored in HTTP/1.0.
        head.upgrade = (conn & CONNECTION_UPGRADE) !== 0 && this.#hasUpgradeField && head.versionMinor === 1;
        if (this.#carry !== null && this.#carry.length > CARRY_KEEP)
            this.#carry = null;
        // CONNECT has no body (RFC 9110 §9.3.6): what follows the head is the tunnel, even with a Content-Length.
        if (head.isConnect)
            return 0 /* S.ReqStart */;
        if (head.chunked) {
            this.#chunkSize = 0;
            this.#chunkDigits = 0;
            this.#extBytes = 0;
            return 13 /* S.ChunkSize */;
        }
        if (head.contentLength > 0) {
            this.#remaining = head.contentLength;
            return 12 /* S.Body */;
        }
        return 0 /* S.ReqStart */;
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
            this.#nextMessage();
        this.#handler.onMessageComplete();
    }
    #nextMessage() {
        if (this.#head !== null && !this.#head.keepAlive) {
            this.#state = 20 /* S.Closed */;
            return;
        }
        this.#state = 0 /* S.ReqStart */;
        this.#inTrailers = false;
        this.#connection = 0;
        this.#hasUpgradeField = false;
        this.#hasTransferEncoding = false;
        this.#sectionBytes = 0;
    }
    /** Leaves execute early, at an event boundary: no section or token is open there. */
    #stop(p, state) {
        this.#state = state;
        this.#sectionBytes = 0;
        return p;
    }
    // ---- chunk extensions -----------------------------------------------------------------
    /**
     * Validates `*( ";" token [ "=" ( token / quoted-string ) ] )` up to the CR, byte by byte (rare,
     * so kept simple), counting the bytes against the per-message limit. Sets the sub-state past
     * Done when the CR is reached. Returns the new position.
     */
    #chunkExtension(chunk, p) {
        const len = chunk.length;
        let x = this.#ext;
        let count = this.#extBytes;
        const start = p;
        for (; p < len; p++) {
            const b = chunk[p];
            switch (x) {
                case 0 /* X.NameStart */:
                    if (TOKEN[b] === 0)
                        this.#fail(R.InvalidChunkExtension);
                    x = 1 /* X.Name */;
                    continue;
                case 1 /* X.Name */:
                case 3 /* X.Value */:
                    if (TOKEN[b] === 1)
                        continue;
                    if (b === 0x3d /* = */ && x === 1 /* X.Name */)
                        x = 2 /* X.ValueStart */;
                    else if (b === 0x3b /* ; */)
                        x = 0 /* X.NameStart */;
                    else if (b === CR)
                        break;
                    else
                        this.#fail(b === LF ? R.BareLineFeed : R.InvalidChunkExtension);
                    continue;
                case 2 /* X.ValueStart */:
                    if (b === 0x22 /* " */)
                        x = 4 /* X.Quoted */;
                    else if (TOKEN[b] === 1)
                        x = 3 /* X.Value */;
                    else
                        this.#fail(R.InvalidChunkExtension);
                    continue;
                case 4 /* X.Quoted */:
                    if (b === 0x22)
                        x = 6 /* X.QuotedEnd */;
                    else if (b === 0x5c /* \ */)
                        x = 5 /* X.QuotedEscape */;
                    else if (QDTEXT[b] === 0)
                        this.#fail(R.InvalidChunkExtension);
                    continue;
                case 5 /* X.QuotedEscape */:
                    // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
                    if (b !== HTAB && (b < 0x20 || b === 0x7f))
                        this.#fail(R.InvalidChunkExtension);
                    x = 4 /* X.Quoted */;
                    continue;
                case 6 /* X.QuotedEnd */:
                    if (b === 0x3b)
                        x = 0 /* X.NameStart */;
                    else if (b === CR)
                        break;
                    else
                        this.#fail(R.InvalidChunkExtension);
                    continue;
            }
            // Reached the CR that ends the chunk-size line.
            x = 7 /* X.Done */;
            p++;
            break;
        }
        count += p - start;
        if (count > this.#maxExt)
            this.#fail(R.ChunkExtensionsTooLarge);
        this.#extBytes = count;
        this.#ext = x;
        return p;
    }
    // ---- tokens split across chunks -------------------------------------------------------
    #appendCarry(src, start, end) {
        const need = this.#carryLen + (end - start);
        let carry = this.#carry;
        if (carry === null || need > carry.length) {
            const grown = Buffer.allocUnsafe(Math.max(need, carry === null ? 256 : carry.length * 2));
            if (carry !== null)
                carry.copy(grown, 0, 0, this.#carryLen);
            this.#carry = carry = grown;
        }
        src.copy(carry, this.#carryLen, start, end);
        this.#carryLen = need;
    }
    /** The token that began in an earlier chunk and ends at buf[end]. */
    #token(buf, start, end) {
        if (this.#carryLen === 0)
            return latin1(buf, start, end);
        this.#appendCarry(buf, start, end);
        const s = latin1(this.#carry, 0, this.#carryLen);
        this.#carryLen = 0;
        return s;
    }
    #carriedMethod(buf, start, end) {
        this.#appendCarry(buf, start, end);
        const s = internMethod(this.#carry, 0, this.#carryLen);
        this.#carryLen = 0;
        return s;
    }
    #carriedName(buf, start, end) {
        this.#appendCarry(buf, start, end);
        const carry = this.#carry;
        this.#kind = this.#inTrailers ? 0 /* HeaderKind.Other */ : headerKind(carry, 0, this.#carryLen);
        this.#name = latin1(carry, 0, this.#carryLen);
        this.#carryLen = 0;
    }
    // ---- limits and failure ---------------------------------------------------------------
    #sectionLimit() {
        return this.#inTrailers ? this.#maxTrailers : this.#maxHeaders;
    }
    #sectionReason() {
        return this.#inTrailers ? R.TrailersTooLarge : R.HeadersTooLarge;
    }
    #fail(reason) {
        const error = new BadRequestError(reason);
        this.#error = error;
        this.#state = 21 /* S.Failed */;
        this.#carry = null;
        throw error;
    }
}
/** The target's form (RFC 9112 §3.2), or null when it has none of them. */
function targetForm(target, isConnect) {
    const c0 = target.charCodeAt(0);
    if (isConnect) {
        // authority-form = uri-host ":" port, and only for CONNECT (RFC 9112 §3.2.3).
        const colon = target.lastIndexOf(':');
        if (colon <= 0 || c0 === 0x2f || c0 === 0x2a)
            return null;
        for (let i = colon + 1; i < target.length; i++) {
            const c = target.charCodeAt(i);
            if (c < 0x30 || c > 0x39)
                return null;
        }
        return target.indexOf('/') < 0 && target.indexOf('@') < 0 ? 'authority' : null;
    }
    if (c0 === 0x2f /* / */)
        return 'origin';
    if (c0 === 0x2a /* * */)
        return target.length === 1 ? 'asterisk' : null;
    // absolute-form starts with a scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
    if (!isAlpha(c0))
        return null;
    for (let i = 1; i < target.length; i++) {
        const c = target.charCodeAt(i);
        if (c === 0x3a)
            return 'absolute';
        if (!isAlpha(c) && !(c >= 0x30 && c <= 0x39) && c !== 0x2b && c !== 0x2d && c !== 0x2e)
            return null;
    }
    return null;
}
function isAlpha(c) {
    return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function trimEnd(s) {
    let end = s.length;
    let c = 0;
    while (end > 0 && ((c = s.charCodeAt(end - 1)) === SP || c === HTAB))
        end--;
    return end === s.length ? s : s.slice(0, end);
}
function limit(limits, name) {
    const value = limits[name] ?? DEFAULT_PARSER_LIMITS[name];
    if (!Number.isSafeInteger(value) || value < 1) {
        throw new InvalidOptionError(name, `must be a positive integer (got ${String(value)})`);
    }
    return value;
}
//# sourceMappingURL=http1-parser.js.map