import { BadRequestError, RequestRejectionReason as R } from './rejection.js';
import { HeadFlag, RequestHead, type TargetForm } from './request-head.js';
import { requestTargetForm } from './request-target.js';
import { resolveParserLimits, type ParserLimits } from './parser-limits.js';
import { KNOWN_METHODS } from '../http/index.js';
import { Byte, CONNECT, FIELD_VALUE, GET, HeaderKind, POST, PRI, TOKEN, headerKind, internMethod, latin1 } from './http1-tokens.js';
import {
  CONNECTION_CLOSE,
  CONNECTION_KEEP_ALIVE,
  CONNECTION_UPGRADE,
  connectionOptions,
  equalsLower,
  isChunkedOnly,
  parseContentLength,
  transferEncodingProblem,
} from './http1-framing.js';

// The states of a head, in this order: a range test tells the request line from the fields.
const enum S {
  Method,
  Target,
  Version,
  ReqLineLf,
  HeaderStart, // start of a field line, or of the empty line
  HeaderName,
  HeaderOws,
  HeaderValue,
  HeaderLf,
  HeadersEndLf,
}


function reject(reason: R): never {
  throw new BadRequestError(reason);
}

/**
 * Scans a request head — or the trailer section after a chunked body — that may arrive in
 * pieces, validating every byte (RFC 9112 §3, §5; RFC 9110 §5) and recording where each field
 * name and value lies instead of making strings. When the empty line is reached, the caller asks
 * for the strings: one latin1 decode of the whole head, then a substring per token.
 *
 * Positions passed in are into one buffer where the whole head so far is contiguous (the chunk,
 * or the parser's carry); offsets are kept relative to the head's first byte, so they stay valid
 * when the unfinished head moves from a chunk to the carry. Throws a BadRequestError.
 */
export class HeadScanner {
  readonly #maxLine: number;
  readonly #maxHeaders: number;
  readonly #maxCount: number;
  readonly #maxTrailers: number;

  #state = S.Method;
  #inTrailers = false;
  #sectionOffset = 0; // where the current section (request line, fields) begins
  #offsets: number[] = []; // per field: name start, name end, value start, value end
  #offsetCount = 0;
  #method = '';
  #targetStart = 0;
  #targetEnd = 0;
  #targetForm: TargetForm = 'origin';
  #versionIndex = 0;
  #versionMinor: 0 | 1 = 1;
  #kind = HeaderKind.Other;
  // What the framing fields said, settled on the head when it is complete.
  #contentLength = -1;
  #chunked = false;
  #hasTransferEncoding = false;
  #connection = 0;
  #hasUpgradeField = false;
  #expectContinue = false;
  #hostField = -1;
  /** The remembered Host string (`rememberValidHost`) whose bytes the Host field has, or null. */
  #knownHost: string | null = null;

  /** KNOWN_METHODS plus the configured extras. */
  readonly #methods: ReadonlySet<string>;

  constructor(limits: Required<ParserLimits>) {
    this.#methods = limits.extraMethods.length === 0 ? KNOWN_METHODS : new Set([...KNOWN_METHODS, ...limits.extraMethods]);
    this.#maxLine = limits.maxRequestLineSize;
    this.#maxHeaders = limits.maxRequestHeadersTotalSize;
    this.#maxCount = limits.maxRequestHeaderCount;
    this.#maxTrailers = limits.maxTrailerSize;
  }

  /**
   * The most bytes the head being scanned may have, a bound for copying it: the request line, the
   * field lines, and the empty line (2), which the section limits do not count.
   */
  get maxBytes(): number {
    return (this.#inTrailers ? this.#maxTrailers : this.#maxLine + this.#maxHeaders) + 2;
  }

  get inTrailers(): boolean {
    return this.#inTrailers;
  }

  /** Gets ready for a request head whose first byte (of the method) is next. */
  beginRequest(): void {
    this.#state = S.Method;
    this.#inTrailers = false;
    this.#sectionOffset = 0;
    this.#offsetCount = 0;
    this.#contentLength = -1;
    this.#chunked = false;
    this.#hasTransferEncoding = false;
    this.#connection = 0;
    this.#hasUpgradeField = false;
    this.#expectContinue = false;
    this.#hostField = -1;
    this.#knownHost = null;
  }

  /** Gets ready for the trailer section after the last chunk. */
  beginTrailers(): void {
    this.#state = S.HeaderStart;
    this.#inTrailers = true;
    this.#sectionOffset = 0;
    this.#offsetCount = 0;
  }

  /**
   * Scans head bytes buf[p, len) where the head began at buf[base], from the saved state.
   * Returns the position after the empty line, or -1 when more bytes are needed (state saved,
   * limits checked). Fields are validated and recorded as offsets; framing fields are read here,
   * at the end of their line, so a bad one is refused at once.
   */
  scan(buf: Buffer, p: number, len: number, base: number): number {
    // Tables in locals: an imported binding is re-read through its module cell on every access.
    const token = TOKEN;
    const offsets = this.#offsets;
    const sectionLimit = this.#inTrailers ? this.#maxTrailers : this.#maxHeaders;
    const sectionReason = this.#inTrailers ? R.TrailersTooLarge : R.HeadersTooLarge;
    let state = this.#state;
    let n = this.#offsetCount;
    let section = this.#sectionOffset;
    let b = 0;
    while (p < len) {
      switch (state) {
        case S.Method: {
          while (p < len && token[buf[p]] === 1) p++;
          if (p === len) break;
          if (buf[p] !== Byte.SP || p === base) return reject(R.InvalidMethod);
          const method = internMethod(buf, base, p);
          // RFC 9113 §3.4: PRI is reserved for the HTTP/2 preface; never an HTTP/1.1 request.
          if (method === PRI) return reject(R.UnexpectedHttp2Preface);
          // The common methods come back interned and are known; only the rest costs a lookup.
          if (method !== GET && method !== POST && !this.#methods.has(method)) return reject(R.UnknownMethod);
          this.#method = method;
          p++;
          this.#targetStart = p - base;
          state = S.Target;
          continue;
        }
        case S.Target: {
          // Request-target bytes: visible ASCII (0x21-0x7E). Wider than RFC 3986 on purpose (`"`,
          // `\`, `|`, `{` are sent by real clients and llhttp accepts them), but no CTL, SP, DEL or
          // bytes >= 0x80. A range test, as for field values below: a byte read from a table
          // costs as much again as the byte read from the buffer (each access checks its array).
          while (p < len && (b = buf[p]) > Byte.SP && b < Byte.DEL) p++;
          if (p === len) break;
          b = buf[p];
          if (b !== Byte.SP) return reject(b === Byte.CR || b === Byte.LF ? R.InvalidRequestLine : R.InvalidRequestTarget);
          if (p - base === this.#targetStart) return reject(R.InvalidRequestTarget);
          this.#targetEnd = p - base;
          p++;
          this.#versionIndex = 0;
          state = S.Version;
          // The whole version and its CRLF are here (the usual case): check them in one go.
          if (
            p + 10 <= len &&
            buf[p + 9] === Byte.LF &&
            buf[p + 8] === Byte.CR &&
            buf[p] === 0x48 &&
            buf[p + 1] === 0x54 &&
            buf[p + 2] === 0x54 &&
            buf[p + 3] === 0x50 &&
            buf[p + 4] === 0x2f &&
            buf[p + 5] === 0x31 &&
            buf[p + 6] === 0x2e &&
            ((b = buf[p + 7]) === 0x31 || b === 0x30)
          ) {
            this.#versionMinor = b === 0x31 ? 1 : 0;
            p += 10;
            if (p - base > this.#maxLine) return reject(R.RequestLineTooLong);
            this.#requestLineDone(buf, base);
            section = p - base;
            state = S.HeaderStart;
          }
          continue;
        }
        case S.Version:
          this.#versionByte(buf[p]);
          p++;
          if (++this.#versionIndex === 9) state = S.ReqLineLf;
          continue;
        case S.ReqLineLf:
          if (buf[p] !== Byte.LF) return reject(R.BareCarriageReturn);
          p++;
          if (p - base > this.#maxLine) return reject(R.RequestLineTooLong);
          this.#requestLineDone(buf, base);
          section = p - base;
          state = S.HeaderStart;
          continue;

        case S.HeaderStart: {
          b = buf[p];
          if (token[b] === 0) {
            if (b === Byte.CR) {
              p++;
              state = S.HeadersEndLf;
              continue;
            }
            return reject(
              b === Byte.SP || b === Byte.HTAB
                ? R.ObsoleteLineFolding
                : b === Byte.LF
                  ? R.BareLineFeed
                  : b === Byte.COLON
                    ? R.EmptyHeaderName
                    : R.InvalidHeaderName,
            );
          }
          if (n >= this.#maxCount * 4) return reject(R.TooManyHeaders);
          const nameStart = p;
          offsets[n] = p - base;
          // Fast path: the whole `name: value CRLF` line is in the buffer. Anything else (a split
          // line, an error) goes back to the byte states from just after the name's first byte.
          p++;
          while (p < len && token[buf[p]] === 1) p++;
          if (p < len && buf[p] === Byte.COLON) {
            const nameEnd = p;
            p++;
            while (p < len && ((b = buf[p]) === Byte.SP || b === Byte.HTAB)) p++;
            const valueStart = p;
            const kind = this.#inTrailers ? HeaderKind.Other : headerKind(buf, nameStart, nameEnd);
            let known: string | null = null;
            if (kind === HeaderKind.Host && knownHost !== null) {
              // The remembered Host's bytes are field-value bytes (see `rememberValidHost`):
              // matching them scans them, and the loop below goes on from where they end.
              const bytes = knownHostBytes;
              const count = knownHost.length;
              let i = 0;
              while (i < count && p < len && buf[p] === bytes[i]) {
                p++;
                i++;
              }
              if (i === count) known = knownHost;
            }
            // FIELD_VALUE (header-chars.ts): HTAB, SP, VCHAR and obs-text, that is all but DEL and the other CTLs.
            while (p < len && ((b = buf[p]) >= Byte.SP ? b !== Byte.DEL : b === Byte.HTAB)) p++;
            // Anything after the remembered bytes, even OWS, makes it another value (or one to trim).
            if (known !== null && p !== valueStart + known.length) known = null;
            if (p + 1 < len && buf[p] === Byte.CR && buf[p + 1] === Byte.LF) {
              let end = p;
              while (end > valueStart && ((b = buf[end - 1]) === Byte.SP || b === Byte.HTAB)) end--;
              offsets[n + 1] = nameEnd - base;
              offsets[n + 2] = valueStart - base;
              offsets[n + 3] = end - base;
              if (kind !== HeaderKind.Other) {
                this.#framingField(kind, buf, valueStart, end, n >> 2);
                if (kind === HeaderKind.Host) this.#knownHost = known;
              }
              n += 4;
              p += 2;
              if (p - base - section > sectionLimit) return reject(sectionReason);
              continue;
            }
          }
          p = nameStart + 1;
          state = S.HeaderName;
          continue;
        }
        case S.HeaderName:
          while (p < len && token[buf[p]] === 1) p++;
          if (p === len) break;
          b = buf[p];
          if (b !== Byte.COLON) return reject(b === Byte.SP || b === Byte.HTAB ? R.WhitespaceBeforeColon : R.InvalidHeaderName);
          offsets[n + 1] = p - base;
          this.#kind = this.#inTrailers ? HeaderKind.Other : headerKind(buf, base + offsets[n], p);
          p++;
          state = S.HeaderOws;
          continue;
        case S.HeaderOws:
          while (p < len && ((b = buf[p]) === Byte.SP || b === Byte.HTAB)) p++;
          if (p === len) break;
          offsets[n + 2] = p - base;
          state = S.HeaderValue;
          continue;
        case S.HeaderValue: {
          while (p < len && ((b = buf[p]) >= Byte.SP ? b !== Byte.DEL : b === Byte.HTAB)) p++;
          if (p === len) break;
          b = buf[p];
          if (b !== Byte.CR) return reject(b === Byte.LF ? R.BareLineFeed : R.InvalidHeaderValue);
          // Trailing OWS is not part of the value (RFC 9110 §5.5).
          const start = base + offsets[n + 2];
          let end = p;
          while (end > start && ((b = buf[end - 1]) === Byte.SP || b === Byte.HTAB)) end--;
          offsets[n + 3] = end - base;
          if (this.#kind !== HeaderKind.Other) this.#framingField(this.#kind, buf, start, end, n >> 2);
          n += 4;
          p++;
          if (p < len && buf[p] === Byte.LF) {
            p++;
            if (p - base - section > sectionLimit) return reject(sectionReason);
            state = S.HeaderStart;
          } else {
            state = S.HeaderLf;
          }
          continue;
        }
        case S.HeaderLf:
          if (buf[p] !== Byte.LF) return reject(R.BareCarriageReturn);
          p++;
          if (p - base - section > sectionLimit) return reject(sectionReason);
          state = S.HeaderStart;
          continue;
        case S.HeadersEndLf:
          // The empty line is not counted: every field line before it was, at its own CRLF.
          if (buf[p] !== Byte.LF) return reject(R.BareCarriageReturn);
          this.#offsetCount = n;
          return p + 1;
      }
    }
    // The buffer ended inside the head: refuse it now if it is already too big, before any copy.
    if (state <= S.ReqLineLf) {
      if (len - base > this.#maxLine) return reject(R.RequestLineTooLong);
    } else if (len - base - section - (state === S.HeadersEndLf ? 1 : 0) > sectionLimit) {
      // (The CR of the empty line is not a field byte.)
      return reject(sectionReason);
    }
    this.#state = state;
    this.#offsetCount = n;
    this.#sectionOffset = section;
    return -1;
  }

  /** One byte of `HTTP/1.x` + CR, when the version arrives split (the fast path handles the rest). */
  #versionByte(b: number): void {
    const i = this.#versionIndex;
    if (i < 5) {
      if (b !== 'HTTP/'.charCodeAt(i)) reject(R.InvalidVersion);
    } else if (i === 5 || i === 7) {
      if (b < 0x30 || b > 0x39) reject(R.InvalidVersion);
      // A well-formed version we do not speak: 505 (RFC 9110 §15.6.6), decided on its first digit.
      if (i === 5 ? b !== 0x31 : b > 0x31) reject(R.UnsupportedHttpVersion);
      if (i === 7) this.#versionMinor = b === 0x31 ? 1 : 0;
    } else if (i === 6) {
      if (b !== 0x2e) reject(R.InvalidVersion);
    } else if (b !== Byte.CR) {
      reject(b === Byte.LF ? R.BareLineFeed : R.InvalidVersion);
    }
  }

  #requestLineDone(buf: Buffer, base: number): void {
    const s = base + this.#targetStart;
    const method = this.#method;
    // origin-form, nearly every request's, without the call (requestTargetForm decides the rest).
    this.#targetForm = buf[s] === Byte.SLASH && method !== CONNECT ? 'origin' : requestTargetForm(buf, s, base + this.#targetEnd, method);
  }

  #framingField(kind: HeaderKind, buf: Buffer, s: number, e: number, index: number): void {
    switch (kind) {
      case HeaderKind.Host:
        if (this.#hostField >= 0) reject(R.DuplicateHost);
        this.#hostField = index;
        break;
      case HeaderKind.ContentLength: {
        // Duplicates are refused even when equal: `5` then `5` is how CL-CL desync starts.
        if (this.#contentLength !== -1) reject(R.DuplicateContentLength);
        if (this.#hasTransferEncoding) reject(R.ContentLengthWithTransferEncoding);
        const length = parseContentLength(buf, s, e);
        if (length < 0) reject(R.InvalidContentLength);
        this.#contentLength = length;
        break;
      }
      case HeaderKind.TransferEncoding:
        if (this.#hasTransferEncoding) reject(R.DuplicateTransferEncoding);
        this.#hasTransferEncoding = true;
        if (this.#contentLength !== -1) reject(R.ContentLengthWithTransferEncoding);
        // RFC 9112 §6.1: HTTP/1.0 has no Transfer-Encoding; an intermediary may not agree on it.
        if (this.#versionMinor === 0) reject(R.TransferEncodingInHttp10);
        if (!isChunkedOnly(buf, s, e)) reject(transferEncodingProblem(buf, s, e));
        this.#chunked = true;
        break;
      case HeaderKind.Connection:
        this.#connection |= connectionOptions(buf, s, e);
        break;
      case HeaderKind.Upgrade:
        this.#hasUpgradeField = true;
        break;
      case HeaderKind.Expect:
        // 100-continue is the only expectation defined (RFC 9110 §10.1.1); any other gets 417.
        if (equalsLower(buf, s, e, '100-continue')) this.#expectContinue = true;
        else reject(R.UnsupportedExpectation);
        break;
    }
  }

  /**
   * The request head whose empty line ends at buf[end] (scan returned `end`), as strings; bytes of
   * the same read follow it up to buf[limit], which may be decoded with it (see `DECODE_AHEAD`).
   */
  requestHead(buf: Buffer, base: number, end: number, limit: number): RequestHead {
    const method = this.#method;
    const isConnect = method === CONNECT;
    const known = knownTargetOf(buf, base + this.#targetStart, base + this.#targetEnd);
    // The head a client sends again and again on a keep-alive connection (a remembered target, and a
    // Host the scanner matched to the remembered one, or no fields): every string it needs exists,
    // so its bytes are not decoded at all. The decode was one call into C++ per request.
    if (known !== null) {
      const n = this.#offsetCount;
      if (n === 0) return this.#head(known, [], null);
      const host = this.#knownHost;
      if (n === 4 && host !== null) {
        const name = hostNameOf(buf, base + this.#offsets[0]);
        if (name !== null) return this.#head(known, [name, host], host);
      }
    }
    let text: string;
    let at: number; // where the head's first byte is in `text`
    if (buf === windowBuf && base >= windowStart && end <= windowEnd) {
      text = windowText;
      at = base - windowStart;
    } else if (end < limit && this.#contentLength <= 0 && !this.#chunked && !isConnect) {
      // More bytes follow a head without a body: most likely further pipelined heads. Decoding
      // them now with this one costs one call into C++ for the batch instead of one per head
      // (each such call cost about what decoding a kilobyte does).
      windowEnd = Math.max(end, Math.min(limit, base + DECODE_AHEAD));
      text = windowText = latin1(buf, base, windowEnd);
      windowBuf = buf;
      windowStart = base;
      at = 0;
    } else {
      text = latin1(buf, base, end);
      at = 0;
    }
    const hostField = this.#hostField;
    let hostSlot = -1;
    let hostFieldName: string | null = null;
    let host: string | null = null;
    if (hostField >= 0) {
      const offsets = this.#offsets;
      const i = 4 * hostField;
      hostSlot = 2 * hostField + 1;
      hostFieldName = hostNameOf(buf, base + offsets[i]) ?? text.substring(at + offsets[i], at + offsets[i + 1]);
      host = this.#knownHost ?? text.substring(at + offsets[i + 2], at + offsets[i + 3]);
    }
    const fields = this.#fields(text, at, hostSlot, hostFieldName, host);
    let target = known;
    if (target === null) {
      target = text.substring(at + this.#targetStart, at + this.#targetEnd);
      if (this.#targetForm === 'origin' && target.length <= MAX_KNOWN_TARGET) knownTarget = target;
    }
    return this.#head(target, fields, host);
  }

  /** The head from the scanned facts, with its strings made. */
  #head(target: string, fields: string[], host: string | null): RequestHead {
    const method = this.#method;
    const isConnect = method === CONNECT;
    const minor = this.#versionMinor;
    const conn = this.#connection;
    let flags = 0;
    if ((conn & CONNECTION_CLOSE) === 0 && (minor === 1 || (conn & CONNECTION_KEEP_ALIVE) !== 0)) flags |= HeadFlag.KeepAlive;
    // RFC 9110 §7.8: Upgrade is ignored in HTTP/1.0.
    if ((conn & CONNECTION_UPGRADE) !== 0 && this.#hasUpgradeField && minor === 1) flags |= HeadFlag.Upgrade;
    if (this.#chunked) flags |= HeadFlag.Chunked;
    if (this.#expectContinue) flags |= HeadFlag.ExpectContinue;
    const head = new RequestHead(method, target, this.#targetForm, minor, isConnect, fields, flags, this.#contentLength, host);
    return head;
  }

  /** The trailer fields whose empty line ends at buf[end], or null when there were none. */
  trailerFields(buf: Buffer, base: number, end: number): string[] | null {
    return this.#offsetCount === 0 ? null : this.#fields(latin1(buf, base, end), 0, -1, null, null);
  }

  /**
   * The fields as strings, from `text` where the head's first byte is at `at`; the value at index
   * `slot` of the flat list (-1: none) is `value` and its name `name`, already made.
   */
  #fields(text: string, at: number, slot: number, name: string | null, value: string | null): string[] {
    const offsets = this.#offsets;
    const n = this.#offsetCount;
    const fields = new Array<string>(n >> 1);
    for (let i = 0, j = 0; i < n; i += 4, j += 2) {
      if (j + 1 === slot) {
        fields[j] = name!;
        fields[j + 1] = value!;
      } else {
        fields[j] = text.substring(at + offsets[i], at + offsets[i + 1]);
        fields[j + 1] = text.substring(at + offsets[i + 2], at + offsets[i + 3]);
      }
    }
    return fields;
  }
}

/**
 * The Host field's name at buf[from] (four letters, 'host' in any case) as one of the two constants
 * clients send, where a substring was a new string every request; null for another spelling.
 */
function hostNameOf(buf: Buffer, from: number): string | null {
  const h = buf[from];
  if ((h === 0x48 || h === 0x68) && buf[from + 1] === 0x6f && buf[from + 2] === 0x73 && buf[from + 3] === 0x74) {
    return h === 0x48 ? 'Host' : 'host';
  }
  return null;
}

// The last origin-form request-target any connection decoded, one for the process, as Kestrel
// reuses a connection's header strings when the same bytes come again: a client on a keep-alive
// connection mostly asks for what it asked for before, and the clients of a server often for the
// same few paths. A head whose target has these bytes gets this very string. Kept as the string
// only (its characters are the bytes: latin1); a longer target than this is not remembered, as
// comparing it could cost more than decoding it. A target of 13 characters or more is a slice of
// its head's decoded text in V8, so the one remembered keeps that one head's text alive, as the
// remembered Host does.
const MAX_KNOWN_TARGET = 64;
let knownTarget: string | null = null;

/** The remembered target when buf[s, e) are its bytes, else null. */
function knownTargetOf(buf: Buffer, s: number, e: number): string | null {
  const t = knownTarget;
  if (t === null || t.length !== e - s) return null;
  for (let i = 0; i < t.length; i++) if (buf[s + i] !== t.charCodeAt(i)) return null;
  return t;
}

// The last Host value a connection found valid, one for the process: validity depends on the
// value's bytes alone, and the clients of a server mostly send one Host. A head whose Host has
// these bytes gets this very string, so the driver's check of a Host against the one it last
// validated is one pointer compare: a value of 13 characters or more is a slice of the head's
// text, and comparing two slices went through V8's runtime (~470 instructions a request).
const MAX_KNOWN_HOST = 255;
const knownHostBytes = new Uint8Array(MAX_KNOWN_HOST);
let knownHost: string | null = null;

/**
 * `host`, a Host value as decoded from a head, was found valid: heads with the same bytes get
 * this string. Only field-value bytes are kept (a valid Host has no others), since the scanner
 * takes a match for a scan of them.
 */
export function rememberValidHost(host: string): void {
  const n = host.length;
  if (n > MAX_KNOWN_HOST) return;
  for (let i = 0; i < n; i++) {
    const c = host.charCodeAt(i);
    if (c > 0xff || FIELD_VALUE[c] === 0) return;
  }
  for (let i = 0; i < n; i++) knownHostBytes[i] = host.charCodeAt(i);
  knownHost = host;
}

/**
 * How many bytes from a head's start `requestHead` decodes at once when more follow it: a batch of
 * pipelined heads (wrk's ×16 of ~50 bytes is 800). Small, because a field value of 13 characters
 * or more is a slice of the decoded text and keeps all of it alive while it is held: by the app,
 * or by the connection, which keeps the last Host it found valid until the next request (and
 * `knownHost`, the last one any connection found valid).
 */
const DECODE_AHEAD = 1024;

// The text decoded ahead: buf[windowStart, windowEnd) of `windowBuf`, valid only until the parser
// that decoded it returns from `execute` (it calls `forgetDecodedHeads`), because a transport may
// fill the same Buffer again with the next read. One for the process: JavaScript parses one chunk
// at a time, and a parser that runs inside another's callback checks the buffer and range.
let windowBuf: Buffer | null = null;
let windowText = '';
let windowStart = 0;
let windowEnd = 0;

/** Drops the text decoded ahead of the heads parsed so far (see `windowBuf`). */
export function forgetDecodedHeads(): void {
  if (windowBuf === null) return;
  windowBuf = null;
  windowText = '';
}

/** The most scanners a pool keeps for reuse: enough for the heads scanned at once, in pieces. */
const MAX_FREE_SCANNERS = 16;

/**
 * The head scanners of the connections that share one set of parser limits (an endpoint's). A
 * connection scans one head at a time, and none between requests: its parser takes a scanner when
 * a head (or trailer section) begins and gives it back when its empty line is read, so an idle
 * keep-alive connection holds none (a scanner and its offsets were ~370 bytes each kept). A head
 * that arrives whole in one read takes and gives back the same scanner: one serves every
 * connection. A pool keeps at most `MAX_FREE_SCANNERS`; more in use at once are made and dropped.
 */
export class HeadScannerPool {
  readonly limits: Required<ParserLimits>;
  // A stack kept at its longest, `#count` deep: V8's pop() shrinks an array's store once it is
  // mostly empty, and the next push() allocated a new one (~130 bytes per connection, each taking
  // and giving back the one scanner).
  readonly #free: (HeadScanner | undefined)[] = [];
  #count = 0;

  constructor(limits: Partial<ParserLimits>) {
    this.limits = resolveParserLimits(limits);
  }

  take(): HeadScanner {
    if (this.#count === 0) return new HeadScanner(this.limits);
    const at = --this.#count;
    const scanner = this.#free[at]!;
    this.#free[at] = undefined;
    return scanner;
  }

  /** A scanner taken from this pool that its parser no longer needs (its state is reset on the next `begin…`). */
  give(scanner: HeadScanner): void {
    if (this.#count < MAX_FREE_SCANNERS) this.#free[this.#count++] = scanner;
  }
}
