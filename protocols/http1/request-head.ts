import { isValidHostValue } from '../http/index.js';
import { BadRequestError, RequestRejectionReason } from './rejection.js';

/** The four shapes of request-target (RFC 9112 §3.2). */
export type TargetForm = 'origin' | 'absolute' | 'authority' | 'asterisk';

/** What a head says in one bit each (`RequestHead`'s boolean getters), set by the head scanner. */
export const enum HeadFlag {
  Chunked = 1,
  KeepAlive = 2,
  ExpectContinue = 4,
  Upgrade = 8,
  Connect = 16,
}

/**
 * A parsed request line and header section. A fresh one per request: the driver hands it to the
 * app, which may still hold it while the parser reads the next pipelined request. Every field is
 * set in the constructor so all heads share one hidden class; the yes/no facts share one number
 * (a head is made per request, and its size is young-generation garbage every request pays for).
 */
export class RequestHead {
  /** The method as sent; the common ones are interned constants, so `===` is cheap. */
  readonly method: string;
  /** The request-target exactly as sent (a fragment, if any, is kept). */
  readonly target: string;
  readonly targetForm: TargetForm;
  readonly versionMinor: 0 | 1;
  /** Flat `[name, value, name, value, …]`; names as sent, values without surrounding OWS. */
  readonly rawHeaders: string[];
  /** The declared body length, or -1 without Content-Length (also reported for CONNECT, whose body is ignored). */
  readonly contentLength: number;
  /** The one Host value, or null when absent (a second Host is rejected while parsing). */
  host: string | null;
  /** Flat trailer fields after a chunked body, or null when there were none. Set before onMessageComplete. */
  trailers: string[] | null = null;
  readonly #flags: number;

  constructor(
    method: string,
    target: string,
    targetForm: TargetForm,
    versionMinor: 0 | 1,
    isConnect: boolean,
    rawHeaders: string[],
    /** `HeadFlag` bits beside `Connect` (which `isConnect` sets). */
    flags = 0,
    contentLength = -1,
    host: string | null = null,
  ) {
    this.method = method;
    this.target = target;
    this.targetForm = targetForm;
    this.versionMinor = versionMinor;
    this.rawHeaders = rawHeaders;
    this.contentLength = contentLength;
    this.host = host;
    this.#flags = isConnect ? flags | HeadFlag.Connect : flags & ~HeadFlag.Connect;
  }

  get httpVersion(): '1.0' | '1.1' {
    return this.versionMinor === 1 ? '1.1' : '1.0';
  }

  /** `Transfer-Encoding: chunked`. */
  get chunked(): boolean {
    return (this.#flags & HeadFlag.Chunked) !== 0;
  }

  /** HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`. */
  get keepAlive(): boolean {
    return (this.#flags & HeadFlag.KeepAlive) !== 0;
  }

  /** `Expect: 100-continue` (any other expectation is refused with 417 while parsing). */
  get expectContinue(): boolean {
    return (this.#flags & HeadFlag.ExpectContinue) !== 0;
  }

  /** HTTP/1.1 with an `upgrade` token in Connection and an Upgrade header field. */
  get upgrade(): boolean {
    return (this.#flags & HeadFlag.Upgrade) !== 0;
  }

  get isConnect(): boolean {
    return (this.#flags & HeadFlag.Connect) !== 0;
  }

  /** True when body bytes follow the head (CONNECT's are tunnel bytes, not a body). */
  get hasBody(): boolean {
    return !this.isConnect && (this.chunked || this.contentLength > 0);
  }
}

/**
 * RFC 9112 §3.2: an HTTP/1.1 request without Host, or with a Host that is neither empty nor RFC
 * 3986 `host[:port]` (see `isValidHostValue`), gets a 400 — whatever the target's form: for
 * absolute-form the target's authority (checked by the parser) is used and Host is otherwise
 * ignored (§3.2.2), but it must still be valid. Not part of `execute`, because parsing must not
 * depend on it (llhttp's corpus has many valid HTTP/1.1 requests without Host); the driver calls
 * this from onRequestHead. Duplicate Host fields are already rejected by the parser. Throws a
 * BadRequestError.
 */
export function assertValidHost(head: RequestHead): void {
  const host = head.host;
  if (host === null) {
    if (head.versionMinor === 1) throw new BadRequestError(RequestRejectionReason.MissingHost);
    return;
  }
  if (!isValidHostValue(host)) throw new BadRequestError(RequestRejectionReason.InvalidHost);
}
