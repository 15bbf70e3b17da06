import { BadRequestError, RequestRejectionReason as R } from './rejection.js';
import { HeadScanner } from './head-scanner.js';
import { ChunkExtensionScanner, EXT_BARE_LF } from './chunk-extension.js';
import { HEX } from './http1-tokens.js';
import { DEFAULT_PARSER_LIMITS, resolveParserLimits } from './parser-limits.js';
export { RequestHead, assertValidHost, isValidHostValue } from './request-head.js';
export { DEFAULT_PARSER_LIMITS } from './parser-limits.js';
const CR = 0x0d;
const LF = 0x0a;
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
 * How it stays fast: the head is scanned once with table lookups, recording offsets; when its
 * empty line arrives it is decoded with one latin1 slice and every string is a substring of it
 * (see HeadScanner). A head split across chunks continues in a carry buffer holding only that
 * unfinished head, copied after its size has been checked against the limits. Body bytes are
 * never copied.
 */
export class Http1Parser {
    #handler;
    #scanner;
    #maxExt;
    #state = 0 /* S.ReqStart */;
    #paused = false;
    #error = null;
    #head = null;
    /** The unfinished head's bytes from earlier chunks. */
    #carry = null;
    #carryLen = 0;
    #remaining = 0;
    #chunkSize = 0;
    #chunkDigits = 0;
    #extScanner = new ChunkExtensionScanner();
    #extBytes = 0;
    constructor(handler, limits = DEFAULT_PARSER_LIMITS) {
        this.#handler = handler;
        const resolved = resolveParserLimits(limits);
        this.#scanner = new HeadScanner(resolved);
        this.#maxExt = resolved.maxChunkExtensionSize;
    }
    get status() {
        switch (this.#state) {
            case 10 /* S.Upgraded */:
                return 'upgraded';
            case 11 /* S.Closed */:
                return 'closed';
            case 12 /* S.Failed */:
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
        return s === 0 /* S.ReqStart */ || s === 10 /* S.Upgraded */ || s === 11 /* S.Closed */;
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
        if (this.#state === 10 /* S.Upgraded */)
            this.#state = this.#head.keepAlive ? 0 /* S.ReqStart */ : 11 /* S.Closed */;
    }
    execute(chunk) {
        const state = this.#state;
        if (state >= 10 /* S.Upgraded */) {
            if (state === 12 /* S.Failed */)
                throw this.#error;
            return 0;
        }
        if (this.#paused)
            return 0;
        try {
            return this.#run(chunk, state);
        }
        catch (err) {
            if (err instanceof BadRequestError) {
                this.#error = err;
                this.#state = 12 /* S.Failed */;
                this.#carry = null;
                this.#carryLen = 0;
            }
            throw err;
        }
    }
    #run(chunk, state) {
        const len = chunk.length;
        let p = 0;
        if (this.#carryLen > 0) {
            // A head began in an earlier chunk: continue it in the carry, where its bytes are
            // contiguous. Take no more than can still fit the limits, so the copy is bounded.
            const before = this.#carryLen;
            const take = Math.min(len, Math.max(this.#scanner.maxBytes + 1 - before, 1));
            this.#appendCarry(chunk, 0, take);
            const carry = this.#carry;
            const end = this.#scanner.scan(carry, before, before + take, 0);
            if (end < 0)
                return take;
            p = end - before;
            this.#carryLen = 0;
            state = this.#headDone(carry, 0, end);
            if (this.#paused || state >= 10 /* S.Upgraded */)
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
                    this.#scanner.beginRequest();
                    state = 2 /* S.Head */;
                    continue;
                }
                case 1 /* S.ReqStartLf */:
                    if (chunk[p] !== LF)
                        return this.#fail(R.BareCarriageReturn);
                    p++;
                    state = 0 /* S.ReqStart */;
                    continue;
                case 2 /* S.Head */: {
                    // With an empty carry, the head (or trailer section) starts in this chunk, at p.
                    const end = this.#scanner.scan(chunk, p, len, p);
                    if (end < 0) {
                        this.#appendCarry(chunk, p, len);
                        this.#state = state;
                        return len;
                    }
                    state = this.#headDone(chunk, p, end);
                    p = end;
                    if (this.#paused || state >= 10 /* S.Upgraded */)
                        return this.#stop(p, state);
                    continue;
                }
                case 3 /* S.Body */: {
                    const n = Math.min(this.#remaining, len - p);
                    const end = p + n;
                    this.#remaining -= n;
                    this.#handler.onBody(chunk.subarray(p, end));
                    p = end;
                    if (this.#remaining === 0) {
                        this.#complete();
                        state = this.#state;
                    }
                    if (this.#paused || state >= 10 /* S.Upgraded */)
                        return this.#stop(p, state);
                    continue;
                }
                case 4 /* S.ChunkSize */: {
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
                        state = 6 /* S.ChunkSizeLf */;
                        continue;
                    }
                    this.#extScanner.reset();
                    if (++this.#extBytes > this.#maxExt)
                        return this.#fail(R.ChunkExtensionsTooLarge);
                    state = 5 /* S.ChunkExt */;
                    continue;
                }
                case 5 /* S.ChunkExt */: {
                    const next = this.#extScanner.scan(chunk, p, len);
                    if (next < 0)
                        return this.#fail(next === EXT_BARE_LF ? R.BareLineFeed : R.InvalidChunkExtension);
                    this.#extBytes += next - p;
                    if (this.#extBytes > this.#maxExt)
                        return this.#fail(R.ChunkExtensionsTooLarge);
                    p = next;
                    if (this.#extScanner.done)
                        state = 6 /* S.ChunkSizeLf */;
                    continue;
                }
                case 6 /* S.ChunkSizeLf */:
                    if (chunk[p] !== LF)
                        return this.#fail(R.BareCarriageReturn);
                    p++;
                    if (this.#chunkSize === 0) {
                        // The last chunk: trailer fields follow (RFC 9112 §7.1.2), read like a head.
                        this.#scanner.beginTrailers();
                        state = 2 /* S.Head */;
                    }
                    else {
                        this.#remaining = this.#chunkSize;
                        state = 7 /* S.ChunkData */;
                    }
                    continue;
                case 7 /* S.ChunkData */: {
                    const n = Math.min(this.#remaining, len - p);
                    const end = p + n;
                    this.#remaining -= n;
                    let next = end;
                    if (this.#remaining === 0) {
                        // Usually the CRLF after the data is right here.
                        if (end + 2 <= len && chunk[end] === CR && chunk[end + 1] === LF) {
                            state = 4 /* S.ChunkSize */;
                            this.#chunkSize = 0;
                            this.#chunkDigits = 0;
                            next = end + 2;
                        }
                        else {
                            state = 8 /* S.ChunkDataCr */;
                        }
                    }
                    this.#handler.onBody(chunk.subarray(p, end));
                    p = next;
                    if (this.#paused)
                        return this.#stop(p, state);
                    continue;
                }
                case 8 /* S.ChunkDataCr */:
                    if (chunk[p] !== CR)
                        return this.#fail(R.InvalidChunkTerminator);
                    p++;
                    state = 9 /* S.ChunkDataLf */;
                    continue;
                case 9 /* S.ChunkDataLf */:
                    if (chunk[p] !== LF)
                        return this.#fail(R.BareCarriageReturn);
                    p++;
                    this.#chunkSize = 0;
                    this.#chunkDigits = 0;
                    state = 4 /* S.ChunkSize */;
                    continue;
                default:
                    // Upgraded, Closed, Failed: execute returned before the loop.
                    return p;
            }
        }
        this.#state = state;
        return len;
    }
    /**
     * The empty line of a head (or trailer section) ending at buf[end] was read: report it, and
     * return the next state.
     */
    #headDone(buf, base, end) {
        if (this.#carry !== null && this.#carry.length > CARRY_KEEP)
            this.#carry = null;
        const scanner = this.#scanner;
        if (scanner.inTrailers) {
            this.#head.trailers = scanner.trailerFields(buf, base, end);
            this.#complete();
            return this.#state;
        }
        const head = scanner.requestHead(buf, base, end);
        this.#head = head;
        // CONNECT has no body (RFC 9110 §9.3.6): what follows is the tunnel, even with a Content-Length.
        let next = 0 /* S.ReqStart */;
        if (!head.isConnect) {
            if (head.chunked) {
                this.#chunkSize = 0;
                this.#chunkDigits = 0;
                this.#extBytes = 0;
                next = 4 /* S.ChunkSize */;
            }
            else if (head.contentLength > 0) {
                this.#remaining = head.contentLength;
                next = 3 /* S.Body */;
            }
        }
        this.#state = next;
        this.#handler.onRequestHead(head);
        if (next === 0 /* S.ReqStart */)
            this.#complete();
        return this.#state;
    }
    /** Reports the end of the message; then stops for upgrade/close or gets ready for the next. */
    #complete() {
        const head = this.#head;
        if (head.upgrade || head.isConnect)
            this.#state = 10 /* S.Upgraded */;
        else if (!head.keepAlive)
            this.#state = 11 /* S.Closed */;
        else
            this.#state = 0 /* S.ReqStart */;
        this.#handler.onMessageComplete();
    }
    /** Leaves execute early, at an event boundary: no head is half-scanned there. */
    #stop(p, state) {
        this.#state = state;
        return p;
    }
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
    #fail(reason) {
        throw new BadRequestError(reason);
    }
}
//# sourceMappingURL=http1-parser.js.map