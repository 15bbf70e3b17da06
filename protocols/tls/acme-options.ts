import { join } from 'node:path';
import { InvalidOptionError } from '../../connection/index.js';
import { checkHostPattern } from './host-map.js';

/** The challenge types tiercel answers itself (RFC 8555 §8.3, RFC 8737). DNS-01 needs a DNS provider: not offered. */
export type AcmeChallengeType = 'http-01' | 'tls-alpn-01';
export const ACME_CHALLENGE_TYPES: readonly AcmeChallengeType[] = ['http-01', 'tls-alpn-01'];

/**
 * Certificates from an ACME CA (RFC 8555: Let's Encrypt, ZeroSSL, a private CA), obtained and
 * renewed by tiercel through `acme-client`: `useHttps({ acme })`. Defaults are in `ACME_DEFAULTS`.
 */
export interface AcmeOptions {
  /** The CA's directory URL, such as `https://acme-v02.api.letsencrypt.org/directory`. Required. */
  directory: string;
  /** The account's contact (`mailto:`): where the CA sends expiry and policy notices. Optional. */
  email?: string;
  /** The names the certificate covers (one certificate for all). Wildcards need DNS-01: refused. Required. */
  domains: readonly string[];
  /** Must be `true`: you accept the CA's terms of service (its directory's `meta.termsOfService`). */
  agreeToTerms: boolean;
  /**
   * The folder of the account key and the certificates (made with mode 0700, files 0600), kept
   * across restarts and shared by instances that serve the same names. Default `~/.tiercel/acme`.
   */
  store?: string;
  /** The challenge types offered to the CA, preferred first. Default `['http-01', 'tls-alpn-01']`. */
  challenges?: readonly AcmeChallengeType[];
  /**
   * CA certificates (PEM) to trust for the directory's own HTTPS, for a private CA (Pebble,
   * step-ca). Default: Node's root certificates.
   */
  caCertificates?: string | Buffer;
  /**
   * When renewal starts, as a fraction of the certificate's lifetime. Default 2/3 (Let's Encrypt's
   * advice: 60 days into 90, leaving 30 days of retries).
   */
  renewAfter?: number;
  /** The first wait after a failed order, in ms; each failure doubles it up to `retryMaxMs`. Default 60 000. */
  retryMinMs?: number;
  /** The longest wait between failed orders, in ms. Default 3 600 000 (an hour). */
  retryMaxMs?: number;
  /** How long one request to the CA may take, in ms. Default 30 000. */
  requestTimeoutMs?: number;
  /** How long a whole order (account, challenges, finalization, download) may take, in ms. Default 300 000. */
  orderTimeoutMs?: number;
  /**
   * The first wait between polls of an order's status, in ms (acme-client doubles it up to 30 s);
   * also how often a store locked by another instance is looked at again. Default 2 000.
   */
  pollIntervalMs?: number;
  /**
   * A lock file older than this (its holder died mid-order) is taken over, in ms. Must exceed
   * `orderTimeoutMs`, the longest a live holder keeps it. Default 600 000.
   */
  lockStaleMs?: number;
}

export const ACME_DEFAULTS = {
  challenges: ['http-01', 'tls-alpn-01'] as readonly AcmeChallengeType[],
  renewAfter: 2 / 3,
  retryMinMs: 60_000,
  retryMaxMs: 3_600_000,
  requestTimeoutMs: 30_000,
  orderTimeoutMs: 300_000,
  pollIntervalMs: 2_000,
  lockStaleMs: 600_000,
} as const;

/** The default store, beside the development certificate (`~/.tiercel/dev-cert`). */
export function defaultAcmeStore(): string {
  return join(process.getBuiltinModule('node:os').homedir(), '.tiercel', 'acme');
}

export interface ResolvedAcmeOptions {
  readonly directory: string;
  readonly email: string | undefined;
  readonly domains: readonly string[];
  readonly store: string;
  readonly challenges: readonly AcmeChallengeType[];
  readonly caCertificates: string | Buffer | undefined;
  readonly renewAfter: number;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly requestTimeoutMs: number;
  readonly orderTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly lockStaleMs: number;
}

const KNOWN: readonly (keyof AcmeOptions)[] = [
  'directory',
  'email',
  'domains',
  'agreeToTerms',
  'store',
  'challenges',
  'caCertificates',
  'renewAfter',
  'retryMinMs',
  'retryMaxMs',
  'requestTimeoutMs',
  'orderTimeoutMs',
  'pollIntervalMs',
  'lockStaleMs',
];

/** Checks every ACME option and fills in the defaults; a bad or unknown one throws `InvalidOptionError` (`acme.<key>`). */
export function resolveAcmeOptions(options: AcmeOptions): ResolvedAcmeOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new InvalidOptionError('acme', 'must be an options object');
  for (const key of Object.keys(options)) {
    if (!(KNOWN as readonly string[]).includes(key)) throw new InvalidOptionError(`acme.${key}`, `is not an ACME option (known: ${KNOWN.join(', ')})`);
  }
  let url: URL | undefined;
  try {
    url = typeof options.directory === 'string' ? new URL(options.directory) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new InvalidOptionError('acme.directory', `must be the CA's directory URL, https://… (got ${String(options.directory)})`);
  }
  if (options.agreeToTerms !== true) throw new InvalidOptionError('acme.agreeToTerms', "must be true: ordering a certificate accepts the CA's terms of service");
  if (options.email !== undefined && (typeof options.email !== 'string' || !/^[^\s@:]+@[^\s@]+$/.test(options.email))) {
    throw new InvalidOptionError('acme.email', `must be an e-mail address (got ${String(options.email)})`);
  }
  if (!Array.isArray(options.domains) || options.domains.length === 0) throw new InvalidOptionError('acme.domains', "must be a non-empty array of host names (['example.com'])");
  const domains = options.domains.map((d, i) => {
    if (typeof d !== 'string' || d.includes('*')) throw new InvalidOptionError(`acme.domains[${i}]`, `must be a host name without a wildcard (wildcards need DNS-01; got ${String(d)})`);
    return checkHostPattern('acme.domains', d);
  });
  if (new Set(domains).size !== domains.length) throw new InvalidOptionError('acme.domains', 'must not list a name twice');
  const challenges = options.challenges ?? ACME_DEFAULTS.challenges;
  if (!Array.isArray(challenges) || challenges.length === 0 || !challenges.every((c) => ACME_CHALLENGE_TYPES.includes(c)) || new Set(challenges).size !== challenges.length) {
    throw new InvalidOptionError('acme.challenges', `must list 'http-01' and/or 'tls-alpn-01', each once (got ${JSON.stringify(challenges)})`);
  }
  if (options.store !== undefined && (typeof options.store !== 'string' || options.store.length === 0)) throw new InvalidOptionError('acme.store', 'must be a folder path');
  const ca = options.caCertificates;
  if (ca !== undefined && !((typeof ca === 'string' && ca.length > 0) || Buffer.isBuffer(ca))) throw new InvalidOptionError('acme.caCertificates', 'must be PEM certificates (a string or a Buffer)');
  const renewAfter = options.renewAfter ?? ACME_DEFAULTS.renewAfter;
  if (typeof renewAfter !== 'number' || !(renewAfter > 0 && renewAfter < 1)) throw new InvalidOptionError('acme.renewAfter', `must be a fraction of the lifetime between 0 and 1, exclusive (got ${String(renewAfter)})`);
  const resolved: ResolvedAcmeOptions = {
    directory: url.href,
    email: options.email,
    domains,
    store: options.store ?? defaultAcmeStore(),
    challenges: [...challenges],
    caCertificates: ca,
    renewAfter,
    retryMinMs: positiveInteger('retryMinMs', options.retryMinMs ?? ACME_DEFAULTS.retryMinMs),
    retryMaxMs: positiveInteger('retryMaxMs', options.retryMaxMs ?? ACME_DEFAULTS.retryMaxMs),
    requestTimeoutMs: positiveInteger('requestTimeoutMs', options.requestTimeoutMs ?? ACME_DEFAULTS.requestTimeoutMs),
    orderTimeoutMs: positiveInteger('orderTimeoutMs', options.orderTimeoutMs ?? ACME_DEFAULTS.orderTimeoutMs),
    pollIntervalMs: positiveInteger('pollIntervalMs', options.pollIntervalMs ?? ACME_DEFAULTS.pollIntervalMs),
    lockStaleMs: positiveInteger('lockStaleMs', options.lockStaleMs ?? ACME_DEFAULTS.lockStaleMs),
  };
  if (resolved.retryMaxMs < resolved.retryMinMs) throw new InvalidOptionError('acme.retryMaxMs', `must be at least retryMinMs (${resolved.retryMinMs})`);
  if (resolved.lockStaleMs <= resolved.orderTimeoutMs) {
    throw new InvalidOptionError('acme.lockStaleMs', `must exceed orderTimeoutMs (${resolved.orderTimeoutMs}): a live instance may hold the lock that long`);
  }
  return resolved;
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw new InvalidOptionError(`acme.${name}`, `must be a positive integer (got ${String(value)})`);
  return value;
}
