// ALPN negotiation and the minimum TLS version. A handshake that fails here never reaches the app.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TlsFeature, type TcpEndpoint } from '../../../connection/index.js';
import { Server } from '../../../hosting/index.js';
import { httpsMiddleware, type HttpsOptions } from '../../../protocols/tls/index.js';
import { MemoryLogger } from '../../pipeline/support.js';
import { readAll } from '../../support/streams.js';
import { makeCa, makeLeaf } from '../../support/tls-certificates.js';
import { handshakeFailures, startTlsServer, tlsConnect, tlsFailure } from '../../support/tls-server.js';

const ca = await makeCa();
const leaf = await makeLeaf(['localhost', '127.0.0.1'], { ca });

/**
 * A server whose terminal records the TlsFeature and closes: the negotiation alone, without an
 * HTTP/2 implementation behind 'h2'.
 */
async function recordingServer(options: HttpsOptions): Promise<{ port: number; features: (TlsFeature | undefined)[]; logger: MemoryLogger; stop(): Promise<void> }> {
  const logger = new MemoryLogger();
  const mw = httpsMiddleware(options, logger);
  const features: (TlsFeature | undefined)[] = [];
  const server = new Server({ logLevel: 'silent' });
  server.listen('http://127.0.0.1:0', (ep) =>
    ep.use(mw.middleware).run(async (ctx) => {
      features.push(ctx.features.get(TlsFeature));
      ctx.transport.end('bye');
    }),
  );
  await server.start();
  return {
    port: (server.endpoints[0] as TcpEndpoint).port,
    features,
    logger,
    stop: async () => {
      mw.dispose();
      await server.stop(500);
    },
  };
}

test("ALPN: 'h2' is chosen when configured and offered; 'http/1.1' when the client offers only that", async () => {
  const s = await recordingServer({ certificate: leaf, alpnProtocols: ['h2', 'http/1.1'] });
  try {
    const h2 = await tlsConnect({ port: s.port, host: '127.0.0.1', ca: ca.cert, servername: 'localhost', ALPNProtocols: ['h2', 'http/1.1'] });
    assert.is(h2.alpnProtocol, 'h2');
    assert.is(await readAll(h2), 'bye');
    const h1 = await tlsConnect({ port: s.port, host: '127.0.0.1', ca: ca.cert, servername: 'localhost', ALPNProtocols: ['http/1.1'] });
    assert.is(h1.alpnProtocol, 'http/1.1');
    assert.is(await readAll(h1), 'bye');
    assert.equal(s.features.map((f) => f?.alpnProtocol), ['h2', 'http/1.1']);
  } finally {
    await s.stop();
  }
});

test("ALPN: by default only 'http/1.1' is offered; a client asking only for 'h2' fails the handshake", async () => {
  const s = await recordingServer({ certificate: leaf });
  try {
    const err = await tlsFailure({ port: s.port, host: '127.0.0.1', ca: ca.cert, servername: 'localhost', ALPNProtocols: ['h2'] });
    assert.is((err as { code?: string }).code, 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL');
    assert.is(s.features.length, 0);
  } finally {
    await s.stop();
  }
});

test('TLS 1.2 is the minimum: a client forcing TLS 1.1 fails the handshake and the app never runs', async () => {
  const h = await startTlsServer({ certificate: leaf });
  try {
    // SECLEVEL=0 lets this OpenSSL offer TLS 1.1 at all, so the ClientHello really is TLS 1.1.
    const old = { port: h.port, host: '127.0.0.1', ca: ca.cert, servername: 'localhost', minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } as const;
    const err = await tlsFailure(old);
    assert.is((err as { code?: string }).code, 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
    assert.is(h.requests, 0);
    assert.equal(handshakeFailures(h), ['protocol']);
    // TLS 1.2 is still welcome.
    const ok = await tlsConnect({ ...old, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: undefined });
    assert.is(ok.getProtocol(), 'TLSv1.2');
    ok.destroy();
  } finally {
    await h.stop();
  }
});

test("minVersion 'TLSv1.3' refuses a TLS 1.2 client", async () => {
  const h = await startTlsServer({ certificate: leaf, minVersion: 'TLSv1.3' });
  try {
    const err = await tlsFailure({ socket: h.connectMemory(), ca: ca.cert, servername: 'localhost', maxVersion: 'TLSv1.2' });
    assert.ok(err instanceof Error);
    assert.is(h.requests, 0);
    assert.equal(handshakeFailures(h), ['protocol']);
  } finally {
    await h.stop();
  }
});

test.run();
