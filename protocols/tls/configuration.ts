// protocols/tls/configuration.ts: HTTPS configured without loading node:tls or node:crypto —
// options, certificate sources and providers, their tokens, the development certificate, the
// errors. The composition root and hosting import this; the middleware itself (index.ts's
// `httpsMiddleware`) is loaded when the first HTTPS endpoint is built.
export type { HttpsMiddleware, AcmeEnvironment } from './https-middleware.js';
export type { AcmeCertificates } from './acme-certificates.js';
export type { StoredCertificate } from './acme-store.js';
export { ACME_DEFAULTS, ACME_CHALLENGE_TYPES, resolveAcmeOptions, type AcmeChallengeType, type AcmeOptions, type ResolvedAcmeOptions } from './acme-options.js';
export { AcmeChallenges, ACME_CHALLENGES, ACME_HTTP_CHALLENGE_PREFIX, ACME_TLS_ALPN_PROTOCOL, type AlpnChallengeCertificate } from './acme-challenges.js';
export {
  HTTPS_DEFAULTS,
  resolveHttpsOptions,
  checkTlsDefaults,
  hasCertificate,
  type ClientCertificateMode,
  type ClientCertificateValidator,
  type HttpsOptions,
  type ResolvedHttpsOptions,
  type SniSelection,
  type SniSelector,
  type TlsMinVersion,
} from './https-options.js';
export {
  type CertificateSource,
  type PemFileSource,
  type PemSource,
  type PfxFileSource,
  type PfxSource,
} from './certificate-source.js';
export { ensureDevCertificate, DEV_CERT_FILE, DEV_KEY_FILE, type DevCertificate, type DevCertificateOptions } from './dev-certificate.js';
export { AcmeOrderFailedError, CertificateInvalidError, TlsHandshakeFailedError, type AcmeFailureStage, type TlsHandshakeFailureReason } from './tls-errors.js';
export {
  CERTIFICATE_PROVIDER,
  TLS_OPTIONS,
  DevCertificateProvider,
  StaticCertificateProvider,
  type CertificateProvider,
  type CertificateRequest,
  type DevCertificateProviderOptions,
} from './certificate-provider.js';
