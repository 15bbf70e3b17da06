import { token, type Endpoint, type Logger } from '../../connection/index.js';
import { checkCertificateSource, type CertificateSource } from './certificate-source.js';
import { ensureDevCertificate } from './dev-certificate.js';
import type { HttpsOptions } from './https-options.js';

/** What a provider is asked for: an HTTPS endpoint configured without a certificate. */
export interface CertificateRequest {
  /** The endpoint as a URL, `https://127.0.0.1:5001`. */
  readonly url: string;
  readonly endpoint: Endpoint;
}

/**
 * Supplies the certificate of an HTTPS endpoint that was given none (an `https://` URL without
 * `useHttps`, or `useHttps()` without a certificate): certificate files, the development
 * certificate, later ACME. The providers registered under `CERTIFICATE_PROVIDER` are asked at
 * `start()`, the last registered first; the first that answers wins, and `undefined` passes to the
 * next. None answering fails the start.
 */
export interface CertificateProvider {
  /** For logs and errors: 'files', 'development'. */
  readonly name: string;
  provide(request: CertificateRequest): CertificateSource | undefined | Promise<CertificateSource | undefined>;
}

/** The certificate providers, in registration order. */
export const CERTIFICATE_PROVIDER = token<CertificateProvider>('tiercel.CertificateProvider');
/**
 * Server-wide HTTPS options (checked by `checkTlsDefaults`): every HTTPS endpoint starts from
 * them, and its own `useHttps` options win. A `certificate` here serves every endpoint given none.
 */
export const TLS_OPTIONS = token<HttpsOptions>('tiercel.TlsOptions');

/** One certificate (files or memory) for every endpoint that has none: `tiercel serve --cert --key`. */
export class StaticCertificateProvider implements CertificateProvider {
  readonly name = 'files';
  readonly #source: CertificateSource;
  constructor(source: CertificateSource) {
    this.#source = checkCertificateSource('certificate', source);
  }
  provide(): CertificateSource {
    return this.#source;
  }
}

export interface DevCertificateProviderOptions {
  /** The certificate's folder (`ensureDevCertificate`'s `dir`). */
  readonly dir?: string;
  /** False in production (`NODE_ENV=production`): the provider then never answers. */
  readonly enabled: boolean;
  readonly logger: Logger;
}

/** The development certificate for localhost, made on first use (`ensureDevCertificate`). */
export class DevCertificateProvider implements CertificateProvider {
  readonly name = 'development';
  constructor(readonly options: DevCertificateProviderOptions) {}

  async provide(request: CertificateRequest): Promise<CertificateSource | undefined> {
    if (!this.options.enabled) return undefined;
    const dev = await ensureDevCertificate(this.options.dir === undefined ? {} : { dir: this.options.dir });
    this.options.logger.info(
      `Using the development certificate for ${request.url}: ${dev.certFile}${dev.created ? ' (just created; trust it in your browser or pass it to curl --cacert)' : ''}`,
    );
    return { certFile: dev.certFile, keyFile: dev.keyFile };
  }
}
