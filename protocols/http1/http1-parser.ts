import { BadRequestError, RequestRejectionReason as R } from './rejection.js';
import type { RequestHead } from './request-head.js';
import { HeadScannerPool, forgetDecodedHeads, type HeadScanner } from './head-scanner.js';
import { ChunkExtensionScanner, EXT_BARE_LF } from './chunk-extension.js';
import { Byte, HEX } from './http1-tokens.js';
import { DEFAULT_PARSER_LIMITS, type ParserLimits } from './parser-limits.js';

export { RequestHead, assertValidHost, type TargetForm } from './request-head.js';
export { DEFAULT_PARSER_LIMITS, type ParserLimits } from './parser-limits.js';
export { HeadScannerPool } from './head-scanner.js';

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
  /** A piece of the (de-chunked) body: the chunk given to `execute` or a subarray of it, never a copy. */
  onBody(chunk: Buffer): void;
  /** After the body, or right after onRequestHead when there is none. Trailers are on the head. */
  onMessageComplete(): void;
}

/** Why `execute` returned before the end of its chunk, or 'running' when it did not. */
export type Http1ParserStatus = 'running' | 'paused' | 'upgraded' | 'closed' | 'failed';

// Ordered: states from Upgraded on are stops.
const enum S {
  ReqStart, // before the method; empty lines (CRLF) are skipped (RFC 9112 §2.2)
  ReqStartLf,
  Head, // the head scanner has the request line and fields (or the trailers)
  Body,
  ChunkSize,
  ChunkExt,
  ChunkSizeLf,
  ChunkData,
  ChunkDataCr,
  ChunkDataLf,
  Upgraded,
  Closed,
  Failed,
}

const MAX_CHUNK_SIZE = 2 ** 53;
// A carry buffer that grew for one huge head is dropped afterwards, not kept per connection.
const CARRY_KEEP = 4096;

/**
 * chunk[start, end) for `onBody`: the chunk itself when the piece is all of it, as most reads of a
 * large body are (a subarray is a new Buffer object per read, ~16 per MiB echoed).
 */
function bodyPiece(chunk: Buffer, start: number, end: number): Buffer {
  return start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end);
}

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
  readonly #handler: Http1ParserHandler;
  readonly #scanners: HeadScannerPool;
  /** The pool's scanner while a head or trailer section is being read (state Head), else null. */
  #scanner: HeadScanner | null = null;
  readonly #maxExt: number;

  #state = S.ReqStart;
  #paused = false;
  #error: BadRequestError | null = null;
  #head: RequestHead | null = null;
  /** Whether the upgrade request was keep-alive, for a `resume()` that declines the upgrade. */
  #keepAliveAfterUpgrade = false;
  /** The unfinished head's bytes from earlier chunks. */
  #carry: Buffer | null = null;
  #carryLen = 0;
  #remaining = 0;
  #chunkSize = 0;
  #chunkDigits = 0;
  /** Made by the first chunk extension: most connections never see one. */
  #extScanner: ChunkExtensionScanner | null = null;
  #extBytes = 0;

  /**
   * `limits`, or a pool of head scanners made for them that parsers share (a connection driver's
   * parsers should: see `HeadScannerPool`).
   */
  constructor(handler: Http1ParserHandler, limits: Partial<ParserLimits> | HeadScannerPool = DEFAULT_PARSER_LIMITS) {
    this.#handler = handler;
    this.#scanners = limits instanceof HeadScannerPool ? limits : new HeadScannerPool(limits);
    this.#maxExt = this.#scanners.limits.maxChunkExtensionSize;
  }

  get status(): Http1ParserStatus {
    switch (this.#state) {
      case S.Upgraded:
        return 'upgraded';
      case S.Closed:
        return 'closed';
      case S.Failed:
        return 'failed';
    }
    return this.#paused ? 'paused' : 'running';
  }

  /** The rejection that killed the parser, if any. */
  get error(): BadRequestError | null {
    return this.#error;
  }

  /**
   * True between messages: no byte of a next request has arrived, so EOF here is a clean end
   * (llhttp's "finish is safe"), and an idle timeout is a keep-alive timeout, not a slow request.
   */
  get isIdle(): boolean {
    const s = this.#state;
    return s === S.ReqStart || s === S.Upgraded || s === S.Closed;
  }

  /**
   * Stops `execute` at the next event boundary: right after the callback that calls it. Two
   * events are never split: onMessageComplete follows the last body piece, and a request without
   * a body completes together with its head. Until `resume()`, `execute` consumes nothing.
   */
  pause(): void {
    this.#paused = true;
  }

  /**
   * Undoes `pause()`. After an upgrade stop, goes on parsing HTTP/1.1 (the driver declined the
   * upgrade and answered normally); for CONNECT, consider closing instead, as the client may
   * already be sending tunnel bytes.
   */
  resume(): void {
    this.#paused = false;
    if (this.#state === S.Upgraded) this.#state = this.#keepAliveAfterUpgrade ? S.ReqStart : S.Closed;
  }

  execute(chunk: Buffer): number {
    const state = this.#state;
    if (state >= S.Upgraded) {
      if (state === S.Failed) throw this.#error!;
      return 0;
    }
    if (this.#paused) return 0;
    try {
      const consumed = this.#run(chunk, state);
      forgetDecodedHeads();
      return consumed;
    } catch (err) {
      forgetDecodedHeads();
      if (err instanceof BadRequestError) {
        this.#error = err;
        this.#state = S.Failed;
        this.#carry = null;
        this.#carryLen = 0;
        this.#releaseScanner();
      }
      throw err;
    }
  }

  #run(chunk: Buffer, state: S): number {
    const len = chunk.length;
    let p = 0;

    if (this.#carryLen > 0) {
      // A head began in an earlier chunk: continue it in the carry, where its bytes are
      // contiguous. Take no more than can still fit the limits, so the copy is bounded.
      const before = this.#carryLen;
      const scanner = this.#scanner!;
      const take = Math.min(len, Math.max(scanner.maxBytes + 1 - before, 1));
      this.#appendCarry(chunk, 0, take);
      const carry = this.#carry!;
      const end = scanner.scan(carry, before, before + take, 0);
      if (end < 0) return take;
      p = end - before;
      this.#carryLen = 0;
      state = this.#headDone(carry, 0, end, end);
      if (this.#paused || state >= S.Upgraded) return this.#stop(p, state);
    }

    while (p < len) {
      switch (state) {
        case S.ReqStart: {
          const b = chunk[p];
          if (b === Byte.CR) {
            p++;
            state = S.ReqStartLf;
            continue;
          }
          if (b === Byte.LF) return this.#fail(R.BareLineFeed);
          (this.#scanner ??= this.#scanners.take()).beginRequest();
          state = S.Head;
          continue;
        }
        case S.ReqStartLf:
          if (chunk[p] !== Byte.LF) return this.#fail(R.BareCarriageReturn);
          p++;
          state = S.ReqStart;
          continue;
        case S.Head: {
          // With an empty carry, the head (or trailer section) starts in this chunk, at p.
          const end = this.#scanner!.scan(chunk, p, len, p);
          if (end < 0) {
            this.#appendCarry(chunk, p, len);
            this.#state = state;
            return len;
          }
          state = this.#headDone(chunk, p, end, len);
          p = end;
          if (this.#paused || state >= S.Upgraded) return this.#stop(p, state);
          continue;
        }

        case S.Body: {
          const n = Math.min(this.#remaining, len - p);
          const end = p + n;
          this.#remaining -= n;
          this.#handler.onBody(bodyPiece(chunk, p, end));
          p = end;
          if (this.#remaining === 0) {
            this.#complete();
            state = this.#state;
          }
          if (this.#paused || state >= S.Upgraded) return this.#stop(p, state);
          continue;
        }

        case S.ChunkSize: {
          let size = this.#chunkSize;
          let digits = this.#chunkDigits;
          let v = 0;
          while (p < len && (v = HEX[chunk[p]]) !== 0xff) {
            size = size * 16 + v;
            // Past 2^53 the sum is inexact; `ffffffffffffffffff` must not wrap to something small.
            if (size > MAX_CHUNK_SIZE) return this.#fail(R.ChunkSizeOverflow);
            digits++;
            p++;
          }
          this.#chunkSize = size;
          this.#chunkDigits = digits;
          if (p === len) break;
          const b = chunk[p];
          // No BWS before `;` or CRLF: llhttp refuses it too, and leniency here is a smuggling vector.
          if (digits === 0 || (b !== Byte.CR && b !== 0x3b)) {
            return this.#fail(b === Byte.LF && digits > 0 ? R.BareLineFeed : R.InvalidChunkSize);
          }
          p++;
          if (b === Byte.CR) {
            state = S.ChunkSizeLf;
            continue;
          }
          (this.#extScanner ??= new ChunkExtensionScanner()).reset();
          if (++this.#extBytes > this.#maxExt) return this.#fail(R.ChunkExtensionsTooLarge);
          state = S.ChunkExt;
          continue;
        }
        case S.ChunkExt: {
          const ext = this.#extScanner!;
          const next = ext.scan(chunk, p, len);
          if (next < 0) return this.#fail(next === EXT_BARE_LF ? R.BareLineFeed : R.InvalidChunkExtension);
          this.#extBytes += next - p;
          if (this.#extBytes > this.#maxExt) return this.#fail(R.ChunkExtensionsTooLarge);
          p = next;
          if (ext.done) state = S.ChunkSizeLf;
          continue;
        }
        case S.ChunkSizeLf:
          if (chunk[p] !== Byte.LF) return this.#fail(R.BareCarriageReturn);
          p++;
          if (this.#chunkSize === 0) {
            // The last chunk: trailer fields follow (RFC 9112 §7.1.2), read like a head.
            (this.#scanner ??= this.#scanners.take()).beginTrailers();
            state = S.Head;
          } else {
            this.#remaining = this.#chunkSize;
            state = S.ChunkData;
          }
          continue;
        case S.ChunkData: {
          const n = Math.min(this.#remaining, len - p);
          const end = p + n;
          this.#remaining -= n;
          let next = end;
          if (this.#remaining === 0) {
            // Usually the CRLF after the data is right here.
            if (end + 2 <= len && chunk[end] === Byte.CR && chunk[end + 1] === Byte.LF) {
              state = S.ChunkSize;
              this.#chunkSize = 0;
              this.#chunkDigits = 0;
              next = end + 2;
            } else {
              state = S.ChunkDataCr;
            }
          }
          this.#handler.onBody(bodyPiece(chunk, p, end));
          p = next;
          if (this.#paused) return this.#stop(p, state);
          continue;
        }
        case S.ChunkDataCr:
          if (chunk[p] !== Byte.CR) return this.#fail(R.InvalidChunkTerminator);
          p++;
          state = S.ChunkDataLf;
          continue;
        case S.ChunkDataLf:
          if (chunk[p] !== Byte.LF) return this.#fail(R.BareCarriageReturn);
          p++;
          this.#chunkSize = 0;
          this.#chunkDigits = 0;
          state = S.ChunkSize;
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
   * return the next state. buf[end, limit) are bytes of the same read not yet parsed.
   */
  #headDone(buf: Buffer, base: number, end: number, limit: number): S {
    if (this.#carry !== null && this.#carry.length > CARRY_KEEP) this.#carry = null;
    const scanner = this.#scanner!;
    if (scanner.inTrailers) {
      this.#head!.trailers = scanner.trailerFields(buf, base, end);
      this.#releaseScanner();
      this.#complete();
      return this.#state;
    }
    const head = scanner.requestHead(buf, base, end, limit);
    // Given back before the handler runs: it may start another parser's head on the same pool.
    this.#releaseScanner();
    this.#head = head;
    // CONNECT has no body (RFC 9110 §9.3.6): what follows is the tunnel, even with a Content-Length.
    let next = S.ReqStart;
    if (!head.isConnect) {
      if (head.chunked) {
        this.#chunkSize = 0;
        this.#chunkDigits = 0;
        this.#extBytes = 0;
        next = S.ChunkSize;
      } else if (head.contentLength > 0) {
        this.#remaining = head.contentLength;
        next = S.Body;
      }
    }
    this.#state = next;
    this.#handler.onRequestHead(head);
    if (next === S.ReqStart) this.#complete();
    return this.#state;
  }

  /** Reports the end of the message; then stops for upgrade/close or gets ready for the next. */
  #complete(): void {
    const head = this.#head!;
    this.#keepAliveAfterUpgrade = head.keepAlive;
    if (head.upgrade || head.isConnect) this.#state = S.Upgraded;
    else if (!head.keepAlive) this.#state = S.Closed;
    else this.#state = S.ReqStart;
    // Between requests the parser holds nothing of the last one: an idle keep-alive connection
    // should not keep a head (and its strings) alive.
    this.#head = null;
    this.#handler.onMessageComplete();
  }

  #releaseScanner(): void {
    const scanner = this.#scanner;
    if (scanner === null) return;
    this.#scanner = null;
    this.#scanners.give(scanner);
  }

  /** Leaves execute early, at an event boundary: no head is half-scanned there. */
  #stop(p: number, state: S): number {
    this.#state = state;
    return p;
  }

  #appendCarry(src: Buffer, start: number, end: number): void {
    const need = this.#carryLen + (end - start);
    let carry = this.#carry;
    if (carry === null || need > carry.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, carry === null ? 1024 : carry.length * 2));
      if (carry !== null) carry.copy(grown, 0, 0, this.#carryLen);
      this.#carry = carry = grown;
    }
    src.copy(carry, this.#carryLen, start, end);
    this.#carryLen = need;
  }

  #fail(reason: R): never {
    throw new BadRequestError(reason);
  }
}
