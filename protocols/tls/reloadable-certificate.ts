import type { SecureContext } from 'node:tls';
import type { Logger } from '../../connection/index.js';
import { CertificateWatcher } from './certificate-watcher.js';
import { describeSource, sourceFiles, type CertificateSource, type LoadedCertificate, type SharedContextOptions } from './certificate-source.js';
import { loadCertificate } from './certificate-loader.js';

export interface ReloadOptions {
  /** Watch the source's files and reload on change (ignored for in-memory sources). */
  readonly watch: boolean;
  readonly debounceMs: number;
  readonly logger: Logger;
}

/**
 * One certificate source and the secure context currently made from it. Loading happens once, in
 * the constructor, and throws `CertificateInvalidError` then; later reloads (file changes) swap
 * the context only when the new files load, so a half-written or broken file keeps the old
 * certificate serving (logged at warn). Handshakes in progress and established connections keep
 * the context they started with: only new handshakes see a new one.
 */
export class ReloadableCertificate {
  #current: LoadedCertificate;
  readonly #watcher: CertificateWatcher | undefined;

  constructor(
    readonly source: CertificateSource,
    readonly shared: SharedContextOptions,
    readonly options: ReloadOptions,
  ) {
    this.#current = loadCertificate(source, shared);
    warnIfExpired(this.#current, source, options.logger);
    const files = sourceFiles(source);
    if (options.watch && files.length > 0) this.#watcher = new CertificateWatcher(files, options.debounceMs, () => this.reload());
  }

  get context(): SecureContext {
    return this.#current.context;
  }

  get certificate(): LoadedCertificate {
    return this.#current;
  }

  /**
   * Reads the source again and switches to it if it changed and loads. Returns true when the
   * certificate changed. Never throws: a failure is logged and the current certificate stays.
   */
  reload(): boolean {
    let next: LoadedCertificate;
    try {
      next = loadCertificate(this.source, this.shared);
    } catch (err) {
      this.options.logger.warn({ err }, `Certificate reload failed; still serving the previous certificate ${describeSource(this.source)}`);
      return false;
    }
    if (next.digest === this.#current.digest) return false;
    this.#current = next;
    warnIfExpired(next, this.source, this.options.logger);
    this.options.logger.info({ subject: next.subject, validTo: next.validTo?.toISOString() }, `Certificate reloaded ${describeSource(this.source)}`);
    return true;
  }

  /** Stops watching the files. */
  dispose(): void {
    this.#watcher?.close();
  }
}

/** An expired certificate still loads (clients decide), but it is worth a line in the log. */
function warnIfExpired(loaded: LoadedCertificate, source: CertificateSource, logger: Logger): void {
  if (loaded.validTo !== undefined && loaded.validTo.getTime() < Date.now()) {
    logger.warn({ subject: loaded.subject }, `The certificate ${describeSource(source)} expired on ${loaded.validTo.toISOString()}`);
  }
}
