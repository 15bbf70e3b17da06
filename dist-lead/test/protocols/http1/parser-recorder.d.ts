import { Http1Parser, type Http1ParserHandler, type Http1ParserStatus, type ParserLimits, type RequestHead } from '../../../protocols/http1/http1-parser.js';
import { BadRequestError } from '../../../protocols/http1/rejection.js';
export interface RecordedMessage {
    head: RequestHead;
    body: Buffer;
    complete: boolean;
}
export declare class Recorder implements Http1ParserHandler {
    #private;
    readonly messages: RecordedMessage[];
    /** Events in order, for tests about ordering: 'head', 'body:<n>', 'complete'. */
    readonly events: string[];
    parser: Http1Parser | null;
    pauseOnComplete: boolean;
    pauseOnHead: boolean;
    onRequestHead(head: RequestHead): void;
    onBody(chunk: Buffer): void;
    onMessageComplete(): void;
    get completed(): RecordedMessage[];
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
export declare function feed(pieces: Buffer[], limits?: Partial<ParserLimits>, setup?: (r: Recorder) => void): FeedResult;
/** `input` split into two pieces at `at`. */
export declare function splitAt(input: Buffer, at: number): Buffer[];
/** `input` one byte per piece. */
export declare function bytewise(input: Buffer): Buffer[];
