// Not through pipeline/index.ts, which loads the whole pipeline and the WebSocket protocol with it.
import { WEB_SOCKET_OPTIONS, resolveWebSocketOptions } from '../../pipeline/web-socket-options.js';
import { HTTP_OPTIONS, resolveHttpOptions } from '../../protocols/http/index.js';
import type { ConnectionMiddleware } from '../../connection/index.js';
import type { ProxyProtocolOptions } from '../../protocols/proxy/index.js';
import { HEALTH_CHECKS, HealthChecks } from '../../middleware/health/index.js';
import { instanceCachingFactory } from '../../di/index.js';
import type { EndpointBuilder } from '../endpoint-builder.js';
import type { Server } from '../server.js';
import type { ResolvedConfiguration, ResolvedEndpoint } from './load-configuration.js';

/**
 * Registers the configuration's HTTP and WebSocket options and its health checks (`HEALTH_CHECKS`)
 * in a new server's container and adds its endpoints (each with its PROXY protocol middleware) (the server's own options, shutdown timeout and log level, were given to its
 * constructor). An app's own `useHttp(app, options)` or `useWebSockets(options)` still wins.
 */
export function applyConfiguration(server: Server, config: ResolvedConfiguration): void {
  server.services.register(HTTP_OPTIONS, { useValue: resolveHttpOptions(config.http) });
  if (config.webSockets !== undefined) server.services.register(WEB_SOCKET_OPTIONS, { useValue: resolveWebSocketOptions(config.webSockets) });
  const health = config.health;
  // Made on first use, as addTiercel's default: an app that never asks pays nothing.
  if (health !== undefined) server.services.register(HEALTH_CHECKS, { useFactory: instanceCachingFactory(() => new HealthChecks(health)) });
  for (const endpoint of config.endpoints) server.listen(endpoint.url, configureEndpoint(endpoint));
}

/** What `server.listen(endpoint.url, …)` is given for a configured endpoint. */
export function configureEndpoint(endpoint: ResolvedEndpoint): (builder: EndpointBuilder) => void {
  return (builder) => {
    builder.name = endpoint.name;
    // First: the header precedes every byte of TLS and HTTP, and sets the endpoints they see.
    if (endpoint.proxyProtocol !== undefined) builder.use(proxyProtocolOnDemand(endpoint.proxyProtocol));
    if (endpoint.protocols !== undefined) builder.useProtocols(endpoint.protocols);
    if (endpoint.https !== undefined) builder.useHttps(endpoint.https);
  };
}

/**
 * The PROXY protocol middleware, whose module (the v1 and v2 parsers, ~27 kB) starts loading now,
 * when an endpoint asks for it, rather than with every server that reads a configuration (issue
 * 11, start-up). A connection accepted before it has loaded waits for it; the options were checked
 * when the configuration was loaded.
 */
function proxyProtocolOnDemand(options: ProxyProtocolOptions): ConnectionMiddleware {
  let middleware: ConnectionMiddleware | undefined;
  const loading = import('../../protocols/proxy/index.js').then(({ proxyProtocolMiddleware }) => (middleware = proxyProtocolMiddleware(options).middleware));
  // A failed import fails the connections that wait for it (each is aborted), not the process.
  loading.catch(() => undefined);
  return (ctx, next) => (middleware !== undefined ? middleware(ctx, next) : loading.then((m) => m(ctx, next)));
}
