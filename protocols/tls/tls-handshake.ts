import { TLSSocket, type PeerCertificate } from 'node:tls';
import {
  LifetimeFeature,
  isConnectionLost,
  setConnectionEndReason,
  tlsHandshakeEndChannel,
  tlsHandshakeStartChannel,
  type Clock,
  type ConnectionContext,
  type TlsHandshakeMessage,
} from '../../connection/index.js';
import type { ClientCertificateMode, ClientCertificateValidator } from './https-options.js';
import { peerVerifyError, releaseControl } from './node-tls-internals.js';
import type { ServerCertificates } from './server-certificates.js';
import { TlsHandshakeFailedError } from './tls-errors.js';

/** What the handshake needs, fixed when the middleware is made. */
export interface HandshakeSettings {
  readonly certificates: ServerCertificates;
  readonly alpnProtocols: readonly string[];
  readonly handshakeTimeoutMs: number;
  readonly clientCertificateMode: ClientCertificateMode;
  readonly validateClientCertificate: ClientCertificateValidator | undefined;
  /** The clock of the handshake deadline. */
  readonly clock: Clock;
}

export interface Handshake {
  readonly socket: TLSSocket;
  /** The client's certificate when one was sent and accepted. */
  readonly clientCertificate: PeerCertificate | null;
}

/**
 * Runs the server side of a TLS handshake over `ctx.transport`, whatever Duplex it is (a TCP
 * socket, a pipe, an in-memory stream): node:tls wraps any Duplex. Resolves once the handshake
 * and the client-certificate check are done, within `handshakeTimeoutMs`. On failure both the TLS
 * socket and the plain transport are destroyed and it rejects with `TlsHandshakeFailedError`.
 * After success each stream's close destroys the other, so the plain transport never outlives
 * the TLS one.
 */
export function acceptTls(ctx: ConnectionContext, settings: HandshakeSettings): Promise<Handshake> {
  const raw = ctx.transport;
  const { certificates, clientCertificateMode: mode } = settings;
  let askedForName = false;
  const socket = new TLSSocket(raw, {
    isServer: true,
    secureContext: certificates.initialContext,
    ALPNProtocols: [...settings.alpnProtocols],
    requestCert: mode !== 'none',
    // 'require' also makes OpenSSL fail a handshake without a client certificate.
    rejectUnauthorized: mode === 'require',
    SNICallback: (serverName, done) => {
      askedForName = true;
      certificates.select(serverName).then(
        (context) => done(null, context),
        (err: Error) => done(err, undefined),
      );
    },
  });
  // The socket is ours: its errors end here (the protocol adds its own listener). Without one, a
  // reset after the protocol is done would crash the process.
  socket.on('error', noop);

  const message: TlsHandshakeMessage | undefined =
    tlsHandshakeStartChannel.hasSubscribers || tlsHandshakeEndChannel.hasSubscribers ? { connection: ctx, startTime: performance.now() } : undefined;
  if (message !== undefined) tlsHandshakeStartChannel.publish(message);

  return new Promise<Handshake>((resolve, reject) => {
    let settled = false;
    const fail = (err: TlsHandshakeFailedError): void => {
      if (settled) return;
      settled = true;
      setConnectionEndReason(ctx, 'tls-handshake-failed');
      if (message !== undefined) {
        message.error = err;
        tlsHandshakeEndChannel.publish(message);
      }
      cleanup();
      socket.destroy();
      raw.destroy();
      reject(err);
    };
    const onError = (err: Error): void => {
      if (err instanceof TlsHandshakeFailedError) fail(err);
      else if (!certificates.hasDefault && !askedForName) fail(new TlsHandshakeFailedError('no-certificate', 'the client sent no server name and there is no default certificate', { cause: err }));
      else fail(classify(err));
    };
    const onClose = (): void => fail(new TlsHandshakeFailedError('closed', 'the connection closed during the handshake'));
    // The client speaks last in every TLS handshake (its Finished), so one that has ended its side
    // can never complete it. Transports are half-open, so without this the connection would hold
    // its slot until the timeout.
    const onEnd = (): void => fail(new TlsHandshakeFailedError('closed', 'the client ended its side during the handshake'));
    const clock = settings.clock;
    const timer = clock.setTimeout(() => fail(new TlsHandshakeFailedError('timeout', `no complete handshake within ${settings.handshakeTimeoutMs} ms`)), settings.handshakeTimeoutMs);
    let stopLifetime: (() => void) | undefined;
    const cleanup = (): void => {
      clock.clearTimer(timer);
      stopLifetime?.();
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.off('end', onEnd);
    };
    socket.on('error', onError);
    socket.once('close', onClose);
    socket.once('end', onEnd);
    // A shutdown should not wait for a handshake that may never finish.
    stopLifetime = ctx.features.get(LifetimeFeature)?.onCloseRequested(() => fail(new TlsHandshakeFailedError('closed', 'the server is shutting down')));
    socket.once('secure', () => {
      // From here an end is the protocol's to handle (a request may be waiting to be read).
      socket.off('end', onEnd);
      checkClientCertificate(socket, ctx, settings).then((clientCertificate) => {
        if (settled) return;
        settled = true;
        if (message !== undefined) {
          message.protocol = socket.getProtocol() ?? undefined;
          tlsHandshakeEndChannel.publish(message);
        }
        cleanup();
        releaseControl(socket);
        socket.once('close', () => raw.destroy());
        if (raw.destroyed) socket.destroy();
        else raw.once('close', () => socket.destroy());
        resolve({ socket, clientCertificate });
      }, fail);
    });
  });
}

/**
 * The client certificate, once accepted: it must chain to the configured CA (OpenSSL's verdict),
 * then pass the application's validator, which can only refuse.
 */
async function checkClientCertificate(socket: TLSSocket, ctx: ConnectionContext, settings: HandshakeSettings): Promise<PeerCertificate | null> {
  if (settings.clientCertificateMode === 'none') return null;
  const cert = socket.getPeerCertificate();
  // node:tls answers an empty object when the client sent no certificate.
  if (cert === null || cert === undefined || Object.keys(cert).length === 0) {
    if (settings.clientCertificateMode === 'require') throw new TlsHandshakeFailedError('client-certificate', 'the client sent no certificate');
    return null;
  }
  const chainError = peerVerifyError(socket);
  if (chainError !== null) throw new TlsHandshakeFailedError('client-certificate', `the client certificate is not trusted (${chainError})`);
  const validate = settings.validateClientCertificate;
  if (validate !== undefined) {
    let accepted: boolean;
    try {
      accepted = (await validate(cert, ctx)) === true;
    } catch (err) {
      throw new TlsHandshakeFailedError('client-certificate', 'validateClientCertificate threw', { cause: err, appFault: true });
    }
    if (!accepted) throw new TlsHandshakeFailedError('client-certificate', 'validateClientCertificate refused the client certificate');
  }
  return cert;
}

/** An error from node:tls or the stream below it, as a handshake failure reason. */
function classify(err: Error & { code?: string }): TlsHandshakeFailedError {
  const code = err.code ?? '';
  const detail = `${code ? code + ': ' : ''}${err.message.split('\n')[0]}`;
  if (code === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE') return new TlsHandshakeFailedError('client-certificate', 'the client sent no certificate', { cause: err });
  if (isConnectionLost(err)) return new TlsHandshakeFailedError('closed', detail, { cause: err });
  return new TlsHandshakeFailedError('protocol', detail, { cause: err });
}

function noop(): void {}
