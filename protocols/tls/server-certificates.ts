import { randomBytes } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Logger } from '../../connection/index.js';
import type { AcmeCertificates } from './acme-certificates.js';
import { checkCertificateSource, type CertificateSource, type SharedContextOptions } from './certificate-source.js';
import { loadCertificate } from './certificate-loader.js';
import { HostMap } from './host-map.js';
import type { ResolvedHttpsOptions, SniSelection, SniSelector } from './https-options.js';
import { ReloadableCertificate } from './reloadable-certificate.js';
import { TlsHandshakeFailedError } from './tls-errors.js';

/**
 * Every certificate one HTTPS middleware serves, and the choice among them for a server name:
 * the SNI map (exact, then wildcard), then the selector, then the default certificate.
 * Everything configured is loaded in the constructor, so a bad certificate throws there.
 */
export class ServerCertificates {
  readonly #default: ReloadableCertificate | undefined;
  readonly #byName = new HostMap<ReloadableCertificate>();
  readonly #selector: SniSelector | undefined;
  /** Sources a selector returned, loaded once per object. */
  readonly #selected = new WeakMap<object, SecureContext>();
  readonly #shared: SharedContextOptions;
  /**
   * The context a handshake starts with. It fixes what SNI cannot change later (the protocol
   * versions), so it exists even without a default certificate; then it holds none, and a
   * handshake that ends up there fails.
   */
  readonly #bare: SecureContext;
  readonly #acme: AcmeCertificates | undefined;

  constructor(options: ResolvedHttpsOptions, logger: Logger, acme?: AcmeCertificates) {
    this.#acme = acme;
    this.#shared = {
      minVersion: options.minVersion,
      ca: options.clientCertificateCa as (string | Buffer)[] | undefined,
      // OpenSSL refuses to resume a session under client-certificate verification without a
      // session id context; one per middleware keeps sessions from crossing endpoints.
      sessionIdContext: randomBytes(16).toString('hex'),
    };
    const reload = { watch: options.reloadOnChange, debounceMs: options.reloadDebounceMs, logger };
    const made: ReloadableCertificate[] = [];
    const make = (source: CertificateSource): ReloadableCertificate => {
      const c = new ReloadableCertificate(source, this.#shared, reload);
      made.push(c);
      return c;
    };
    try {
      this.#default = options.certificate === undefined ? undefined : make(options.certificate);
      for (const [pattern, source] of options.sni) this.#byName.set(pattern, make(source));
    } catch (err) {
      for (const c of made) c.dispose();
      throw err;
    }
    this.#selector = options.selectCertificate;
    this.#bare = createSecureContext(this.#shared);
  }

  get hasDefault(): boolean {
    return this.#default !== undefined;
  }

  /** The context a handshake starts with: the default certificate's, or one with no certificate. */
  get initialContext(): SecureContext {
    return this.#default?.context ?? this.#bare;
  }

  /**
   * The context for a server name the client sent; `undefined` keeps the initial one (the
   * default certificate). Rejects with `TlsHandshakeFailedError('no-certificate')` when nothing
   * serves the name.
   */
  async select(serverName: string): Promise<SecureContext | undefined> {
    const acme = this.#acme;
    if (acme !== undefined && acme.covers(serverName)) {
      const issued = acme.sourceFor(serverName);
      if (issued !== undefined) return this.#fromSelection(serverName, issued);
      if (!acme.fallback || this.#default === undefined) throw new TlsHandshakeFailedError('no-certificate', `no certificate from the ACME CA for '${serverName}' yet`);
      return undefined;
    }
    const named = this.#byName.get(serverName);
    if (named !== undefined) return named.context;
    if (this.#selector !== undefined) {
      let chosen: SniSelection;
      try {
        chosen = await this.#selector(serverName);
      } catch (err) {
        throw new TlsHandshakeFailedError('no-certificate', `the certificate selector failed for '${serverName}'`, { cause: err, appFault: true });
      }
      if (chosen !== null && chosen !== undefined) return this.#fromSelection(serverName, chosen);
    }
    if (this.#default !== undefined) return undefined;
    throw new TlsHandshakeFailedError('no-certificate', `no certificate for '${serverName}' and no default certificate`);
  }

  #fromSelection(serverName: string, chosen: CertificateSource | SecureContext): SecureContext {
    if (isSecureContext(chosen)) return chosen;
    let context = this.#selected.get(chosen);
    if (context === undefined) {
      try {
        context = loadCertificate(checkCertificateSource('selectCertificate()', chosen), this.#shared).context;
      } catch (err) {
        throw new TlsHandshakeFailedError('no-certificate', `the certificate selected for '${serverName}' cannot be used`, { cause: err, appFault: true });
      }
      this.#selected.set(chosen, context);
    }
    return context;
  }

  /** Every file-backed certificate, to reload by hand (`HttpsMiddleware.reload`). */
  get all(): readonly ReloadableCertificate[] {
    return this.#default === undefined ? [...this.#byName.values()] : [this.#default, ...this.#byName.values()];
  }

  /** Stops watching every certificate's files. */
  dispose(): void {
    for (const c of this.all) c.dispose();
  }
}

/** node:tls does not export the SecureContext class; its instances carry the native `context`. */
function isSecureContext(value: object): value is SecureContext {
  return 'context' in value && !('cert' in value) && !('certFile' in value) && !('pfx' in value) && !('pfxFile' in value);
}
