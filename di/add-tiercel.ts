import { instanceCachingFactory, type DependencyContainer } from '../connection/tsyringe.js';
import {
  CLOCK,
  ConsoleLogger,
  levelFor,
  InvalidOptionError,
  LOGGER,
  LOGGER_FACTORY,
  TRANSPORT_OPTIONS,
  systemClock,
  type LogFormat,
} from '../connection/index.js';
import {
  HEARTBEAT,
  HTTP2_LIMITS,
  HTTP_LIMITS,
  HTTP_OPTIONS,
  Heartbeat,
  PROTOCOL_ADAPTER,
  resolveHttpOptions,
  type HttpOptions,
} from '../protocols/http/index.js';
// Not through protocols/index.ts, which re-exports HTTP/2 (node:http2): the adapters load it on demand.
import { Http1Adapter, Http2Adapter } from '../protocols/http-adapters.js';
import { CERTIFICATE_PROVIDER, DevCertificateProvider, TLS_OPTIONS, checkTlsDefaults, type HttpsOptions } from '../protocols/tls/configuration.js';
// Only the health folder: its checks are a service every server offers (the other middleware is the app's).
import { HEALTH_CHECKS, HealthChecks } from '../middleware/health/index.js';
import { FdTransport, LISTEN_FDS, MemoryTransport, PipeTransport, TcpTransport } from '../transports/index.js';
import { readEnvironment, type Environment } from './environment.js';
import { DefaultLoggerFactory } from './logger-factory.js';
import { resolveServerOptions, type ServerOptions } from './server-options.js';
import { ENVIRONMENT, SERVER_OPTIONS } from './tokens.js';
import { registerTransport } from './transport-registration.js';
import { resolve } from './resolution.js';

/** What `addTiercel` configures. Every part is checked now; each has its documented defaults. */
export interface TiercelOptions {
  /** See `ServerOptions`. */
  server?: ServerOptions;
  /** See `HttpOptions`: the HTTP limits, HTTP/2 limits, Server header and versions. */
  http?: HttpOptions;
  /** HTTPS options every HTTPS endpoint starts from (its own `useHttps` options win). Default: none. */
  tls?: HttpsOptions;
  /** Where the environment is read from, once, now. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

const KNOWN: readonly (keyof TiercelOptions)[] = ['server', 'http', 'tls', 'env'];

/**
 * The console loggers' format: `logFormat`, or for 'auto' JSON lines under `NODE_ENV=production`
 * (a log shipper reads them) and text otherwise. The one place that rule lives.
 */
export function logFormatOf(server: Pick<Required<ServerOptions>, 'logFormat'>, environment: Environment): LogFormat {
  return server.logFormat === 'auto' ? (environment.production ? 'json' : 'text') : server.logFormat;
}

/**
 * Registers tiercel's defaults in `container` (one you own, or a child of it), as `UseKestrel`
 * adds Kestrel's services: options, environment, clock, loggers, heartbeat, the HTTP/1.1 and
 * HTTP/2 adapters, the development-certificate provider, the health checks (`HEALTH_CHECKS`) and
 * the TCP, pipe, memory and fd (systemd socket activation) transports.
 *
 * Replace any of them by registering your own under the same token afterwards: the last
 * registration wins (for lists, `TRANSPORT`, `PROTOCOL_ADAPTER`, `CERTIFICATE_PROVIDER`, the last
 * registered is tried first). Register before `server.start()`, which resolves everything.
 */
export function addTiercel(container: DependencyContainer, options: TiercelOptions = {}): DependencyContainer {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('options', 'must be an object');
  for (const key of Object.keys(options)) {
    if (!(KNOWN as readonly string[]).includes(key)) throw new InvalidOptionError(key, `is not a tiercel option (known: ${KNOWN.join(', ')})`);
  }
  const server = resolveServerOptions(options.server);
  const http = resolveHttpOptions(options.http);
  const tls = checkTlsDefaults(options.tls ?? {});
  const environment = readEnvironment(options.env);
  const c = container;

  c.register(SERVER_OPTIONS, { useValue: server });
  c.register(TRANSPORT_OPTIONS, { useFactory: (d) => resolve(d, SERVER_OPTIONS).transport });
  c.register(ENVIRONMENT, { useValue: environment });
  c.register(CLOCK, { useValue: systemClock });

  const logOptions = { format: logFormatOf(server, environment) };
  const root = new ConsoleLogger(levelFor(server.logLevel, 'tiercel'), 'tiercel', logOptions);
  c.register(LOGGER_FACTORY, { useFactory: (d) => new DefaultLoggerFactory(server.logLevel, root, d, logOptions) });
  c.register(LOGGER, {
    useFactory: (d) => {
      const factory = resolve(d, LOGGER_FACTORY);
      return factory instanceof DefaultLoggerFactory ? root : factory.create('tiercel');
    },
  });

  // One heartbeat per container, made on first use with whatever CLOCK is registered by then.
  c.register(HEARTBEAT, { useFactory: instanceCachingFactory((d) => new Heartbeat(resolve(d, CLOCK), undefined, resolve(d, LOGGER_FACTORY).create('tiercel.heartbeat'))) });
  c.register(HTTP_OPTIONS, { useValue: http });
  c.register(HTTP_LIMITS, { useFactory: (d) => resolve(d, HTTP_OPTIONS).limits });
  c.register(HTTP2_LIMITS, { useFactory: (d) => resolve(d, HTTP_OPTIONS).http2 });
  // HTTP/1.1 first: the later HTTP/2 takes precedence in ALPN and sniffs first, HTTP/1.1 is the fallback.
  c.register(PROTOCOL_ADAPTER, { useValue: new Http1Adapter() });
  c.register(PROTOCOL_ADAPTER, { useValue: new Http2Adapter() });

  c.register(TLS_OPTIONS, { useValue: tls });
  c.register(CERTIFICATE_PROVIDER, {
    useFactory: (d) => {
      const env = resolve(d, ENVIRONMENT);
      return new DevCertificateProvider({ dir: env.devCertDir, enabled: !env.production, logger: resolve(d, LOGGER_FACTORY).create('tiercel.tls') });
    },
  });

  // Made on first use: a server whose app never asks for health checks makes none.
  c.register(HEALTH_CHECKS, { useFactory: instanceCachingFactory(() => new HealthChecks()) });

  // A later transport that can bind an endpoint wins over an earlier one.
  registerTransport(c, TcpTransport);
  registerTransport(c, PipeTransport);
  registerTransport(c, MemoryTransport);
  // The sockets systemd passed (LISTEN_FDS), read once with the rest of the environment.
  c.register(LISTEN_FDS, { useFactory: (d) => resolve(d, ENVIRONMENT).listenFds });
  registerTransport(c, FdTransport);
  return c;
}
