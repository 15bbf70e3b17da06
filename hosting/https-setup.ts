import type { DependencyContainer } from 'tsyringe';
import { CLOCK, LOGGER_FACTORY, ServerStateError, formatUrl } from '../connection/index.js';
import { ENVIRONMENT, resolve, resolveAll } from '../di/index.js';
import {
  ACME_CHALLENGES,
  AcmeChallenges,
  CERTIFICATE_PROVIDER,
  TLS_OPTIONS,
  hasCertificate,
  type AcmeEnvironment,
  type CertificateSource,
  type HttpsMiddleware,
} from '../protocols/tls/configuration.js';
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
  let options = builder.httpsOptionsFor(alpn, defaults)!;
  let acme: AcmeEnvironment | undefined;
  if (options.acme !== undefined) {
    const production = resolve(services, ENVIRONMENT).production;
    acme = { challenges: acmeChallenges(services), production };
    // Until the CA issues the certificate, handshakes get the development one, outside production only.
    if (!production && options.certificate === undefined) {
      const fallback = await provideCertificate(builder, services, false);
      if (fallback !== undefined) options = { ...options, certificate: fallback };
    }
  }
  // The middleware, with node:tls and node:crypto, loads with the first HTTPS endpoint: a server
  // without one never pays for them. Start awaits this before listening, so no connection waits.
  const { httpsMiddleware } = await import('../protocols/tls/index.js');
  return builder.attachHttps(httpsMiddleware(options, resolve(services, LOGGER_FACTORY).create('tiercel.tls'), resolve(services, CLOCK), acme));
}

/**
 * The server's open ACME challenges, registered by the first endpoint that uses ACME (the server
 * registers them at start when one does, so that cleartext endpoints answer HTTP-01).
 */
export function acmeChallenges(services: DependencyContainer): AcmeChallenges {
  if (!services.isRegistered(ACME_CHALLENGES, false)) services.register(ACME_CHALLENGES, { useValue: new AcmeChallenges() });
  return resolve(services, ACME_CHALLENGES);
}

/** Asks the certificate providers, the last registered first; the first answer wins. */
async function provideCertificate(builder: EndpointBuilder, services: DependencyContainer): Promise<CertificateSource>;
async function provideCertificate(builder: EndpointBuilder, services: DependencyContainer, required: false): Promise<CertificateSource | undefined>;
async function provideCertificate(builder: EndpointBuilder, services: DependencyContainer, required = true): Promise<CertificateSource | undefined> {
  const url = formatUrl(builder.endpoint, 'https');
  const providers = resolveAll(services, CERTIFICATE_PROVIDER);
  for (let i = providers.length - 1; i >= 0; i--) {
    const certificate = await providers[i].provide({ url, endpoint: builder.endpoint });
    if (certificate !== undefined) return certificate;
  }
  if (!required) return undefined;
  const production = resolve(services, ENVIRONMENT).production;
  throw new ServerStateError(
    `Endpoint ${url} has no certificate: call useHttps({ certificate }) on it, or register a CERTIFICATE_PROVIDER` +
      (production ? ' (the development certificate is not used when NODE_ENV=production)' : ''),
  );
}
