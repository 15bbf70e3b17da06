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

  get httpPending(): boolean {
    return this.#http.size > 0;
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
