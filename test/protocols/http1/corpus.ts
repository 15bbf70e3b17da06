// The llhttp-derived HTTP/1.x request corpus (../shared/conformance/http1-requests.json), its
// decoding, and tiercel's verdict on each case. Shared by the parser's conformance test and the
// server-level run over the in-memory transport, so both judge the same cases the same way.
import { readFileSync } from 'node:fs';
import { sharedFile, sharedFilePath } from '../../support/shared.js';
import { RequestRejectionReason } from '../../../protocols/http1/rejection.js';

const R = RequestRejectionReason;

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

const CORPUS_FILE = 'conformance/http1-requests.json';

/** The corpus, or undefined when ../shared is absent (see `corpusMissing`). */
export function loadHttp1Corpus(): Http1Corpus | undefined {
  const path = sharedFile(CORPUS_FILE);
  if (path === undefined) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as Http1Corpus;
}

/** The skip reason when the corpus is absent. */
export const corpusMissing = `the llhttp conformance corpus: ${sharedFilePath(CORPUS_FILE)} is missing (../shared must sit beside the repository)`;

/** The case's input: one char of `raw` per byte. */
export function caseBytes(c: CorpusCase): Buffer {
  return Buffer.from(c.raw, 'latin1');
}

/** What tiercel must do with a case, and why when that differs from llhttp's default mode. */
export type Verdict =
  | { kind: 'accept' }
  /** Refused with a BadRequestError (with this reason, when given). */
  | { kind: 'reject'; why?: string; reason?: RequestRejectionReason }
  /** The first message(s) are served, then the connection closes: later bytes are never parsed. */
  | { kind: 'close-after'; why: string }
  /** Either of the two above: a lenient case, which a strict parser refuses one way or the other. */
  | { kind: 'refuse'; why: string };

/**
 * Cases where tiercel's strict policy differs from llhttp's default mode, each with its reason.
 * A case listed here is still run and asserted — never silently skipped.
 */
export const POLICY: Readonly<Record<string, Verdict>> = {
  'sample/no-http-version': {
    kind: 'reject',
    why: 'HTTP/0.9 request line (`GET /`): only HTTP/1.0 and HTTP/1.1 are served',
    reason: R.InvalidRequestLine,
  },
  'method/source-request-with-ice': { kind: 'reject', why: 'ICE/1.0 is not HTTP', reason: R.InvalidVersion },
  'method/options-request-with-rtsp': { kind: 'reject', why: 'RTSP/1.0 is not HTTP', reason: R.InvalidVersion },
  'method/announce-request-with-rtsp': { kind: 'reject', why: 'ANNOUNCE is an RTSP method, not HTTP (501)', reason: R.UnknownMethod },
  'method/m-search-request': {
    kind: 'reject',
    why: '`M-SEARCH *`: asterisk-form is only for OPTIONS (RFC 9112 §3.2.4); SSDP speaks it over UDP multicast, never to an HTTP/1.1 server over TCP',
    reason: R.OptionsMethodRequired,
  },
  'uri/host-port-and-basic-auth': {
    kind: 'reject',
    why: '`http://a%12:b!&*$@hypnotoad.org:1234/toto`: userinfo in an http(s) URI is an error to its recipient (RFC 9110 §4.2.4)',
    reason: R.InvalidRequestTarget,
  },
  'transfer-encoding/post-with-chunked-as-last-transfer-encoding': {
    kind: 'reject',
    why: '`deflate, chunked`: only a lone chunked coding is implemented (501)',
    reason: R.UnsupportedTransferEncoding,
  },
  'transfer-encoding/post-with-chunked-as-last-transfer-encoding-multiple-headers': {
    kind: 'reject',
    why: 'two Transfer-Encoding fields, the first `deflate` alone: chunked must be the only coding of the only field (400)',
    reason: R.InvalidTransferEncoding,
  },
};

/** tiercel's verdict on a case. */
export function verdictOf(c: CorpusCase): Verdict {
  const listed = POLICY[c.id];
  if (listed !== undefined) return listed;
  if (c.lenient) {
    // llhttp without its lenient flags refuses every one (README, Validation). Some are refused
    // by the keep-alive rules rather than by syntax, so either way of refusing counts.
    return { kind: 'refuse', why: `lenient case (${c.lenientFlags?.join(', ') ?? 'flags'}): llhttp needs a leniency flag to accept it` };
  }
  if (c.error === 'HPE_CLOSED_CONNECTION') {
    return { kind: 'close-after', why: 'bytes after a non-keep-alive message are never parsed (llhttp errors, tiercel stops and closes)' };
  }
  return c.expect === 'ok' ? { kind: 'accept' } : { kind: 'reject' };
}

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

export function expectedMessages(c: CorpusCase): ExpectedMessage[] {
  return c.messages.map((m) => ({
    method: m.method,
    target: m.url,
    versionMinor: m.versionMinor,
    rawHeaders: flatten(m.headers),
    trailers: m.trailers && m.trailers.length > 0 ? flatten(m.trailers) : null,
    body: Buffer.from(m.body, 'latin1'),
    upgrade: m.upgrade === true,
    keepAlive: m.keepAlive,
    contentLength: m.contentLength ?? -1,
  }));
}

// llhttp keeps trailing OWS in values; RFC 9110 §5.5 says it is not part of the value, and we trim.
function flatten(fields: [string, string][]): string[] {
  const out: string[] = [];
  for (const [name, value] of fields) out.push(name, value.replace(/[ \t]+$/, ''));
  return out;
}
