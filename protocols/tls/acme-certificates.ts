import type { Authorization, Client } from 'acme-client';
import { LOG_EVENTS, type Clock, type ClockTimer, type Logger } from '../../connection/index.js';
import type { AcmeChallenges } from './acme-challenges.js';
import { configureAcmeHttp } from './acme-http.js';
import type { ResolvedAcmeOptions } from './acme-options.js';
import { AcmeStore, readHttpChallenge, type StoredCertificate } from './acme-store.js';
import type { PemSource } from './certificate-source.js';
import { AcmeOrderFailedError } from './tls-errors.js';

/** What a manager works with, given by whoever owns it (the HTTPS middleware). */
export interface AcmeContext {
  /** The server's open challenges, which its HTTP-01 and TLS-ALPN-01 responders answer. */
  readonly challenges: AcmeChallenges;
  readonly logger: Logger;
  readonly clock: Clock;
  /**
   * Whether a handshake for a name without a certificate yet may fall back to the endpoint's
   * default (development) certificate: true outside production. In production it fails.
   */
  readonly fallback: boolean;
}

/** A certificate being served, as the TLS middleware loads it (once per object: a new object per issuance). */
interface Serving {
  readonly stored: StoredCertificate;
  readonly source: PemSource;
}

/** The longest single timer: a renewal months away is looked at again daily (and setTimeout overflows past 2^31 ms). */
const MAX_TIMER_MS = 24 * 60 * 60 * 1000;

type AcmeModule = typeof import('acme-client');

/**
 * The certificate of one `acme` configuration: read from the store at start, ordered from the CA
 * when there is none (or it no longer covers the names), renewed from `renewAfter` of its lifetime
 * on, retried with a doubling back-off after a failure. A new certificate is a new `source`, which
 * the TLS middleware loads for new handshakes; open connections keep theirs, and a failed order
 * leaves the current one serving. Orders take a lock file in the store, so instances that share
 * it order once: the others wait, then read what the holder wrote.
 */
export class AcmeCertificates {
  readonly #options: ResolvedAcmeOptions;
  readonly #context: AcmeContext;
  readonly #store: AcmeStore;
  /** The certificate's file name in the store: its first domain. */
  readonly #name: string;
  readonly #names: ReadonlySet<string>;
  #serving: Serving | undefined;
  #timer: ClockTimer | undefined;
  #disposed = false;
  #failures = 0;
  #waitingLogged = false;
  /** Names already warned about (no certificate yet, in production): one line per name, not per handshake. */
  readonly #warned = new Set<string>();
  readonly #listeners = new Set<(certificate: StoredCertificate) => void>();

  constructor(options: ResolvedAcmeOptions, context: AcmeContext) {
    this.#options = options;
    this.#context = context;
    this.#store = new AcmeStore(options.store, options.directory);
    this.#name = options.domains[0];
    this.#names = new Set(options.domains);
    context.challenges.shareStore(this.#store.dir, readHttpChallenge);
  }

  get challenges(): AcmeChallenges {
    return this.#context.challenges;
  }

  get fallback(): boolean {
    return this.#context.fallback;
  }

  /** The store folder of this CA (account and certificates). */
  get storeDir(): string {
    return this.#store.dir;
  }

  /** The certificate served now, or undefined before the first one is stored. */
  get certificate(): StoredCertificate | undefined {
    return this.#serving?.stored;
  }

  /** Calls `listener` with each certificate put in service (from the store or a new order); returns the unsubscribe. */
  onCertificate(listener: (certificate: StoredCertificate) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reads the store and orders if needed, in the background; failures are logged and retried. */
  start(): void {
    this.#arm(0);
  }

  covers(serverName: string): boolean {
    return this.#names.has(serverName.toLowerCase());
  }

  /**
   * The certificate for a name this configuration covers, or undefined when none was issued yet.
   * In production that is logged at warn, once per name: the handshake fails, and the operator
   * should know why.
   */
  sourceFor(serverName: string): PemSource | undefined {
    const serving = this.#serving;
    if (serving !== undefined) return serving.source;
    const name = serverName.toLowerCase();
    if (!this.#context.fallback && !this.#warned.has(name)) {
      this.#warned.add(name);
      this.#context.logger.warn(
        { ...LOG_EVENTS.AcmeNoCertificateYet, serverName: name },
        `No ACME certificate for '${name}' yet: TLS handshakes for it fail until the CA issues one (no development certificate in production)`,
      );
    }
    return undefined;
  }

  /** Stops the renewal timer. An order under way finishes, but what it gets is not put in service. */
  dispose(): void {
    this.#disposed = true;
    if (this.#timer !== undefined) this.#context.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #arm(delayMs: number): void {
    if (this.#disposed) return;
    if (this.#timer !== undefined) this.#context.clock.clearTimer(this.#timer);
    this.#timer = this.#context.clock.setTimeout(() => {
      this.#timer = undefined;
      void this.#cycle();
    }, Math.min(Math.max(0, delayMs), MAX_TIMER_MS));
  }

  /** One look at the store, and an order when it holds nothing usable. Never throws. */
  async #cycle(): Promise<void> {
    const { logger } = this.#context;
    try {
      const stored = await this.#read();
      if (this.#disposed) return;
      if (stored !== undefined) this.#install(stored);
      if (stored !== undefined && !this.#due(stored)) return this.#arm(this.#renewAt(stored) - this.#context.clock.now());
      if (!(await this.#lock())) {
        if (!this.#waitingLogged) logger.info({ ...LOG_EVENTS.AcmeWaitingForLock, domains: this.#options.domains }, `Another instance is ordering the certificate for ${this.#name}; waiting for it`);
        this.#waitingLogged = true;
        return this.#arm(this.#options.pollIntervalMs);
      }
      this.#waitingLogged = false;
      try {
        // The holder before us may have just written a fresh certificate.
        const again = await this.#read();
        if (again !== undefined && !this.#due(again)) {
          this.#install(again);
          return this.#arm(this.#renewAt(again) - this.#context.clock.now());
        }
        const issued = await this.#order(stored === undefined ? 'new' : 'renewal');
        this.#failures = 0;
        if (this.#disposed) return;
        this.#install(issued);
        this.#arm(this.#renewAt(issued) - this.#context.clock.now());
      } finally {
        await this.#store.unlock(this.#name);
      }
    } catch (err) {
      const failure = err instanceof AcmeOrderFailedError ? err : new AcmeOrderFailedError('store', this.#options.domains, (err as Error).message, { cause: err });
      this.#failures++;
      const retryMs = Math.min(this.#options.retryMaxMs, this.#options.retryMinMs * 2 ** (this.#failures - 1));
      const serving = this.#serving?.stored;
      logger.error(
        { ...LOG_EVENTS.AcmeOrderFailed, err: failure, stage: failure.stage, domains: this.#options.domains, retryMs, serving: serving?.serialNumber },
        `${failure.message}; ${serving === undefined ? 'no certificate to serve yet' : `still serving the certificate valid until ${serving.notAfter.toISOString()}`}; retrying in ${retryMs} ms`,
      );
      this.#arm(retryMs);
    }
  }

  async #read(): Promise<StoredCertificate | undefined> {
    const stored = await this.#store.readCertificate(this.#name).catch((err: unknown) => {
      throw new AcmeOrderFailedError('store', this.#options.domains, `cannot read the store ${this.#store.dir}: ${(err as Error).message}`, { cause: err });
    });
    // A certificate for other names (the configuration changed) or past its date is ordered again.
    if (stored === undefined || stored.notAfter.getTime() <= this.#context.clock.now()) return undefined;
    return this.#options.domains.every((d) => stored.names.includes(d)) ? stored : undefined;
  }

  #lock(): Promise<boolean> {
    return this.#store.tryLock(this.#name, this.#options.lockStaleMs).catch((err: unknown) => {
      throw new AcmeOrderFailedError('store', this.#options.domains, `cannot take the lock in ${this.#store.dir}: ${(err as Error).message}`, { cause: err });
    });
  }

  #renewAt(c: StoredCertificate): number {
    const from = c.notBefore.getTime();
    return from + (c.notAfter.getTime() - from) * this.#options.renewAfter;
  }

  #due(c: StoredCertificate): boolean {
    return this.#context.clock.now() >= this.#renewAt(c);
  }

  #install(stored: StoredCertificate): void {
    if (this.#serving?.stored.serialNumber === stored.serialNumber) return;
    this.#serving = { stored, source: { cert: stored.cert, key: stored.key } };
    this.#context.logger.info(
      { ...LOG_EVENTS.AcmeCertificateServing, domains: this.#options.domains, serialNumber: stored.serialNumber, notAfter: stored.notAfter.toISOString() },
      `Serving the ACME certificate for ${this.#options.domains.join(', ')} (serial ${stored.serialNumber}, valid until ${stored.notAfter.toISOString()})`,
    );
    for (const listener of this.#listeners) listener(stored);
  }

  /** Orders a certificate for every domain, within `orderTimeoutMs`, and stores it. */
  async #order(kind: 'new' | 'renewal'): Promise<StoredCertificate> {
    const options = this.#options;
    const { logger, clock } = this.#context;
    logger.info({ ...LOG_EVENTS.AcmeOrdering, domains: options.domains, kind }, `Ordering ${kind === 'new' ? 'a certificate' : 'a renewed certificate'} for ${options.domains.join(', ')} from ${options.directory}`);
    // acme-client (with axios and its crypto libraries) loads with the first order: a server whose
    // stored certificate is valid never pays for it.
    const acme = ((await import('acme-client')) as unknown as { default: AcmeModule }).default;
    // acme-client's typings list no tls-alpn-01 challenge and a stricter axios than the part used here.
    configureAcmeHttp(acme.axios as unknown as Parameters<typeof configureAcmeHttp>[0], options.directory, options.requestTimeoutMs, options.caCertificates);
    const opened: (() => void)[] = [];
    let timer: ClockTimer | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = clock.setTimeout(() => reject(new AcmeOrderFailedError('timeout', options.domains, `no certificate within orderTimeoutMs (${options.orderTimeoutMs} ms)`)), options.orderTimeoutMs);
    });
    try {
      return await Promise.race([deadline, this.#runOrder(acme, opened)]);
    } finally {
      clock.clearTimer(timer!);
      // After a timeout the order may still be running: its challenges are not answered any more.
      for (const close of opened) close();
    }
  }

  async #runOrder(acme: AcmeModule, opened: (() => void)[]): Promise<StoredCertificate> {
    const options = this.#options;
    const challenges = this.#context.challenges;
    const store = this.#store;
    let account = await store.readAccount();
    if (account === undefined) {
      account = { key: (await acme.crypto.createPrivateEcdsaKey()).toString(), url: undefined };
      await store.writeAccount(account);
    }
    const client: Client = new acme.Client({
      directoryUrl: options.directory,
      accountKey: account.key,
      ...(account.url === undefined ? {} : { accountUrl: account.url }),
      backoffMin: options.pollIntervalMs,
      backoffMax: Math.max(options.pollIntervalMs, 30_000),
    });
    const [key, csr] = await acme.crypto.createCsr({ commonName: options.domains[0], altNames: [...options.domains] }, await acme.crypto.createPrivateEcdsaKey());
    let cert: string;
    try {
      cert = await client.auto({
        csr,
        ...(options.email === undefined ? {} : { email: options.email }),
        termsOfServiceAgreed: true,
        challengePriority: [...options.challenges],
        // acme-client would fetch the challenge itself first: the CA's own check is the one that counts.
        skipChallengeVerification: true,
        challengeCreateFn: async (authz: Authorization, challenge, keyAuthorization) => {
          if (challenge.type === 'http-01') {
            challenges.addHttp(challenge.token, keyAuthorization);
            await store.writeHttpChallenge(challenge.token, keyAuthorization);
            opened.push(() => {
              challenges.removeHttp(challenge.token);
              void store.removeHttpChallenge(challenge.token);
            });
          } else if ((challenge.type as string) === 'tls-alpn-01') {
            const [alpnKey, alpnCert] = await acme.crypto.createAlpnCertificate(authz, keyAuthorization, await acme.crypto.createPrivateEcdsaKey());
            const domain = authz.identifier.value;
            challenges.addAlpn(domain, { cert: alpnCert.toString(), key: alpnKey.toString() });
            opened.push(() => challenges.removeAlpn(domain));
          }
        },
        challengeRemoveFn: async (authz: Authorization, challenge) => {
          if (challenge.type === 'http-01') {
            challenges.removeHttp(challenge.token);
            await store.removeHttpChallenge(challenge.token);
          } else if ((challenge.type as string) === 'tls-alpn-01') challenges.removeAlpn(authz.identifier.value);
        },
      });
    } catch (err) {
      const e = err as { code?: string; syscall?: string; isAxiosError?: boolean };
      // A file system error is the store's (a challenge published there); one from the network is the CA's.
      const stage = ['ECONNABORTED', 'ETIMEDOUT'].includes(e.code ?? '') ? 'timeout' : e.isAxiosError !== true && typeof e.syscall === 'string' ? 'store' : 'ca';
      throw new AcmeOrderFailedError(stage, options.domains, (err as Error).message, { cause: err });
    }
    try {
      if (account.url === undefined) await store.writeAccount({ key: account.key, url: client.getAccountUrl() });
      return await store.writeCertificate(this.#name, cert, key.toString());
    } catch (err) {
      throw new AcmeOrderFailedError('store', options.domains, `cannot write to the store ${store.dir}: ${(err as Error).message}`, { cause: err });
    }
  }
}
