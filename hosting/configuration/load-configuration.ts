import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { InvalidOptionError, type LogLevel, type LogLevels } from '../../connection/index.js';
import { readEnvironment, resolveServerOptions, type Environment } from '../../di/index.js';
import { resolveHttp2Limits, resolveHttpLimits, type HttpOptions, type HttpProtocols } from '../../protocols/http/index.js';
import { hasCertificate, resolveHttpsOptions, type AcmeOptions, type CertificateSource, type HttpsOptions } from '../../protocols/tls/configuration.js';
// Not through pipeline/index.ts, which loads the whole pipeline and the WebSocket protocol with it.
import { resolveWebSocketOptions, type WebSocketOptions } from '../../pipeline/web-socket-options.js';
import { forwardedHeaders, ForwardedOptionsError, type ForwardedHeadersOptions } from '../../middleware/forwarded/index.js';
import { HealthConfigError, resolveHealthOptions, type HealthOptions } from '../../middleware/health/index.js';
// The options' checks alone: the PROXY protocol's parsers load with an endpoint that uses them (apply-configuration.ts).
import { resolveProxyProtocolOptions, type ProxyProtocolOptions } from '../../protocols/proxy/proxy-protocol-options.js';
import { availableCores } from '../available-cores.js';
import { ConfigurationError, ConfigurationFileError } from './configuration-errors.js';
import { checkConfiguration, listenUrl, type AcmeConfiguration, type CertificateConfiguration, type EndpointConfiguration, type TiercelConfiguration } from './configuration.js';
import { fail, isPlainObject } from './validator.js';

/**
 * Where configuration comes from. The precedence, highest first: `code` > `commandLine` > the
 * environment > `file` > the defaults. Objects (certificates, limits) merge key by key, a higher
 * source's value winning; `endpoints` is one setting: the highest source that names any endpoint
 * (or listen URLs, or ports) decides all of them.
 */
export interface ConfigurationSources {
  /** A JSON file of `TiercelConfiguration` (`--config`); relative paths in it are relative to its folder. */
  file?: string;
  /**
   * Environment variables, read once (default `process.env`). Of those that say where to listen,
   * `TIERCEL_URLS` wins, then `TIERCEL_HTTP_PORTS` with `TIERCEL_HTTPS_PORTS`, then `PORT`.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** What the command line set (`tiercel serve` builds it from its flags). */
  commandLine?: TiercelConfiguration;
  /** What the app's code sets; it wins over everything. */
  code?: TiercelConfiguration;
}

/** One endpoint, ready for `server.listen(url)` and `useHttps(https)`. */
export interface ResolvedEndpoint {
  readonly name: string;
  readonly url: string;
  readonly protocols: HttpProtocols | undefined;
  /** The endpoint's TLS options (https:// URLs); no certificate in them means the certificate providers supply one. */
  readonly https: HttpsOptions | undefined;
  /** The PROXY protocol options (checked), when the endpoint takes the header. */
  readonly proxyProtocol: ProxyProtocolOptions | undefined;
}

/** The configuration after merging, checking and resolving: what `Server.fromConfig` applies. */
export interface ResolvedConfiguration {
  readonly endpoints: readonly ResolvedEndpoint[];
  readonly shutdownTimeoutMs: number;
  readonly logLevel: LogLevels;
  readonly logFormat: 'text' | 'json' | 'auto';
  /** The HTTP and HTTP/2 limits given (checked; the rest default in `resolveHttpOptions`). */
  readonly http: HttpOptions;
  /** The WebSocket options given (checked), for apps that do not call `useWebSockets`. */
  readonly webSockets: WebSocketOptions | undefined;
  /** `workers` with 'auto' resolved to the number of cores; undefined when not configured. */
  readonly workers: number | undefined;
  readonly reloadOnChange: boolean;
  /** The forwarded-headers options (checked), when the app is to believe a trusted proxy. */
  readonly forwardedHeaders: ForwardedHeadersOptions | undefined;
  /** The health options given (checked); the defaults otherwise. */
  readonly health: HealthOptions | undefined;
  /** What it was loaded from; the environment as it was read, so a reload sees the same one. */
  readonly sources: ConfigurationSources & { readonly environment: Environment };
}

/** Where `tiercel serve` listens when no source names an endpoint (Kestrel's default too). */
export const DEFAULT_URL = 'http://localhost:5000';

const resolvedConfigurations = new WeakSet<object>();

/** True for what `loadConfiguration` returned (not a plain `TiercelConfiguration`). */
export function isResolvedConfiguration(value: unknown): value is ResolvedConfiguration {
  return typeof value === 'object' && value !== null && resolvedConfigurations.has(value);
}

/**
 * Reads, merges and checks the configuration: throws a `ConfigurationError` whose message starts
 * with the key (`endpoints.api.url: …`), or a `ConfigurationFileError`, before anything listens.
 */
export function loadConfiguration(sources: ConfigurationSources = {}): ResolvedConfiguration {
  const environment = 'environment' in sources ? (sources as ResolvedConfiguration['sources']).environment : readEnvironment(sources.env);
  const layers: TiercelConfiguration[] = [];
  if (sources.file !== undefined) layers.push(readFile(sources.file));
  layers.push(fromEnvironment(environment));
  if (sources.commandLine !== undefined) layers.push(inSource('the command line', () => checkConfiguration(sources.commandLine, '')));
  if (sources.code !== undefined) layers.push(inSource('code', () => checkConfiguration(sources.code, '')));
  const resolved = resolveConfiguration(merge(layers), { ...sources, environment });
  resolvedConfigurations.add(resolved);
  return resolved;
}

function inSource<T>(source: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof ConfigurationError && err.source === undefined) throw new ConfigurationError(err.key, err.rule, source);
    throw err;
  }
}

function readFile(file: string): TiercelConfiguration {
  const path = resolvePath(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigurationFileError(path, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigurationFileError(path, `is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!isPlainObject(json)) throw new ConfigurationFileError(path, 'must hold a JSON object');
  const config = inSource(path, () => checkConfiguration(json, ''));
  return relativeTo(dirname(path), config);
}

/** The file's paths made absolute against its folder, so the same file works from any working directory. */
function relativeTo(dir: string, config: TiercelConfiguration): TiercelConfiguration {
  const abs = (p: string | undefined): string | undefined => (p === undefined ? undefined : resolvePath(dir, p));
  const certificates: Record<string, CertificateConfiguration> = {};
  for (const [name, c] of Object.entries(config.certificates ?? {})) {
    if ('certFile' in c) certificates[name] = dropUndefined({ ...c, certFile: abs(c.certFile)!, keyFile: abs(c.keyFile)!, chainFile: abs(c.chainFile) });
    else if ('pfxFile' in c) certificates[name] = { ...c, pfxFile: abs(c.pfxFile)! };
    else certificates[name] = c;
  }
  const endpoints: Record<string, EndpointConfiguration> = {};
  for (const [name, e] of Object.entries(config.endpoints ?? {})) {
    const acme = e.acme === undefined ? undefined : dropUndefined({ ...e.acme, store: abs(e.acme.store), caFile: abs(e.acme.caFile) });
    endpoints[name] = dropUndefined({ ...e, clientCertificateCa: abs(e.clientCertificateCa), acme });
  }
  return dropUndefined({ ...config, certificates: config.certificates && certificates, endpoints: config.endpoints && endpoints });
}

/** The endpoints the environment asks for, if any (see `Environment` for which variable wins). */
function fromEnvironment(env: Environment): TiercelConfiguration {
  if (env.urls !== undefined) return { endpoints: urlEndpoints('TIERCEL_URLS', env.urls) };
  // systemd passed listening sockets (LISTEN_FDS for this process): serve every one of them.
  if (env.listenFds.length > 0) {
    return { endpoints: Object.fromEntries(env.listenFds.map((p) => [`LISTEN_FDS[${p.fd}]`, { url: `http://fd:${p.fd}` }])) };
  }
  if (env.httpPorts !== undefined || env.httpsPorts !== undefined) {
    return { endpoints: { ...portEndpoints('TIERCEL_HTTP_PORTS', 'http', env.httpPorts), ...portEndpoints('TIERCEL_HTTPS_PORTS', 'https', env.httpsPorts) } };
  }
  if (env.port !== undefined) return { endpoints: { PORT: { url: `http://*:${port('PORT', env.port)}` } } };
  return {};
}

/** `a;b;c` listen URLs as endpoints named `<source>[i]`; `source` names the variable or flag in errors. */
export function urlEndpoints(source: string, list: string): Record<string, EndpointConfiguration> {
  const urls = list.split(';').map((u) => u.trim()).filter((u) => u.length > 0);
  if (urls.length === 0) fail(source, 'names no URL');
  const out: Record<string, EndpointConfiguration> = {};
  urls.forEach((url, i) => (out[`${source}[${i}]`] = { url: listenUrl(url, source) }));
  return out;
}

function portEndpoints(variable: string, scheme: 'http' | 'https', list: string | undefined): Record<string, EndpointConfiguration> {
  const out: Record<string, EndpointConfiguration> = {};
  if (list === undefined) return out;
  const ports = list.split(';').map((p) => p.trim()).filter((p) => p.length > 0);
  if (ports.length === 0) fail(variable, 'names no port');
  ports.forEach((p, i) => (out[`${variable}[${i}]`] = { url: `${scheme}://*:${port(variable, p)}` }));
  return out;
}

function port(variable: string, text: string): number {
  const n = /^\d{1,5}$/.test(text.trim()) ? Number(text) : NaN;
  if (!(n >= 0 && n <= 65535)) fail(variable, `${JSON.stringify(text)} is not a port (0 to 65535)`);
  return n;
}

/** Lowest first. Scalars: the last wins; certificates and limits merge by key; endpoints: the last that has any. */
function merge(layers: readonly TiercelConfiguration[]): TiercelConfiguration {
  const out: TiercelConfiguration = {};
  for (const layer of layers) {
    // forwardedHeaders and health are scalars here: a higher source's object replaces a lower one's.
    const { endpoints, certificates, limits, ...scalars } = layer;
    Object.assign(out, dropUndefined(scalars));
    if (endpoints !== undefined && Object.keys(endpoints).length > 0) out.endpoints = endpoints;
    if (certificates !== undefined) out.certificates = { ...out.certificates, ...certificates };
    if (limits !== undefined) {
      const merged = { ...out.limits };
      for (const part of ['http', 'http2', 'webSockets'] as const) {
        if (limits[part] !== undefined) (merged as Record<string, object>)[part] = { ...merged[part], ...limits[part] };
      }
      out.limits = merged;
    }
  }
  return out;
}

function resolveConfiguration(config: TiercelConfiguration, sources: ResolvedConfiguration['sources']): ResolvedConfiguration {
  const server = ownerRules('', () => resolveServerOptions(dropUndefined({ shutdownTimeoutMs: config.shutdownTimeoutMs, logLevel: config.logLevel, logFormat: config.logFormat })));
  const limits = config.limits ?? {};
  const http: HttpOptions = dropUndefined({ limits: infinities(limits.http), http2: infinities(limits.http2) });
  ownerRules('limits.http', () => resolveHttpLimits(http.limits));
  ownerRules('limits.http2', () => resolveHttp2Limits(http.http2));
  const webSockets = infinities(limits.webSockets) as WebSocketOptions | undefined;
  if (webSockets !== undefined) ownerRules('limits.webSockets', () => resolveWebSocketOptions(webSockets));
  if (config.reloadOnChange === true && sources.file === undefined) fail('reloadOnChange', 'watches the configuration file: give one (tiercel serve --config, or loadConfiguration({ file }))');
  const forwarded = config.forwardedHeaders;
  // forwardedHeaders() compiles the trusted list now, so a bad address fails at start, not at the first request.
  if (forwarded !== undefined) ownerMessage('forwardedHeaders', ForwardedOptionsError, ['trustedProxies', 'maxHops', 'headers'], () => forwardedHeaders(forwarded));
  const health = config.health;
  if (health !== undefined) ownerMessage('health', HealthConfigError, ['livenessPath', 'readinessPath', 'timeoutMs'], () => resolveHealthOptions(health));
  const certificates = config.certificates ?? {};
  const endpoints = Object.entries(config.endpoints ?? { default: { url: DEFAULT_URL } }).map(([name, e]) => resolveEndpoint(name, e, certificates));
  return Object.freeze({
    endpoints,
    shutdownTimeoutMs: server.shutdownTimeoutMs,
    logLevel: server.logLevel,
    logFormat: server.logFormat,
    http,
    webSockets,
    workers: config.workers === 'auto' ? availableCores() : config.workers,
    reloadOnChange: config.reloadOnChange ?? false,
    forwardedHeaders: forwarded,
    health,
    sources,
  });
}

function resolveEndpoint(name: string, e: EndpointConfiguration, certificates: Readonly<Record<string, CertificateConfiguration>>): ResolvedEndpoint {
  const at = `endpoints.${name}`;
  const proxyProtocol = e.proxyProtocol;
  if (proxyProtocol !== undefined) ownerRules(`${at}.proxyProtocol`, () => resolveProxyProtocolOptions(proxyProtocol));
  const https = e.url.trim().toLowerCase().startsWith('https:');
  if (!https) {
    for (const key of ['certificate', 'sni', 'clientCertificateMode', 'clientCertificateCa', 'acme'] as const) {
      if (e[key] !== undefined) fail(`${at}.${key}`, `only an https:// endpoint takes one (the url is ${e.url})`);
    }
    return { name, url: e.url, protocols: e.protocols, https: undefined, proxyProtocol };
  }
  const certificate = e.certificate ?? (certificates.default !== undefined ? 'default' : undefined);
  const options: HttpsOptions = dropUndefined({
    certificate: certificate === undefined ? undefined : certificateSource(`${at}.certificate`, certificate, certificates, true),
    sni: e.sni === undefined ? undefined : Object.fromEntries(Object.entries(e.sni).map(([host, c]) => [host, certificateSource(`${at}.sni.${host}`, c, certificates, false)!])),
    clientCertificateMode: e.clientCertificateMode,
    clientCertificateCa: e.clientCertificateCa === undefined ? undefined : readCa(`${at}.clientCertificateCa`, e.clientCertificateCa),
    acme: e.acme === undefined ? undefined : acmeOptions(`${at}.acme`, e.acme),
  });
  if ((options.clientCertificateMode ?? 'none') !== 'none' && options.clientCertificateCa === undefined) {
    fail(`${at}.clientCertificateCa`, `is required with clientCertificateMode "${options.clientCertificateMode}": the PEM file of the CA your clients' certificates are signed by`);
  }
  // Without a certificate the providers (the development certificate) supply one at start.
  if (hasCertificate(options)) ownerRules(at, () => resolveHttpsOptions(options));
  return { name, url: e.url, protocols: e.protocols, https: options, proxyProtocol };
}

function certificateSource(key: string, name: string, certificates: Readonly<Record<string, CertificateConfiguration>>, devAllowed: boolean): CertificateSource | undefined {
  const c = certificates[name];
  if (c === undefined) {
    const known = Object.keys(certificates);
    fail(key, `no certificate is named ${JSON.stringify(name)} (${known.length === 0 ? 'certificates is empty' : `known: ${known.join(', ')}`})`);
  }
  if ('dev' in c) {
    if (!devAllowed) fail(key, `the development certificate (${JSON.stringify(name)}) is for localhost only; an SNI entry needs certificate files`);
    return undefined;
  }
  return c;
}

function acmeOptions(at: string, c: AcmeConfiguration): AcmeOptions {
  const { caFile, ...rest } = c;
  return dropUndefined({ ...rest, caCertificates: caFile === undefined ? undefined : readCa(`${at}.caFile`, caFile) });
}

function readCa(key: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    return fail(key, `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** Runs an option owner's resolver; its `InvalidOptionError` is reported under `prefix` and the option's own key. */
function ownerRules<T>(prefix: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (!(err instanceof InvalidOptionError)) throw err;
    // The owners name options from their own root ('limits.x', 'http2.x', 'webSockets.x', 'sni'): keep what follows it.
    const dot = err.option.indexOf('.');
    const own = prefix === '' || prefix.startsWith('endpoints.') ? err.option : dot < 0 ? '' : err.option.slice(dot + 1);
    throw new ConfigurationError([prefix, own].filter((p) => p !== '').join('.'), err.rule);
  }
}

/**
 * Runs a middleware's own check, whose error is a sentence that starts with the option's name
 * (`maxHops must be…`, `trustedProxies: …`): reported as a ConfigurationError at `prefix.<option>`.
 */
function ownerMessage<T>(prefix: string, type: new (...args: never[]) => Error, options: readonly string[], check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (!(err instanceof type)) throw err;
    const option = options.find((o) => err.message.startsWith(`${o} `) || err.message.startsWith(`${o}:`));
    if (option === undefined) throw new ConfigurationError(prefix, err.message);
    throw new ConfigurationError(`${prefix}.${option}`, err.message.slice(option.length).replace(/^:?\s*/, ''));
  }
}

/** JSON has no Infinity: the string "Infinity" stands for it in limit objects. */
function infinities<T extends object>(o: T | undefined): T | undefined {
  if (o === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = v === 'Infinity' ? Infinity : v;
  return out as T;
}

function dropUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
