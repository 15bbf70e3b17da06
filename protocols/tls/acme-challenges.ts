import { token } from '../../connection/index.js';

/** A TLS-ALPN-01 challenge certificate (RFC 8737 §3), PEM. */
export interface AlpnChallengeCertificate {
  readonly cert: string;
  readonly key: string;
}

/**
 * The ACME challenges a server is answering now, shared by its certificate managers (which add
 * and remove them during an order) and its responders: the HTTP-01 one before the app on
 * cleartext endpoints, the TLS-ALPN-01 one in the TLS middleware. Empty outside an order, so the
 * responders cost one size check per connection or request.
 */
export class AcmeChallenges {
  readonly #http = new Map<string, string>();
  readonly #alpn = new Map<string, AlpnChallengeCertificate>();
  /** Store folders whose published HTTP-01 answers this server also serves (see `sharedAnswer`). */
  readonly #stores = new Set<string>();
  /** Reads an answer published in a store folder; given by the certificate managers (node:fs stays out of this file). */
  #readShared: ((dir: string, token: string) => Promise<string | undefined>) | undefined;

  /** Serves `keyAuthorization` at `/.well-known/acme-challenge/<token>` until `removeHttp`. */
  addHttp(token: string, keyAuthorization: string): void {
    this.#http.set(token, keyAuthorization);
  }

  removeHttp(token: string): void {
    this.#http.delete(token);
  }

  /** The body for an HTTP-01 request for `token`, or undefined when no order awaits it. */
  httpResponse(token: string): string | undefined {
    return this.#http.get(token);
  }

  /** Also answers the HTTP-01 tokens that other instances sharing the store folder `dir` publish there. */
  shareStore(dir: string, read: (dir: string, token: string) => Promise<string | undefined>): void {
    this.#stores.add(dir);
    this.#readShared = read;
  }

  /**
   * The answer for `token` that another instance sharing a store published, or undefined: asked
   * only after `httpResponse` missed, for a request to the challenge path (rare: a file read).
   */
  async sharedAnswer(token: string): Promise<string | undefined> {
    const read = this.#readShared;
    if (read === undefined) return undefined;
    for (const dir of this.#stores) {
      const answer = await read(dir, token);
      if (answer !== undefined) return answer;
    }
    return undefined;
  }

  /** Answers `acme-tls/1` handshakes for `domain` with `certificate` until `removeAlpn`. */
  addAlpn(domain: string, certificate: AlpnChallengeCertificate): void {
    this.#alpn.set(domain.toLowerCase(), certificate);
  }

  removeAlpn(domain: string): void {
    this.#alpn.delete(domain.toLowerCase());
  }

  alpnCertificate(domain: string): AlpnChallengeCertificate | undefined {
    return this.#alpn.get(domain.toLowerCase());
  }

  /** True while some TLS-ALPN-01 challenge is open: only then does the TLS middleware read the ClientHello first. */
  get alpnPending(): boolean {
    return this.#alpn.size > 0;
  }
}

/** The server's challenges; hosting registers one when an endpoint uses ACME. */
export const ACME_CHALLENGES = token<AcmeChallenges>('tiercel.AcmeChallenges');

/** The path prefix of HTTP-01 (RFC 8555 §8.3). */
export const ACME_HTTP_CHALLENGE_PREFIX = '/.well-known/acme-challenge/';

/** The ALPN protocol id of TLS-ALPN-01 (RFC 8737 §6.2). */
export const ACME_TLS_ALPN_PROTOCOL = 'acme-tls/1';
