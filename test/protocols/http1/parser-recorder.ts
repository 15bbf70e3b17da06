// A parser handler that records what it is told, and a feeder that runs inputs through a parser
// the way a connection driver does (resuming after pauses, stopping on upgrade/close).
import {
  Http1Parser,
  type Http1ParserHandler,
  type Http1ParserStatus,
  type ParserLimits,
  type RequestHead,
} from '../../../protocols/http1/http1-parser.js';
import { BadRequestError } from '../../../protocols/http1/rejection.js';

export interface RecordedMessage {
  head: RequestHead;
  body: Buffer;
  complete: boolean;
}

export class Recorder implements Http1ParserHandler {
  readonly messages: RecordedMessage[] = [];
  /** Events in order, for tests about ordering: 'head', 'body:<n>', 'complete'. */
  readonly events: string[] = [];
  parser: Http1Parser | null = null;
  pauseOnComplete = false;
  pauseOnHead = false;
  #bodies: Buffer[] = [];

  onRequestHead(head: RequestHead): void {
    this.messages.push({ head, body: Buffer.alloc(0), complete: false });
    this.#bodies = [];
    this.events.push('head');
    if (this.pauseOnHead) this.parser!.pause();
  }

  onBody(chunk: Buffer): void {
    // The slice aliases the caller's chunk; copy, as a consumer that keeps it must.
    this.#bodies.push(Buffer.from(chunk));
    this.events.push(`body:${chunk.length}`);
  }

  onMessageComplete(): void {
    const m = this.messages[this.messages.length - 1];
    m.body = Buffer.concat(this.#bodies);
    m.complete = true;
    this.events.push('complete');
    if (this.pauseOnComplete) this.parser!.pause();
  }

  get completed(): RecordedMessage[] {
    return this.messages.filter((m) => m.complete);
  }
}

export interface FeedResult {
  recorder: Recorder;
  parser: Http1Parser;
  /** Bytes of the whole input the parser consumed. */
  consumed: number;
  status: Http1ParserStatus;
  error: BadRequestError | null;
}

/**
 * Feeds `pieces` in order. A pause is resumed at once (the driver's "previous response done");
 * an upgrade or close stops the feed, leaving the rest unconsumed.
 */
export function feed(pieces: Buffer[], limits?: Partial<ParserLimits>, setup?: (r: Recorder) => void): FeedResult {
  const recorder = new Recorder();
  const parser = new Http1Parser(recorder, limits);
  recorder.parser = parser;
  setup?.(recorder);
  let consumed = 0;
  let error: BadRequestError | null = null;
  try {
    outer: for (const piece of pieces) {
      let off = 0;
      while (off < piece.length) {
        const n = parser.execute(off === 0 ? piece : piece.subarray(off));
        off += n;
        consumed += n;
        if (off < piece.length) {
          if (parser.status === 'paused') parser.resume();
          else break outer;
        }
      }
    }
  } catch (err) {
    if (!(err instanceof BadRequestError)) throw err;
    error = err;
  }
  return { recorder, parser, consumed, status: parser.status, error };
}

/** `input` split into two pieces at `at`. */
export function splitAt(input: Buffer, at: number): Buffer[] {
  return [input.subarray(0, at), input.subarray(at)];
}

/** `input` one byte per piece. */
export function bytewise(input: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < input.length; i++) out.push(input.subarray(i, i + 1));
  return out;
}
