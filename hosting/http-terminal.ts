import type { DependencyContainer } from 'tsyringe';
import { CLOCK, LOGGER_FACTORY, TRANSPORT_OPTIONS, type ConnectionDelegate } from '../connection/index.js';
import { resolve, resolveAll } from '../di/index.js';
import { HEARTBEAT, HTTP2_LIMITS, HTTP_APPLICATION, HTTP_LIMITS, HTTP_OPTIONS, PROTOCOL_ADAPTER, type ProtocolAdapter } from '../protocols/http/index.js';
// Not through protocols/index.ts, which re-exports HTTP/2 (node:http2): the terminal loads it on demand.
import { adaptersFor, alpnIdsOf, httpConnectionDelegate } from '../protocols/http-connection.js';
import { ACME_CHALLENGES } from '../protocols/tls/configuration.js';
import { acmeHttpChallenges } from './acme-http-challenge.js';
import type { EndpointBuilder } from './endpoint-builder.js';

/**
 * The HTTP terminal of an endpoint, resolved from the server's container: the app
 * (`HTTP_APPLICATION`), the options and limits, the heartbeat, the clock, the loggers and the
 * ordered protocol adapters. Built once per endpoint, at start.
 */
export function httpTerminal(endpoint: EndpointBuilder, services: DependencyContainer): ConnectionDelegate {
  const options = { ...resolve(services, HTTP_OPTIONS), limits: resolve(services, HTTP_LIMITS), http2: resolve(services, HTTP2_LIMITS) };
  const loggers = resolve(services, LOGGER_FACTORY);
  const app = resolve(services, HTTP_APPLICATION);
  // HTTP-01 is answered on cleartext endpoints, before the app, when the server uses ACME.
  const acme = endpoint.scheme === 'http' && services.isRegistered(ACME_CHALLENGES, true) ? resolve(services, ACME_CHALLENGES) : undefined;
  return httpConnectionDelegate(
    acme === undefined ? app : acmeHttpChallenges(app, acme),
    {
      ...options,
      heartbeat: resolve(services, HEARTBEAT),
      clock: resolve(services, CLOCK),
      loggers,
      logger: loggers.create('tiercel.http'),
      maxReadBufferSize: endpoint.transportOptions.maxReadBufferSize ?? resolve(services, TRANSPORT_OPTIONS).maxReadBufferSize,
    },
    endpoint.protocols ?? options.protocols,
    adapters(services),
  );
}

/** The ALPN ids an HTTPS endpoint served by the HTTP terminal offers, most preferred first. */
export function httpAlpn(endpoint: EndpointBuilder, services: DependencyContainer): string[] {
  return alpnIdsOf(adaptersFor(adapters(services), endpoint.protocols ?? resolve(services, HTTP_OPTIONS).protocols));
}

function adapters(services: DependencyContainer): ProtocolAdapter[] {
  return resolveAll(services, PROTOCOL_ADAPTER);
}
