// Not through pipeline/index.ts, which loads the whole pipeline and the WebSocket protocol with it.
import { WEB_SOCKET_OPTIONS, resolveWebSocketOptions } from '../../pipeline/web-socket-options.js';
import { HTTP_OPTIONS, resolveHttpOptions } from '../../protocols/http/index.js';
import { proxyProtocolMiddleware } from '../../protocols/proxy/index.js';
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
    if (endpoint.proxyProtocol !== undefined) builder.use(proxyProtocolMiddleware(endpoint.proxyProtocol).middleware);
    if (endpoint.protocols !== undefined) builder.useProtocols(endpoint.protocols);
    if (endpoint.https !== undefined) builder.useHttps(endpoint.https);
  };
}
