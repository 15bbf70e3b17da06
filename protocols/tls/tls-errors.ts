import { TiercelError } from '../../connection/index.js';

/**
 * A certificate that cannot serve: unreadable file, bad PEM or PFX, a key that does not match the
 * certificate, a wrong passphrase. Thrown at configuration time; on a reload it is logged and the
 * certificate in use is kept.
 */
export class CertificateInvalidError extends TiercelError {
  constructor(readonly source: string, reason: string, options?: { cause?: unknown }) {
    super('ERR_TIERCEL_CERTIFICATE_INVALID', `The certificate ${source} cannot be used: ${reason}`, options);
  }
}

/**
 * Why a TLS handshake did not complete (a closed set, like `RequestRejectionReason` for HTTP/1.1):
 * - `timeout`: no complete handshake within `handshakeTimeoutMs`;
 * - `protocol`: not TLS, a malformed ClientHello, a version below `minVersion`, no common cipher or
 *   ALPN protocol;
 * - `no-certificate`: no certificate for the requested server name and no default one, or the
 *   certificate selector failed;
 * - `client-certificate`: a client certificate was required and not sent, did not chain to
 *   `clientCertificateCa`, or `validateClientCertificate` refused it;
 * - `closed`: the peer went away, or the server is shutting down, before the handshake completed.
 */
export type TlsHandshakeFailureReason = 'timeout' | 'protocol' | 'no-certificate' | 'client-certificate' | 'closed';

/**
 * A TLS handshake failed; the connection was closed and never reached the next middleware. Logged
 * at debug, or at error when `appFault` is set.
 */
export class TlsHandshakeFailedError extends TiercelError {
  /**
   * True when the application's own callback failed: `selectCertificate` threw, rejected or
   * returned a certificate that cannot be used, or `validateClientCertificate` threw. A bug to fix,
   * not a client's doing.
   */
  readonly appFault: boolean;

  constructor(readonly reason: TlsHandshakeFailureReason, detail: string, options?: { cause?: unknown; appFault?: boolean }) {
    super('ERR_TIERCEL_TLS_HANDSHAKE_FAILED', `TLS handshake failed (${reason}): ${detail}`, options);
    this.appFault = options?.appFault === true;
  }
}

/**
 * Where an ACME order failed (a closed set):
 * - `timeout`: the CA did not finish within `orderTimeoutMs` (or a request within `requestTimeoutMs`);
 * - `ca`: the CA refused or failed a request (bad account, rate limit, unreachable directory, a
 *   challenge it could not validate: `err.cause` holds its problem document's detail);
 * - `store`: the account key or the certificate could not be read or written in the store.
 */
export type AcmeFailureStage = 'timeout' | 'ca' | 'store';

/**
 * An ACME order for `domains` failed. Logged at error by the certificate manager, never thrown to
 * your code: the certificate in use (if any) keeps serving, and the order is tried again after a
 * back-off (`retryMinMs` doubling up to `retryMaxMs`).
 */
export class AcmeOrderFailedError extends TiercelError {
  constructor(
    readonly stage: AcmeFailureStage,
    readonly domains: readonly string[],
    detail: string,
    options?: { cause?: unknown },
  ) {
    super('ERR_TIERCEL_ACME_ORDER_FAILED', `ACME order for ${domains.join(', ')} failed (${stage}): ${detail}`, options);
  }
}
