// HTTPS through `httpsMiddleware` over every kind of transport: TCP with Node's https client and
// curl, and the in-memory transport with a raw HTTP/1.1 client and with undici. TLS wraps any Duplex.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import tls from 'node:tls';
import { Agent, fetch } from 'undici';
import { TlsFeature } from '../../../connection/index.js';
import { Server } from '../../../hosting/index.js';
import { httpsMiddleware } from '../../../protocols/tls/index.js';
import { curl } from '../../support/clients.js';
import { CertDir, makeCa, makeLeaf } from '../../support/tls-certificates.js';
import { getOver, httpsGet, pollUntil, startTlsServer, tlsConnect, type TlsReport } from '../../support/tls-server.js';

const dir = new CertDir();
const ca = await makeCa();
const leaf = await makeLeaf(['localhost', '127.0.0.1'], { ca });
const files = dir.writePem('localhost', leaf);
const caFile = dir.write('ca.crt', ca.cert);

test.after(() => dir.remove());

test('TCP: Node https client gets the app over TLS; the feature reports version, cipher and server name, and no ALPN when none was offered', async () => {
  const h = await startTlsServer({ certificate: files });
  try {
    const r = await httpsGet(`https://localhost:${h.port}/tls`, { ca: ca.cert, lookup: (_h, _o, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }] as never, 4) });
    assert.is(r.status, 200);
    const report = JSON.parse(r.body) as TlsReport;
    assert.is(report.tlsVersion, 'TLSv1.3');
    // Node's https client offers no ALPN; the feature says so rather than guessing.
    assert.is(report.alpnProtocol, null);
    assert.is(report.serverName, 'localhost');
    assert.ok(report.cipher !== null && report.cipher.length > 0);
    assert.is(report.clientCN, null);
    assert.is(report.clientCertificateAuthorized, false);
    assert.is(r.peer.subject.CN, 'localhost');
  } finally {
    await h.stop();
  }
});

test('TCP: curl --cacert talks HTTPS to an IP address (SAN IP) and negotiates http/1.1 by ALPN', async () => {
  const h = await startTlsServer({ certificate: files });
  try {
    const r = await curl(['-sS', '-v', '--fail', '--cacert', caFile, `https://127.0.0.1:${h.port}/tls`]);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stderr, /ALPN.*http\/1\.1/);
    const report = JSON.parse(r.stdout.toString()) as TlsReport;
    // curl sends no SNI for an IP literal (RFC 6066 §3).
    assert.is(report.serverName, null);
    assert.is(report.alpnProtocol, 'http/1.1');
  } finally {
    await h.stop();
  }
});

test('memory: tls.connect over an in-memory connection carries raw HTTP/1.1, keep-alive included', async () => {
  const h = await startTlsServer({ certificate: files });
  try {
    const socket = await tlsConnect({ socket: h.connectMemory(), ca: ca.cert, servername: 'localhost', ALPNProtocols: ['http/1.1'] });
    assert.is(socket.alpnProtocol, 'http/1.1');
    assert.is(socket.getPeerCertificate().subject.CN, 'localhost');
    // Two requests on one connection: the decrypted stream is the protocol's transport for its life.
    socket.write('GET /one HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const first = await new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
    assert.match(first, /^HTTP\/1\.1 200 OK\r\n/);
    const second = await getOver(socket, '/two', 'localhost');
    assert.is(second.status, 200);
    const report = JSON.parse(second.body) as TlsReport;
    assert.is(report.serverName, 'localhost');
    assert.is(h.requests, 2);
  } finally {
    await h.stop();
  }
});

test('memory: undici fetch over TLS on the in-memory transport (a custom connector)', async () => {
  const h = await startTlsServer({ certificate: files });
  const agent = new Agent({
    connect: (_options, callback) => {
      const socket = tls.connect({ socket: h.connectMemory(), ca: ca.cert, servername: 'localhost', ALPNProtocols: ['http/1.1'] });
      socket.once('secureConnect', () => callback(null, socket));
      socket.once('error', (err) => callback(err, null));
    },
  });
  try {
    for (let i = 0; i < 3; i++) {
      const res = await fetch('https://localhost/tls', { dispatcher: agent });
      assert.is(res.status, 200);
      const report = (await res.json()) as TlsReport;
      assert.is(report.alpnProtocol, 'http/1.1');
      assert.is(report.tlsVersion, 'TLSv1.3');
    }
    assert.is(h.requests, 3);
  } finally {
    await agent.close();
    await h.stop();
  }
});

test('unix socket: the same middleware serves HTTPS over the pipe transport', async () => {
  const path = dir.file('https.sock');
  const server = new Server({ logLevel: 'silent' });
  const mw = httpsMiddleware({ certificate: files });
  server.useHttp({ handle: (ex) => ex.end(ex.connection.features.get(TlsFeature)?.tlsVersion ?? 'plain') });
  server.listen(`http://unix:${path}`, (ep) => ep.use(mw.middleware));
  await server.start();
  try {
    const socket = await tlsConnect({ path, ca: ca.cert, servername: 'localhost' });
    const r = await getOver(socket);
    assert.is(r.body, 'TLSv1.3');
  } finally {
    mw.dispose();
    await server.stop(500);
  }
});

test('the plain transport ends with the TLS one: after the client closes, the server has no live connection', async () => {
  const h = await startTlsServer({ certificate: files });
  try {
    const raw = h.connectMemory();
    const socket = await tlsConnect({ socket: raw, ca: ca.cert, servername: 'localhost' });
    const r = await getOver(socket);
    assert.is(r.status, 200);
    socket.destroy();
    await pollUntil('no live connection', () => h.server.stats.active === 0);
    assert.ok(raw.destroyed);
  } finally {
    await h.stop();
  }
});

test.run();
