import type { DependencyContainer } from 'tsyringe';
import { CLOCK, LOGGER_FACTORY, ServerStateError, formatUrl } from '../connection/index.js';
import { ENVIRONMENT, resolve, resolveAll } from '../di/index.js';
import { CERTIFICATE_PROVIDER, TLS_OPTIONS, hasCertificate, type CertificateSource, type HttpsMiddleware } from '../protocols/tls/configuration.js';
import type { EndpointBuilder } from './endpoint-builder.js';

/**
 * Creates an HTTPS endpoint's TLS middleware at start, with `alpn` as its ALPN list. An `https://`
 * URL without `useHttps` gets TLS as its first middleware; an endpoint without a certificate (in
 * its options or in `TLS_OPTIONS`) gets one from the certificate providers. Returns the middleware
 * so the server can dispose of its file watchers on stop; `undefined` for a cleartext endpoint.
 */
export async function prepareHttps(builder: EndpointBuilder, services: DependencyContainer, alpn: readonly string[]): Promise<HttpsMiddleware | undefined> {
  if (builder.scheme !== 'https' && !builder.usesHttps) return undefined;
  if (!builder.usesHttps) builder.useHttpsFirst({});
  const defaults = resolve(services, TLS_OPTIONS);
  if (builder.needsCertificate && !hasCertificate(defaults)) builder.supplyCertificate(await provideCertificate(builder, services));
  const options = builder.httpsOptionsFor(alpn, defaults)!;
  // The middleware, with node:tls and node:crypto, loads with the first HTTPS endpoint: a server
  // without one never pays for them. Start awaits this before listening, so no connection waits.
  const { httpsMiddleware } = await import('../protocols/tls/index.js');
  return builder.attachHttps(httpsMiddleware(options, resolve(services, LOGGER_FACTORY).create('tiercel.tls'), resolve(services, CLOCK)));
}

/** Asks the certificate providers, the last registered first; the first answer wins. */
async function provideCertificate(builder: EndpointBuilder, services: DependencyContainer): Promise<CertificateSource> {
  const url = formatUrl(builder.endpoint, 'https');
  const providers = resolveAll(services, CERTIFICATE_PROVIDER);
  for (let i = providers.length - 1; i >= 0; i--) {
    const certificate = await providers[i].provide({ url, endpoint: builder.endpoint });
    if (certificate !== undefined) return certificate;
  }
  const production = resolve(services, ENVIRONMENT).production;
  throw new ServerStateError(
    `Endpoint ${url} has no certificate: call useHttps({ certificate }) on it, or register a CERTIFICATE_PROVIDER` +
      (production ? ' (the development certificate is not used when NODE_ENV=production)' : ''),
  );
}
