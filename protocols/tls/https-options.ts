import type { PeerCertificate, SecureContext } from 'node:tls';
import { InvalidOptionError, type ConnectionContext } from '../../connection/index.js';
import { resolveAcmeOptions, type AcmeOptions, type ResolvedAcmeOptions } from './acme-options.js';
import { checkCertificateSource, type CertificateSource } from './certificate-source.js';
import { checkHostPattern } from './host-map.js';

/** The oldest TLS version a client may use. Nothing below 1.2: TLS 1.0 and 1.1 are deprecated (RFC 8996). */
export type TlsMinVersion = 'TLSv1.2' | 'TLSv1.3';

/**
 * Whether clients are asked for a certificate:
 * - `none`: never;
 * - `allow`: asked; one that is sent must chain to `clientCertificateCa` (and pass
 *   `validateClientCertificate`), but a client may send none;
 * - `require`: asked, and a client without a valid one fails the handshake.
 */
export type ClientCertificateMode = 'none' | 'allow' | 'require';

/** What a certificate selector may answer; `null`/`undefined` falls back to the default certificate. */
export type SniSelection = CertificateSource | SecureContext | null | undefined;

/**
 * Picks the certificate for a server name the SNI map does not know (certificates from a store,
 * made on demand, …). A returned `CertificateSource` is loaded once per object and kept (return
 * the same object to reuse it); its files are not watched. A returned `SecureContext` is used as
 * is: give it the middleware's `minVersion` and `clientCertificateCa` yourself.
 */
export type SniSelector = (serverName: string) => SniSelection | Promise<SniSelection>;

/**
 * Refuses a client certificate that already chains to `clientCertificateCa` (it cannot accept one
 * that does not: a callback written as "CN is admin" must not let an unverified certificate in).
 */
export type ClientCertificateValidator = (certificate: PeerCertificate, ctx: ConnectionContext) => boolean | Promise<boolean>;

/** Options of `httpsMiddleware`. Defaults are in `HTTPS_DEFAULTS`; every value is checked at configuration time. */
export interface HttpsOptions {
  /**
   * The default server certificate: for clients that send no server name (SNI) and for names
   * neither `sni` nor `selectCertificate` knows. Without it, such handshakes fail. At least one
   * of `certificate`, `sni` and `selectCertificate` is required.
   */
  certificate?: CertificateSource;
  /** Certificates by server name: exact names and `*.example.com` wildcards (one label). Exact wins. */
  sni?: Readonly<Record<string, CertificateSource>>;
  /** Asked for server names `sni` does not know, before falling back to `certificate`. May be async. */
  selectCertificate?: SniSelector;
  /**
   * ALPN protocols in the server's order of preference. Default `['http/1.1']`; hosting passes
   * `['h2', 'http/1.1']` when HTTP/2 is on. A client that offers ALPN but none of these fails the
   * handshake (`no_application_protocol`, RFC 7301 §3.2); one that offers none gets no ALPN.
   */
  alpnProtocols?: readonly string[];
  /**
   * How long a client has to complete the handshake (and the client-certificate check), in ms.
   * Default 10 000 (Kestrel's `HandshakeTimeout`). It bounds how long a silent or slow peer holds
   * a connection slot before it has proven anything; there is no "off".
   */
  handshakeTimeoutMs?: number;
  /** The oldest TLS version accepted. Default 'TLSv1.2' (Node's default too). */
  minVersion?: TlsMinVersion;
  /** Default 'none'. 'allow' and 'require' need `clientCertificateCa`. */
  clientCertificateMode?: ClientCertificateMode;
  /** The CA certificates (PEM) client certificates must chain to. Required when clients are asked for one. */
  clientCertificateCa?: string | Buffer | readonly (string | Buffer)[];
  /** May refuse a client certificate that chains to the CA; runs after the handshake, within its timeout. */
  validateClientCertificate?: ClientCertificateValidator;
  /**
   * Reload certificates from files (`certFile`/`keyFile`/`chainFile`/`pfxFile`) when they change,
   * without a restart; connections already open keep their certificate. Default true. In-memory
   * sources are never reloaded.
   */
  reloadOnChange?: boolean;
  /** How long file events must be quiet before a reload, in ms (a cert and its key are written one after the other). Default 250. */
  reloadDebounceMs?: number;
  /**
   * Certificates for `acme.domains` from an ACME CA, obtained and renewed without a restart (see
   * `AcmeOptions` and `ACME_DEFAULTS`). They serve those names by SNI, ahead of `sni` and
   * `selectCertificate`; until one is issued, such handshakes use `certificate` (the server gives
   * the development one outside production) or fail. Default: unset.
   */
  acme?: AcmeOptions;
}

export const HTTPS_DEFAULTS = {
  alpnProtocols: ['http/1.1'] as readonly string[],
  handshakeTimeoutMs: 10_000,
  minVersion: 'TLSv1.2' as TlsMinVersion,
  clientCertificateMode: 'none' as ClientCertificateMode,
  reloadOnChange: true,
  reloadDebounceMs: 250,
} as const;

/** The options after checking: defaults filled in, the SNI map built. */
export interface ResolvedHttpsOptions {
  readonly certificate: CertificateSource | undefined;
  /** `[pattern, source]` pairs, patterns checked and normalized. */
  readonly sni: readonly (readonly [string, CertificateSource])[];
  readonly selectCertificate: SniSelector | undefined;
  readonly alpnProtocols: readonly string[];
  readonly handshakeTimeoutMs: number;
  readonly minVersion: TlsMinVersion;
  readonly clientCertificateMode: ClientCertificateMode;
  readonly clientCertificateCa: readonly (string | Buffer)[] | undefined;
  readonly validateClientCertificate: ClientCertificateValidator | undefined;
  readonly reloadOnChange: boolean;
  readonly reloadDebounceMs: number;
  readonly acme: ResolvedAcmeOptions | undefined;
}

const KNOWN: readonly (keyof HttpsOptions)[] = [
  'certificate',
  'sni',
  'selectCertificate',
  'alpnProtocols',
  'handshakeTimeoutMs',
  'minVersion',
  'clientCertificateMode',
  'clientCertificateCa',
  'validateClientCertificate',
  'reloadOnChange',
  'reloadDebounceMs',
  'acme',
];

/** True when `options` can serve some handshake: a `certificate`, an `sni` entry, a `selectCertificate` or `acme`. */
export function hasCertificate(options: HttpsOptions): boolean {
  return (
    options.certificate !== undefined ||
    (options.sni !== undefined && Object.keys(options.sni).length > 0) ||
    options.selectCertificate !== undefined ||
    options.acme !== undefined
  );
}

/**
 * Checks server-wide HTTPS options (the `TLS_OPTIONS` every HTTPS endpoint starts from) as
 * `resolveHttpsOptions` does, except that a certificate is not required; returns a copy.
 */
export function checkTlsDefaults(options: HttpsOptions): HttpsOptions {
  resolveHttpsOptions(options, false);
  return { ...options };
}

/** Checks every option and fills in the defaults; a bad or unknown option throws `InvalidOptionError`. */
export function resolveHttpsOptions(options: HttpsOptions, requireCertificate = true): ResolvedHttpsOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('https', 'must be an options object');
  for (const key of Object.keys(options)) {
    if (!(KNOWN as readonly string[]).includes(key)) throw new InvalidOptionError(key, `is not an HTTPS option (known: ${KNOWN.join(', ')})`);
  }
  const certificate = options.certificate === undefined ? undefined : checkCertificateSource('certificate', options.certificate);
  if (options.sni !== undefined && (typeof options.sni !== 'object' || options.sni === null)) {
    throw new InvalidOptionError('sni', 'must be an object mapping host names to certificate sources');
  }
  const sni = Object.entries(options.sni ?? {}).map(
    ([host, source]) => [checkHostPattern('sni', host), checkCertificateSource(`sni['${host}']`, source)] as const,
  );
  const selectCertificate = optionalFunction('selectCertificate', options.selectCertificate);
  const acme = options.acme === undefined ? undefined : resolveAcmeOptions(options.acme);
  if (requireCertificate && !hasCertificate({ certificate, sni: options.sni, selectCertificate, acme: options.acme })) {
    throw new InvalidOptionError('certificate', 'HTTPS needs a certificate: give `certificate`, `sni`, `selectCertificate` or `acme`');
  }
  const mode = options.clientCertificateMode ?? HTTPS_DEFAULTS.clientCertificateMode;
  if (!['none', 'allow', 'require'].includes(mode)) throw new InvalidOptionError('clientCertificateMode', `must be 'none', 'allow' or 'require' (got ${String(mode)})`);
  const ca = options.clientCertificateCa === undefined ? undefined : ([] as (string | Buffer)[]).concat(options.clientCertificateCa);
  if (ca !== undefined && (ca.length === 0 || !ca.every((c) => (typeof c === 'string' && c.length > 0) || Buffer.isBuffer(c)))) {
    throw new InvalidOptionError('clientCertificateCa', 'must be PEM CA certificates: a string, a Buffer or a non-empty array of them');
  }
  if (mode !== 'none' && ca === undefined) {
    throw new InvalidOptionError('clientCertificateCa', `is required with clientCertificateMode '${mode}': the CA certificates your clients' certificates are signed by`);
  }
  const minVersion = options.minVersion ?? HTTPS_DEFAULTS.minVersion;
  if (minVersion !== 'TLSv1.2' && minVersion !== 'TLSv1.3') {
    throw new InvalidOptionError('minVersion', `must be 'TLSv1.2' or 'TLSv1.3' (older versions are deprecated by RFC 8996; got ${String(minVersion)})`);
  }
  return {
    certificate,
    sni,
    selectCertificate,
    alpnProtocols: checkAlpn(options.alpnProtocols ?? HTTPS_DEFAULTS.alpnProtocols),
    handshakeTimeoutMs: positiveInteger('handshakeTimeoutMs', options.handshakeTimeoutMs ?? HTTPS_DEFAULTS.handshakeTimeoutMs),
    minVersion,
    clientCertificateMode: mode,
    clientCertificateCa: ca,
    validateClientCertificate: optionalFunction('validateClientCertificate', options.validateClientCertificate),
    reloadOnChange: bool('reloadOnChange', options.reloadOnChange ?? HTTPS_DEFAULTS.reloadOnChange),
    reloadDebounceMs: positiveInteger('reloadDebounceMs', options.reloadDebounceMs ?? HTTPS_DEFAULTS.reloadDebounceMs),
    acme,
  };
}

function checkAlpn(protocols: readonly string[]): readonly string[] {
  if (!Array.isArray(protocols) || protocols.length === 0) throw new InvalidOptionError('alpnProtocols', "must be a non-empty array such as ['h2', 'http/1.1']");
  for (const p of protocols) {
    // RFC 7301 §3.1: a protocol id is 1 to 255 bytes, and the list has no empty entries.
    if (typeof p !== 'string' || p.length === 0 || Buffer.byteLength(p) > 255) {
      throw new InvalidOptionError('alpnProtocols', `'${String(p)}' is not an ALPN protocol id (1 to 255 bytes)`);
    }
  }
  if (new Set(protocols).size !== protocols.length) throw new InvalidOptionError('alpnProtocols', 'must not list a protocol twice');
  return [...protocols];
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw new InvalidOptionError(name, `must be a positive integer (got ${String(value)})`);
  return value;
}

function bool(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidOptionError(name, `must be true or false (got ${String(value)})`);
  return value;
}

function optionalFunction<F>(name: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== 'function') throw new InvalidOptionError(name, 'must be a function');
  return value;
}
