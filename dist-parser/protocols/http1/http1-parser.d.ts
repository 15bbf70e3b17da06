import { BadRequestError } from './rejection.js';
import type { RequestHead } from './request-head.js';
import { type ParserLimits } from './parser-limits.js';
export { RequestHead, assertValidHost, isValidHostValue, type TargetForm } from './request-head.js';
export { DEFAULT_PARSER_LIMITS, type ParserLimits } from './parser-limits.js';
/**
 * Implemented by the connection driver — a class, so the parser's calls stay monomorphic and no
 * closure is made per request. The callbacks run synchronously inside `execute`; they may call
 * `parser.pause()`, and must not call `execute` themselves. If one throws, the exception leaves
 * `execute` and the parser must be discarded (a BadRequestError thrown there, such as the one
 * from `assertValidHost`, marks it failed like its own).
 */
export interface Http1ParserHandler {
    /** Once per request, after the empty line and before any body byte. */
    onRequestHead(head: RequestHead): void;
    /** A piece of the (de-chunked) body: a subarray of the chunk given to `execute`, not a copy. */
    onBody(chunk: Buffer): void;
    /** After the body, or right after onRequestHead when there is none. Trailers are on the head. */
    onMessageComplete(): void;
}
/** Why `execute` returned before the end of its chunk, or 'running' when it did not. */
export type Http1ParserStatus = 'running' | 'paused' | 'upgraded' | 'closed' | 'failed';
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
export declare class Http1Parser {
    #private;
    constructor(handler: Http1ParserHandler, limits?: Partial<ParserLimits>);
    get status(): Http1ParserStatus;
    /** The rejection that killed the parser, if any. */
    get error(): BadRequestError | null;
    /**
     * True between messages: no byte of a next request has arrived, so EOF here is a clean end
     * (llhttp's "finish is safe"), and an idle timeout is a keep-alive timeout, not a slow request.
     */
    get isIdle(): boolean;
    /** The head of the request being read, from its empty line until the next request starts. */
    get currentHead(): RequestHead | null;
    /**
     * Stops `execute` at the next event boundary: right after the callback that calls it. Two
     * events are never split: onMessageComplete follows the last body piece, and a request without
     * a body completes together with its head. Until `resume()`, `execute` consumes nothing.
     */
    pause(): void;
    /**
     * Undoes `pause()`. After an upgrade stop, goes on parsing HTTP/1.1 (the driver declined the
     * upgrade and answered normally); for CONNECT, consider closing instead, as the client may
     * already be sending tunnel bytes.
     */
    resume(): void;
    execute(chunk: Buffer): number;
}
