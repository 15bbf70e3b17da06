// The TLS-ALPN-01 responder (RFC 8737) without a CA: a challenge certificate put in the server's
// ACME_CHALLENGES answers `acme-tls/1` handshakes for its name, with the connection closed after
// the handshake, while ordinary handshakes on the same port go on as before. (Pebble validating
// through it: acme.test.ts.)
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { LOGGER_FACTORY } from '../../../di/index.js';
import { Server } from '../../../hosting/index.js';
import { ApplicationBuilder } from '../../../pipeline/index.js';
import { ACME_CHALLENGES, AcmeChallenges } from '../../../protocols/tls/configuration.js';
import { RecordingLoggerFactory } from '../../di/support.js';
import { freePort } from '../../support/daemon.js';
import { makeLeaf } from '../../support/tls-certificates.js';

const site = await makeLeaf(['site.acme.test']);
const challenge = await makeLeaf(['site.acme.test']);
const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;

interface Handshake {
  readonly alpn: string | false | null;
  readonly fingerprint: string | undefined;
  /** What the server sent after the handshake, until it closed. */
  readonly received: string;
  readonly error: string | undefined;
}

/** A TLS client that sends `request` after the handshake and reads until the server closes. */
function handshake(port: number, servername: string, alpn: string[], request = ''): Promise<Handshake> {
  return new Promise((resolve) => {
    let received = '';
    let result: Omit<Handshake, 'received'> = { alpn: false, fingerprint: undefined, error: undefined };
    const socket = tls.connect({ host: '127.0.0.1', port, servername, ALPNProtocols: alpn, rejectUnauthorized: false }, () => {
      const raw = socket.getPeerX509Certificate();
      result = { alpn: socket.alpnProtocol, fingerprint: raw?.fingerprint256, error: undefined };
      if (request !== '') socket.write(request);
    });
    socket.setEncoding('utf8').on('data', (d: string) => (received += d));
    socket.on('error', (err) => (result = { ...result, error: (err as NodeJS.ErrnoException).code ?? err.message }));
    socket.on('close', () => resolve({ ...result, received }));
  });
}

test('acme-tls/1 gets the challenge certificate and a closed connection; h2 and http/1.1 clients the site certificate', async () => {
  const port = await freePort();
  const server = new Server({ shutdownTimeoutMs: 1_000 });
  const logs = new RecordingLoggerFactory();
  server.services.register(LOGGER_FACTORY, { useValue: logs });
  const challenges = new AcmeChallenges();
  server.services.register(ACME_CHALLENGES, { useValue: challenges });
  // A CA nobody answers at, retried an hour later: the responder is what is under test here.
  const directory = `https://127.0.0.1:${await freePort()}/dir`;
  const store = mkdtempSync(join(tmpdir(), 'tiercel-acme-alpn-'));
  server.listen(`https://127.0.0.1:${port}`, (ep) =>
    ep.useHttps({ certificate: site, acme: { directory, domains: ['site.acme.test'], agreeToTerms: true, store, retryMinMs: 3_600_000, retryMaxMs: 3_600_000 } }),
  );
  server.useHttp(new ApplicationBuilder().run((ctx) => ctx.response.send('app')));
  await server.start();
  try {
    // No challenge open: the ClientHello is not read first; acme-tls/1 is simply not offered.
    const before = await handshake(port, 'site.acme.test', ['acme-tls/1']);
    assert.ok(before.error !== undefined, 'no acme-tls/1 outside a challenge');

    challenges.addAlpn('site.acme.test', challenge);
    const validation = await handshake(port, 'site.acme.test', ['acme-tls/1'], 'GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    assert.equal(validation, { alpn: 'acme-tls/1', fingerprint: fingerprint(challenge.cert), received: '', error: undefined });

    // The same port, the same name, while the challenge is open: ordinary clients are not disturbed.
    const ordinary = await handshake(port, 'site.acme.test', ['http/1.1'], 'GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    assert.is(ordinary.alpn, 'http/1.1');
    assert.is(ordinary.fingerprint, fingerprint(site.cert));
    assert.match(ordinary.received, /^HTTP\/1\.1 200 [\s\S]*\r\n\r\napp$/);

    // A validation for a name no challenge names fails its handshake.
    const other = await handshake(port, 'other.acme.test', ['acme-tls/1']);
    assert.ok(other.error !== undefined && other.fingerprint === undefined, 'no certificate for a name without a challenge');

    challenges.removeAlpn('site.acme.test');
    const after = await handshake(port, 'site.acme.test', ['acme-tls/1']);
    assert.ok(after.error !== undefined, 'the challenge is over');
  } finally {
    await server.stop();
    rmSync(store, { recursive: true, force: true });
  }
});

test.run();
