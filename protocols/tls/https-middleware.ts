import type { PeerCertificate, TLSSocket } from 'node:tls';
import { ConsoleLogger, LOG_CATEGORIES, LOG_EVENTS, TlsFeature, systemClock, type Clock, type ConnectionMiddleware, type Logger } from '../../connection/index.js';
import { AcmeCertificates } from './acme-certificates.js';
import { answerAlpnChallenge } from './acme-alpn.js';
import { AcmeChallenges } from './acme-challenges.js';
import { resolveHttpsOptions, type HttpsOptions, type ResolvedHttpsOptions } from './https-options.js';
import { ServerCertificates } from './server-certificates.js';
import { acceptTls } from './tls-handshake.js';
import type { TlsHandshakeFailedError } from './tls-errors.js';

/** What `httpsMiddleware` returns: the middleware, and the handle on its certificates. */
export interface HttpsMiddleware {
  /** The connection middleware: `ep.use(https.middleware)`. */
  readonly middleware: ConnectionMiddleware;
  readonly options: ResolvedHttpsOptions;
  /**
   * Re-reads every file-backed certificate now (what a file change does by itself when
   * `reloadOnChange` is on). Returns true if any changed. Never throws: failures are logged.
   */
  reload(): boolean;
  /** The ACME certificate manager, when the options have `acme`. */
  readonly acme: AcmeCertificates | undefined;
  /** Stops watching certificate files (and ACME renewals). Call it when the server stops; the middleware still works after. */
  dispose(): void;
}

/** What an HTTPS middleware with `acme` options shares with its server. */
export interface AcmeEnvironment {
  /** The server's open challenges, which its HTTP-01 responder also answers. Default: the middleware's own (TLS-ALPN-01 only). */
  readonly challenges?: AcmeChallenges;
  /** In production a name without a certificate yet fails its handshake instead of using the default certificate. Default false. */
  readonly production?: boolean;
}

/**
 * HTTPS as connection middleware (Kestrel's `HttpsConnectionMiddleware`): runs the TLS handshake
 * over the connection's transport, whatever it is, then puts the decrypted stream in its place as
 * `ctx.transport`, sets the `TlsFeature`, and calls `next()`. A handshake that fails (not TLS, an
 * old version, a timeout, an unknown server name, a refused client certificate) closes the
 * connection, is logged at debug, and never reaches `next()`; one failed by the app's own callback
 * (a certificate selector or client-certificate validator that threw) is logged at error.
 *
 * Certificates are loaded here, so a bad one throws `CertificateInvalidError` at configuration
 * time; files are then watched (see `HttpsOptions.reloadOnChange`) until `dispose()`.
 *
 * With `acme` options the middleware owns their `AcmeCertificates`, started now (the store is
 * read and, in the background, a certificate ordered or renewed) and stopped by `dispose()`;
 * `acmeEnvironment` gives it the server's open challenges (which its HTTP-01 responder shares) and
 * says whether this is production (no fallback certificate for a name the CA has not served yet).
 *
 * `logger` gets handshake failures (debug), certificate reloads (info, or warn when a reload
 * fails) and ACME's orders; by default warnings go to the console. `clock` times the handshake
 * deadline and ACME's renewals.
 */
export function httpsMiddleware(
  options: HttpsOptions,
  logger: Logger = new ConsoleLogger('warn', LOG_CATEGORIES.tls),
  clock: Clock = systemClock,
  acmeEnvironment: AcmeEnvironment = {},
): HttpsMiddleware {
  const resolved = resolveHttpsOptions(options);
  const acme =
    resolved.acme === undefined
      ? undefined
      : new AcmeCertificates(resolved.acme, { challenges: acmeEnvironment.challenges ?? new AcmeChallenges(), logger, clock, fallback: acmeEnvironment.production !== true });
  const certificates = new ServerCertificates(resolved, logger, acme);
  const settings = { ...resolved, certificates, clock };
  const challenges = acme?.challenges;
  acme?.start();
  const middleware: ConnectionMiddleware = async (ctx, next) => {
    let socket: TLSSocket;
    let clientCertificate: PeerCertificate | null;
    try {
      // Only while a TLS-ALPN-01 challenge is open is the ClientHello read first (RFC 8737).
      if (challenges !== undefined && challenges.alpnPending && (await answerAlpnChallenge(ctx, challenges, resolved.handshakeTimeoutMs, clock))) return;
      ({ socket, clientCertificate } = await acceptTls(ctx, settings));
    } catch (err) {
      const failure = err as TlsHandshakeFailedError;
      const fields = { connectionId: ctx.id, reason: failure.reason, err: failure, cause: failure.cause };
      if (failure.appFault) logger.error({ ...LOG_EVENTS.TlsCallbackFailed, ...fields }, 'TLS handshake failed: an application callback failed; connection closed');
      else logger.debug({ ...LOG_EVENTS.TlsHandshakeFailed, ...fields }, 'TLS handshake failed; connection closed');
      return;
    }
    ctx.features.set(TlsFeature, tlsFeature(socket, clientCertificate));
    ctx.transport = socket;
    await next();
  };
  return {
    middleware,
    options: resolved,
    reload: () => certificates.all.map((c) => c.reload()).some(Boolean),
    acme,
    dispose: () => {
      certificates.dispose();
      acme?.dispose();
    },
  };
}

/** What the handshake settled, in the structural shape connection/ defines. */
function tlsFeature(socket: TLSSocket, clientCertificate: PeerCertificate | null): TlsFeature {
  return {
    alpnProtocol: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : null,
    tlsVersion: socket.getProtocol(),
    cipher: socket.getCipher()?.name ?? null,
    serverName: typeof socket.servername === 'string' ? socket.servername : null,
    clientCertificate: clientCertificate as unknown as Readonly<Record<string, unknown>> | null,
    clientCertificateAuthorized: clientCertificate !== null,
  };
}
