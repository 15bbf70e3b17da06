import { InvalidEndpointError, parseUrl, type LogLevel, type LogLevels } from '../../connection/index.js';
import { HTTP_PROTOCOLS, type Http2Limits, type HttpLimits, type HttpProtocols } from '../../protocols/http/index.js';
import { ACME_CHALLENGE_TYPES, type AcmeOptions, type ClientCertificateMode } from '../../protocols/tls/configuration.js';
import type { WebSocketOptions } from '../../pipeline/web-socket-options.js';
import type { ForwardedHeaderKind } from '../../middleware/forwarded/index.js';
import { boolean, fail, nonEmptyString, number, object, oneOf, plainObject, record, stringList, type Check } from './validator.js';

/**
 * tiercel's configuration, as a JSON file (`tiercel serve --config tiercel.json`) or an object in
 * code (`Server.fromConfig`, `loadConfiguration`). Every key is optional; defaults are those of the
 * options each part configures (`ServerOptions`, `HttpLimits`, `Http2Limits`, `WebSocketOptions`).
 */
export interface TiercelConfiguration {
  /** Where to listen, by name (Kestrel's `Endpoints`). Default: one endpoint, `http://localhost:5000`. */
  endpoints?: Record<string, EndpointConfiguration>;
  /**
   * Server certificates by name, which endpoints refer to. The one named `default` serves every
   * HTTPS endpoint that names none (Kestrel's `Certificates:Default`).
   */
  certificates?: Record<string, CertificateConfiguration>;
  limits?: LimitsConfiguration;
  /** See `ServerOptions.shutdownTimeoutMs` (default 30 000). */
  shutdownTimeoutMs?: number;
  /** See `ServerOptions.logLevel` (default 'info'): one level, or one per category (`{ "default": "info", "tiercel.bad-requests": "debug" }`). */
  logLevel?: LogLevels;
  /** See `ServerOptions.logFormat` (default 'auto': json when NODE_ENV=production, else text). */
  logFormat?: 'text' | 'json' | 'auto';
  /**
   * Processes that serve: a whole number of 1 or more, or 'auto' for one per core
   * (`os.availableParallelism()`). Checked and resolved here; `tiercel serve --workers` runs them.
   * Default: unset (the runner's own default).
   */
  workers?: number | 'auto';
  /**
   * Watch the configuration file and apply a changed endpoint, certificate or limit without a
   * restart (`--watch-config`). Default false. A file that breaks a rule is not applied: the
   * running configuration stays, and the reason is logged at warn.
   */
  reloadOnChange?: boolean;
  /**
   * Believe the client's address, scheme and host that a trusted reverse proxy forwards
   * (`forwardedHeaders()` in front of the app; see `ForwardedHeadersOptions` for each default).
   * Default: unset, the headers are not read.
   */
  forwardedHeaders?: ForwardedHeadersConfiguration;
  /** The health endpoints' paths and check timeout (see `HealthOptions`). Default: `/healthz`, `/readyz`. */
  health?: HealthConfiguration;
}

/** `ForwardedHeadersOptions` as the configuration holds them. */
export interface ForwardedHeadersConfiguration {
  /** Addresses, CIDR ranges, 'loopback', 'linklocal', 'uniquelocal'. Required: none is trusted by default. */
  trustedProxies: string[];
  /** Default 1. */
  maxHops?: number;
  /** Default 'x-forwarded'. */
  headers?: ForwardedHeaderKind;
}

/** `HealthOptions` as the configuration holds them (the event-loop-delay check keeps its defaults). */
export interface HealthConfiguration {
  /** Default '/healthz'. */
  livenessPath?: string;
  /** Default '/readyz'. */
  readinessPath?: string;
  /** Default 5000. */
  timeoutMs?: number;
}

/**
 * The PROXY protocol (v1 and v2) on an endpoint: the first connection middleware, before TLS
 * (see `ProxyProtocolOptions` for each default).
 */
export interface ProxyProtocolConfiguration {
  /** Addresses, CIDR ranges, 'loopback', 'linklocal', 'uniquelocal'. Required: none is trusted by default. */
  trustedProxies: string[];
  /** Default false. */
  trustNonIpPeers?: boolean;
  /** A peer that is not trusted: 'close' (default) or 'serve' it as it is. */
  untrusted?: 'close' | 'serve';
  /** Default 10 000. */
  headerTimeoutMs?: number;
  /** Default 4096. */
  maxHeaderBytes?: number;
}

export interface EndpointConfiguration {
  /** A listen URL, as `server.listen` takes it: `http://*:8080`, `https://127.0.0.1:5001`, `http://unix:/run/app.sock`. */
  url: string;
  /** HTTP versions served here (`useProtocols`). Default: `HttpOptions.protocols`, 'http1AndHttp2'. */
  protocols?: HttpProtocols;
  /**
   * The name of the certificate in `certificates` (https:// only). Default: the one named
   * `default`, else the certificate providers (the development certificate outside production).
   */
  certificate?: string;
  /** Certificates by server name (`api.example.com`, `*.example.com`), each the name of one in `certificates`. */
  sni?: Record<string, string>;
  /** Whether clients are asked for a certificate (see `HttpsOptions.clientCertificateMode`). Default 'none'. */
  clientCertificateMode?: ClientCertificateMode;
  /** A PEM file of the CA certificates client certificates must chain to; required by 'allow' and 'require'. */
  clientCertificateCa?: string;
  /** Take a PROXY protocol header from trusted proxies on this endpoint's connections. Default: unset, none is read. */
  proxyProtocol?: ProxyProtocolConfiguration;
  /** Certificates from an ACME CA for these names (https:// only; see `AcmeOptions`). Default: unset. */
  acme?: AcmeConfiguration;
}

/**
 * `AcmeOptions` as the configuration holds them (defaults in `ACME_DEFAULTS`): the CA's own
 * certificate is a file (`caFile`), and relative paths are relative to the file's folder.
 */
export type AcmeConfiguration = Omit<AcmeOptions, 'caCertificates'> & {
  /** A PEM file of CA certificates to trust for the directory's HTTPS (a private CA). */
  caFile?: string;
};

/**
 * PEM files, a PKCS#12 file, or `{ "dev": true }`: the development certificate for localhost
 * (`tiercel dev-certs`), never used when NODE_ENV=production. Relative paths in a file are
 * relative to the file's folder.
 */
export type CertificateConfiguration =
  | { certFile: string; keyFile: string; chainFile?: string; passphrase?: string }
  | { pfxFile: string; passphrase?: string }
  | { dev: true };

/**
 * The limits, each checked by its owner's resolver and defaulted there. JSON has no `Infinity`:
 * write the string "Infinity" where a limit takes it.
 */
export interface LimitsConfiguration {
  http?: Partial<HttpLimits>;
  http2?: Partial<Http2Limits>;
  webSockets?: WebSocketOptions;
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
const CLIENT_CERTIFICATE_MODES: readonly ClientCertificateMode[] = ['none', 'allow', 'require'];

/** A listen URL that `parseUrl` reads. */
export const listenUrl: Check<string> = (value, key) => {
  const url = nonEmptyString(value, key);
  try {
    parseUrl(url);
  } catch (err) {
    if (err instanceof InvalidEndpointError) fail(key, `${JSON.stringify(url)} is not a listen URL: ${err.reason}`);
    throw err;
  }
  return url;
};

const certificate: Check<CertificateConfiguration> = (value, key) => {
  const o = plainObject(value, key);
  if ('dev' in o) return object({ dev: oneOf([true]) }, ['dev'])(o, key) as CertificateConfiguration;
  if ('pfxFile' in o) return object({ pfxFile: nonEmptyString, passphrase: nonEmptyString }, ['pfxFile'])(o, key) as CertificateConfiguration;
  if ('certFile' in o || 'keyFile' in o) {
    return object({ certFile: nonEmptyString, keyFile: nonEmptyString, chainFile: nonEmptyString, passphrase: nonEmptyString }, ['certFile', 'keyFile'])(o, key) as CertificateConfiguration;
  }
  return fail(key, 'must be { "certFile", "keyFile", "chainFile"?, "passphrase"? }, { "pfxFile", "passphrase"? } or { "dev": true }');
};

const endpoint = object(
  {
    url: listenUrl,
    protocols: oneOf(HTTP_PROTOCOLS),
    certificate: nonEmptyString,
    sni: record(nonEmptyString),
    clientCertificateMode: oneOf(CLIENT_CERTIFICATE_MODES),
    clientCertificateCa: nonEmptyString,
    proxyProtocol: object(
      { trustedProxies: stringList, trustNonIpPeers: boolean, untrusted: oneOf(['close', 'serve'] as const), headerTimeoutMs: number, maxHeaderBytes: number },
      ['trustedProxies'],
    ),
    // Values and ranges are resolveAcmeOptions' rules.
    acme: object(
      {
        directory: nonEmptyString,
        email: nonEmptyString,
        domains: stringList,
        agreeToTerms: boolean,
        store: nonEmptyString,
        challenges: (v: unknown, k: string) => stringList(v, k).map((c, i) => oneOf(ACME_CHALLENGE_TYPES)(c, `${k}[${i}]`)),
        caFile: nonEmptyString,
        renewAfter: number,
        retryMinMs: number,
        retryMaxMs: number,
        requestTimeoutMs: number,
        orderTimeoutMs: number,
        pollIntervalMs: number,
        lockStaleMs: number,
      },
      ['directory', 'domains', 'agreeToTerms'],
    ),
  },
  ['url'],
);

const workers: Check<number | 'auto'> = (value, key) =>
  value === 'auto' || (typeof value === 'number' && Number.isInteger(value) && value >= 1)
    ? value
    : fail(key, `must be a whole number of 1 or more, or "auto" for one per core (got ${JSON.stringify(value)})`);

/** The shape of one source (a file, the command line, code): keys and types, not yet the rules across them. */
export const checkConfiguration: Check<TiercelConfiguration> = (value, key) =>
  object({
    endpoints: record(endpoint),
    certificates: record(certificate),
    // The limit objects' keys and ranges are their resolvers' (see resolveLimits).
    limits: object({ http: plainObject, http2: plainObject, webSockets: plainObject }),
    shutdownTimeoutMs: number,
    // The levels per category are checked by resolveServerOptions (the owner's rules).
    logLevel: (v: unknown, k: string) => (typeof v === 'string' ? oneOf(LOG_LEVELS)(v, k) : (plainObject(v, k) as LogLevels)),
    logFormat: oneOf(['text', 'json', 'auto'] as const),
    workers,
    reloadOnChange: boolean,
    // Ranges and paths are their owners' rules (resolveForwardedHeadersOptions, resolveHealthOptions).
    forwardedHeaders: object({ trustedProxies: stringList, maxHops: number, headers: oneOf(['x-forwarded', 'forwarded'] as const) }, ['trustedProxies']),
    health: object({ livenessPath: nonEmptyString, readinessPath: nonEmptyString, timeoutMs: number }),
  })(value, key) as TiercelConfiguration;
