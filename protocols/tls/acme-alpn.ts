import { createSecureContext, TLSSocket } from 'node:tls';
import type { Clock, ConnectionContext } from '../../connection/index.js';
import { ACME_TLS_ALPN_PROTOCOL, type AcmeChallenges } from './acme-challenges.js';
import { peekClientHello } from './client-hello.js';
import { TlsHandshakeFailedError } from './tls-errors.js';

/**
 * Answers a TLS-ALPN-01 validation (RFC 8737 §3) when the connection's ClientHello offers
 * `acme-tls/1`: the handshake is done with the challenge certificate of its server name and the
 * connection closed after it (no application data on acme-tls/1). Resolves true when the
 * connection was a validation (answered or refused), false when it is an ordinary handshake,
 * whose bytes are left unread for it. Called only while a challenge is open.
 */
export async function answerAlpnChallenge(ctx: ConnectionContext, challenges: AcmeChallenges, timeoutMs: number, clock: Clock): Promise<boolean> {
  const raw = ctx.transport;
  const hello = await peekClientHello(raw, timeoutMs, clock);
  if (hello === null || !hello.alpnProtocols.includes(ACME_TLS_ALPN_PROTOCOL)) return false;
  const certificate = hello.serverName === undefined ? undefined : challenges.alpnCertificate(hello.serverName);
  if (certificate === undefined) {
    raw.destroy();
    throw new TlsHandshakeFailedError('no-certificate', `an ${ACME_TLS_ALPN_PROTOCOL} handshake for '${hello.serverName ?? ''}', which no open challenge names`);
  }
  const socket = new TLSSocket(raw, {
    isServer: true,
    secureContext: createSecureContext({ cert: certificate.cert, key: certificate.key }),
    ALPNProtocols: [ACME_TLS_ALPN_PROTOCOL],
  });
  await new Promise<void>((resolve) => {
    const timer = clock.setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('error', () => socket.destroy());
    socket.once('secure', () => socket.end());
    socket.once('close', () => {
      clock.clearTimer(timer);
      raw.destroy();
      resolve();
    });
  });
  return true;
}
