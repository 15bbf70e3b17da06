// The HTTP/1.1 parser's promises, checked on any input: the fuzz target and the property tests
// (test/protocols/http1/http1-parser.properties.test.ts) both run bytes through `checkHttp1Stream`.
//
// 1. Bad input is refused with a BadRequestError whose status is the one its reason maps to;
//    nothing else is ever thrown, and a failed parser stays failed with the same error.
// 2. It never hangs: every `execute` either makes progress or stops for a documented reason.
// 3. Memory is bounded: the only buffer it allocates (the carry for a head split across chunks) is
//    never larger than the limits allow (it grows by doubling, so at most twice the largest head).
// 4. How the bytes are split does not change what is parsed: the same messages, the same end. A
//    size limit may refuse a head before a syntax error later in it is reached, so when two splits
//    are refused for different reasons one of the reasons must be a size limit.
// 5. What is parsed is consistent: a body as long as its Content-Length, counts within the limits.
import {
  BadRequestError,
  DEFAULT_PARSER_LIMITS,
  Http1Parser,
  RequestRejectionReason,
  assertValidHost,
  type Http1ParserHandler,
  type Http1ParserStatus,
  type ParserLimits,
  type RequestHead,
} from '../protocols/http1/index.js';
import { HttpProtocolError } from '../protocols/http/index.js';
import { invariant, show } from './invariant.js';

const R = RequestRejectionReason;
const REASONS = new Set<string>(Object.values(R));
/** Reasons that depend on how many bytes were seen when the check ran, not on which byte was bad. */
const SIZE_LIMITS = new Set<string>([R.RequestLineTooLong, R.HeadersTooLarge, R.TrailersTooLarge, R.ChunkExtensionsTooLarge]);

/** Limits small enough that inputs of a few hundred bytes reach every one of them. */
export const SMALL_LIMITS: Partial<ParserLimits> = Object.freeze({
  maxRequestLineSize: 64,
  maxRequestHeadersTotalSize: 256,
  maxRequestHeaderCount: 8,
  maxChunkExtensionSize: 32,
  maxTrailerSize: 64,
  extraMethods: ['M-SEARCH', 'PROPFIND'],
});

/** The smallest limits worth having: most inputs hit one. */
export const TINY_LIMITS: Partial<ParserLimits> = Object.freeze({
  maxRequestLineSize: 16,
  maxRequestHeadersTotalSize: 40,
  maxRequestHeaderCount: 2,
  maxChunkExtensionSize: 4,
  maxTrailerSize: 12,
});

export interface FeedOptions {
  limits?: Partial<ParserLimits>;
  /** Pause in these callbacks; the feeder resumes at once, as a driver does when the app is done. */
  pauseOnHead?: boolean;
  pauseOnBody?: boolean;
  pauseOnComplete?: boolean;
  /** Call `assertValidHost` from onRequestHead, as the connection driver does. */
  checkHost?: boolean;
}

export interface ParsedMessage {
  head: RequestHead;
  body: Buffer;
  complete: boolean;
}

export interface StreamOutcome {
  messages: ParsedMessage[];
  status: Http1ParserStatus;
  /** Bytes the parser said it consumed (a throwing `execute` consumed none, by its contract). */
  consumed: number;
  error: BadRequestError | null;
  executeCalls: number;
  /** The largest Buffer the parser allocated (callbacks aside). */
  largestAllocation: number;
}

class StreamRecorder implements Http1ParserHandler {
  readonly messages: ParsedMessage[] = [];
  parser: Http1Parser | null = null;
  /** True while a callback runs: what it allocates is the handler's, not the parser's. */
  inCallback = false;
  pauseRequested = false;
  #open: Buffer[] | null = null;

  constructor(readonly options: FeedOptions) {}

  onRequestHead(head: RequestHead): void {
    invariant(this.#open === null, 'onRequestHead before the previous message completed');
    this.inCallback = true;
    try {
      this.messages.push({ head, body: Buffer.alloc(0), complete: false });
      this.#open = [];
      if (this.options.checkHost) assertValidHost(head);
      if (this.options.pauseOnHead) this.#pause();
    } finally {
      this.inCallback = false;
    }
  }

  onBody(chunk: Buffer): void {
    invariant(this.#open !== null, 'onBody outside a message');
    this.inCallback = true;
    // The chunk aliases the caller's buffer: keep a copy, as a consumer that holds it must.
    this.#open.push(Buffer.from(chunk));
    if (this.options.pauseOnBody) this.#pause();
    this.inCallback = false;
  }

  onMessageComplete(): void {
    invariant(this.#open !== null, 'onMessageComplete without onRequestHead');
    this.inCallback = true;
    this.#closeBody(true);
    if (this.options.pauseOnComplete) this.#pause();
    this.inCallback = false;
  }

  /** Settles the body of a message still open when the input ended or failed. */
  finish(): void {
    if (this.#open !== null) this.#closeBody(false);
  }

  #closeBody(complete: boolean): void {
    const m = this.messages[this.messages.length - 1];
    m.body = Buffer.concat(this.#open!);
    m.complete = complete;
    this.#open = null;
  }

  #pause(): void {
    this.pauseRequested = true;
    this.parser!.pause();
  }
}

// Buffer.allocUnsafe is how the parser grows its carry; watching it measures the parser's memory
// without reaching into its private fields. Only while `parseStream` runs, restored after.
let watched: StreamRecorder | null = null;
let largest = 0;
const allocUnsafe = Buffer.allocUnsafe;
function watchingAllocUnsafe(size: number): Buffer<ArrayBuffer> {
  if (watched !== null && !watched.inCallback && size > largest) largest = size;
  return allocUnsafe(size);
}

/**
 * Feeds `pieces` in order the way the connection driver does: a pause is resumed at once; an
 * upgrade or close ends the feed (the rest is not HTTP/1.1). Only a BadRequestError is caught;
 * anything else thrown, or a broken promise of `execute`, leaves as it is.
 */
export function parseStream(pieces: readonly Buffer[], options: FeedOptions = {}): StreamOutcome {
  const recorder = new StreamRecorder(options);
  const parser = new Http1Parser(recorder, options.limits ?? DEFAULT_PARSER_LIMITS);
  recorder.parser = parser;
  let total = 0;
  for (const piece of pieces) total += piece.length;
  // Each call consumes a byte or stops for a pause (at most one per event, so per byte) or an end.
  const maxCalls = 2 * total + pieces.length + 2;
  let consumed = 0;
  let calls = 0;
  let error: BadRequestError | null = null;
  watched = recorder;
  largest = 0;
  Buffer.allocUnsafe = watchingAllocUnsafe;
  try {
    outer: for (const piece of pieces) {
      let off = 0;
      while (off < piece.length) {
        invariant(++calls <= maxCalls, () => `no progress: ${calls} execute calls for ${total} bytes`);
        const rest = off === 0 ? piece : piece.subarray(off);
        const n = parser.execute(rest);
        invariant(Number.isInteger(n) && n >= 0 && n <= rest.length, () => `execute returned ${n} for ${rest.length} bytes`);
        off += n;
        consumed += n;
        if (off === piece.length) break;
        const status = parser.status;
        if (status === 'paused') {
          invariant(recorder.pauseRequested, 'paused though no callback asked for it');
          recorder.pauseRequested = false;
          parser.resume();
          continue;
        }
        invariant(status === 'upgraded' || status === 'closed', () => `execute stopped after ${n} of ${rest.length} bytes with status '${status}'`);
        break outer;
      }
    }
    // A pause in the callback for the last bytes: the driver resumes when the app is done.
    if (parser.status === 'paused') {
      invariant(recorder.pauseRequested, 'paused though no callback asked for it');
      parser.resume();
    }
  } catch (err) {
    if (!(err instanceof BadRequestError)) throw err;
    error = err;
  } finally {
    Buffer.allocUnsafe = allocUnsafe;
    watched = null;
  }
  recorder.finish();
  return { messages: recorder.messages, status: parser.status, consumed, error, executeCalls: calls, largestAllocation: largest };
}

/** The bytes of `input` cut at `cuts` (positions in 1..length-1; others are ignored). */
export function splitAt(input: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts)].filter((c) => c > 0 && c < input.length).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of points) {
    out.push(input.subarray(from, c));
    from = c;
  }
  out.push(input.subarray(from));
  return out;
}

/**
 * Parses `input` whole and cut at `cuts`, checks every promise above on both runs and that they
 * agree, and returns the whole run. Throws InvariantViolation (or whatever the parser threw that
 * it should not have).
 */
export function checkHttp1Stream(input: Buffer, cuts: readonly number[], options: FeedOptions = {}): StreamOutcome {
  const whole = parseStream([input], options);
  checkOutcome(whole, input, options, 'whole');
  const pieces = splitAt(input, cuts);
  if (pieces.length === 1) return whole;
  const split = parseStream(pieces, options);
  checkOutcome(split, input, options, `split in ${pieces.length}`);
  sameVerdict(whole, split, input, pieces);
  return whole;
}

function checkOutcome(o: StreamOutcome, input: Buffer, options: FeedOptions, how: string): void {
  const limits = { ...DEFAULT_PARSER_LIMITS, ...options.limits };
  const where = (what: string): string => `${how}: ${what} for ${show(input)}`;
  const err = o.error;
  if (err !== null) {
    invariant(REASONS.has(err.reason), () => where(`unknown rejection reason '${err.reason}'`));
    invariant(err instanceof HttpProtocolError && err.code === 'ERR_TIERCEL_BAD_REQUEST', () => where('not a coded HttpProtocolError'));
    invariant(o.status === 'failed', () => where(`status '${o.status}' after a rejection`));
    invariant(o.consumed < input.length, () => where('rejected after consuming everything'));
  } else {
    invariant(o.status !== 'failed' && o.status !== 'paused', () => where(`status '${o.status}' without a rejection`));
  }
  const bound = Math.max(1024, 2 * (Math.max(limits.maxRequestLineSize + limits.maxRequestHeadersTotalSize, limits.maxTrailerSize) + 3));
  invariant(o.largestAllocation <= bound, () => where(`allocated ${o.largestAllocation} bytes; the limits allow ${bound}`));
  for (const [i, { head, body, complete }] of o.messages.entries()) {
    const at = (what: string): string => where(`message ${i}: ${what}`);
    invariant(head.rawHeaders.length <= 2 * limits.maxRequestHeaderCount, () => at(`${head.rawHeaders.length / 2} header fields`));
    invariant(head.trailers === null || head.trailers.length <= 2 * limits.maxRequestHeaderCount, () => at('too many trailer fields'));
    invariant(!(head.chunked && head.contentLength >= 0), () => at('both chunked and Content-Length'));
    invariant(complete || i === o.messages.length - 1, () => at('incomplete, yet another message follows'));
    if (head.isConnect || (!head.chunked && head.contentLength <= 0)) {
      invariant(body.length === 0, () => at(`${body.length} body bytes where none were declared`));
    } else if (!head.chunked) {
      invariant(complete ? body.length === head.contentLength : body.length < head.contentLength, () =>
        at(`${body.length} body bytes for Content-Length ${head.contentLength}`),
      );
    }
  }
}

function sameVerdict(a: StreamOutcome, b: StreamOutcome, input: Buffer, pieces: Buffer[]): void {
  const where = (what: string): string => `whole vs split at ${cutsOf(pieces)}: ${what} for ${show(input)}`;
  const ra = a.error?.reason ?? null;
  const rb = b.error?.reason ?? null;
  invariant((ra === null) === (rb === null), () => where(`rejected ${ra ?? 'never'} vs ${rb ?? 'never'}`));
  if (ra !== null && rb !== null && ra !== rb) {
    invariant(SIZE_LIMITS.has(ra) || SIZE_LIMITS.has(rb), () => where(`rejected as ${ra} vs ${rb}`));
  }
  invariant(a.status === b.status, () => where(`status ${a.status} vs ${b.status}`));
  if (ra === null) invariant(a.consumed === b.consumed, () => where(`consumed ${a.consumed} vs ${b.consumed}`));
  // A rejection may come earlier in one run (a limit checked at the end of a piece): compare the
  // messages both runs saw, and require the same ones when neither was refused.
  const n = ra === null ? Math.max(a.messages.length, b.messages.length) : Math.min(a.messages.length, b.messages.length);
  invariant(ra !== null || a.messages.length === b.messages.length, () => where(`${a.messages.length} vs ${b.messages.length} messages`));
  for (let i = 0; i < n; i++) {
    const ma = a.messages[i];
    const mb = b.messages[i];
    const da = describeHead(ma.head);
    const db = describeHead(mb.head);
    invariant(da === db, () => where(`message ${i} differs:\n  ${da}\n  ${db}`));
    const last = ra !== null && (i === a.messages.length - 1 || i === b.messages.length - 1);
    // A message cut short by a rejection may hold fewer body bytes in one run; never other bytes.
    if (last) {
      const [short, long] = ma.body.length <= mb.body.length ? [ma.body, mb.body] : [mb.body, ma.body];
      invariant(long.subarray(0, short.length).equals(short), () => where(`message ${i}: body bytes differ`));
    } else {
      invariant(ma.complete === mb.complete, () => where(`message ${i}: complete ${ma.complete} vs ${mb.complete}`));
      invariant(ma.body.equals(mb.body), () => where(`message ${i}: body ${show(ma.body, 60)} vs ${show(mb.body, 60)}`));
    }
  }
}

/** Every field of a head that a consumer reads, as one comparable line. */
export function describeHead(h: RequestHead): string {
  return JSON.stringify([
    h.method,
    h.target,
    h.targetForm,
    h.httpVersion,
    h.rawHeaders,
    h.trailers,
    h.contentLength,
    h.chunked,
    h.keepAlive,
    h.upgrade,
    h.isConnect,
    h.expectContinue,
    h.host,
  ]);
}

function cutsOf(pieces: Buffer[]): string {
  const cuts: number[] = [];
  let at = 0;
  for (const p of pieces.slice(0, -1)) cuts.push((at += p.length));
  return cuts.length > 12 ? `${cuts.slice(0, 12).join(',')},…` : cuts.join(',');
}
