// A parser handler that records what it is told, and a feeder that runs inputs through a parser
// the way a connection driver does (resuming after pauses, stopping on upgrade/close).
import { Http1Parser, } from '../../../protocols/http1/http1-parser.js';
import { BadRequestError } from '../../../protocols/http1/rejection.js';
export class Recorder {
    messages = [];
    /** Events in order, for tests about ordering: 'head', 'body:<n>', 'complete'. */
    events = [];
    parser = null;
    pauseOnComplete = false;
    pauseOnHead = false;
    #bodies = [];
    onRequestHead(head) {
        this.messages.push({ head, body: Buffer.alloc(0), complete: false });
        this.#bodies = [];
        this.events.push('head');
        if (this.pauseOnHead)
            this.parser.pause();
    }
    onBody(chunk) {
        // The slice aliases the caller's chunk; copy, as a consumer that keeps it must.
        this.#bodies.push(Buffer.from(chunk));
        this.events.push(`body:${chunk.length}`);
    }
    onMessageComplete() {
        const m = this.messages[this.messages.length - 1];
        m.body = Buffer.concat(this.#bodies);
        m.complete = true;
        this.events.push('complete');
        if (this.pauseOnComplete)
            this.parser.pause();
    }
    get completed() {
        return this.messages.filter((m) => m.complete);
    }
}
/**
 * Feeds `pieces` in order. A pause is resumed at once (the driver's "previous response done");
 * an upgrade or close stops the feed, leaving the rest unconsumed.
 */
export function feed(pieces, limits, setup) {
    const recorder = new Recorder();
    const parser = new Http1Parser(recorder, limits);
    recorder.parser = parser;
    setup?.(recorder);
    let consumed = 0;
    let error = null;
    try {
        outer: for (const piece of pieces) {
            let off = 0;
            while (off < piece.length) {
                const n = parser.execute(off === 0 ? piece : piece.subarray(off));
                off += n;
                consumed += n;
                if (off < piece.length) {
                    if (parser.status === 'paused')
                        parser.resume();
                    else
                        break outer;
                }
            }
        }
    }
    catch (err) {
        if (!(err instanceof BadRequestError))
            throw err;
        error = err;
    }
    return { recorder, parser, consumed, status: parser.status, error };
}
/** `input` split into two pieces at `at`. */
export function splitAt(input, at) {
    return [input.subarray(0, at), input.subarray(at)];
}
/** `input` one byte per piece. */
export function bytewise(input) {
    const out = [];
    for (let i = 0; i < input.length; i++)
        out.push(input.subarray(i, i + 1));
    return out;
}
//# sourceMappingURL=parser-recorder.js.map