import { RequestRejectionReason } from '../../../protocols/http1/rejection.js';
export interface CorpusMessage {
    method: string;
    url: string;
    /** 'HTTP', 'RTSP', 'ICE', or null for the HTTP/0.9 form. */
    protocol: string | null;
    versionMajor: number;
    versionMinor: number;
    headers: [string, string][];
    trailers?: [string, string][];
    body: string;
    upgrade?: boolean;
    keepAlive?: boolean;
    contentLength?: number | null;
}
export interface CorpusCase {
    id: string;
    title: string;
    raw: string;
    expect: 'ok' | 'error';
    lenient: boolean;
    lenientFlags?: string[];
    messages: CorpusMessage[];
    error?: string;
    upgradeOffset?: number;
    incomplete?: boolean;
    finish?: 'SAFE' | 'UNSAFE' | string;
}
export interface Http1Corpus {
    cases: CorpusCase[];
}
/** The corpus, or undefined (after a loud warning) when ../shared is absent outside CI. */
export declare function loadHttp1Corpus(): Http1Corpus | undefined;
/** The case's input: one char of `raw` per byte. */
export declare function caseBytes(c: CorpusCase): Buffer;
/** What tiercel must do with a case, and why when that differs from llhttp's default mode. */
export type Verdict = {
    kind: 'accept';
}
/** Refused with a BadRequestError (with this reason, when given). */
 | {
    kind: 'reject';
    why?: string;
    reason?: RequestRejectionReason;
}
/** The first message(s) are served, then the connection closes: later bytes are never parsed. */
 | {
    kind: 'close-after';
    why: string;
}
/** Either of the two above: a lenient case, which a strict parser refuses one way or the other. */
 | {
    kind: 'refuse';
    why: string;
};
/**
 * Cases where tiercel's strict policy differs from llhttp's default mode, each with its reason.
 * A case listed here is still run and asserted — never silently skipped.
 */
export declare const POLICY: Readonly<Record<string, Verdict>>;
/** tiercel's verdict on a case. */
export declare function verdictOf(c: CorpusCase): Verdict;
/** An expected message in the parser's shapes: flat headers (values trimmed of OWS), body bytes. */
export interface ExpectedMessage {
    method: string;
    target: string;
    versionMinor: number;
    rawHeaders: string[];
    trailers: string[] | null;
    body: Buffer;
    upgrade: boolean;
    keepAlive: boolean | undefined;
    contentLength: number;
}
export declare function expectedMessages(c: CorpusCase): ExpectedMessage[];
