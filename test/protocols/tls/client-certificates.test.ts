// Client certificates: 'require' and 'allow', a CA to chain to, and a validator that can refuse.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConnectionOptions } from 'node:tls';
import type { HttpsOptions } from '../../../protocols/tls/index.js';
import { makeCa, makeLeaf } from '../../support/tls-certificates.js';
import { getOver, handshakeFailures, tlsConnect, tlsFailure, withTlsServer, type TlsHarness, type TlsReport } from '../../support/tls-server.js';

const serverCa = await makeCa('server CA');
const clientCa = await makeCa('client CA');
const strangerCa = await makeCa('stranger CA');
const leaf = await makeLeaf(['localhost'], { ca: serverCa });
const alice = await makeLeaf(['alice'], { ca: clientCa, client: true });
const mallory = await makeLeaf(['mallory'], { ca: strangerCa, client: true });

/** A server trusting `clientCa`, and client options for its TCP endpoint. */
function withServer(options: Partial<HttpsOptions>, body: (h: TlsHarness, client: (extra?: ConnectionOptions) => ConnectionOptions) => Promise<void>): Promise<void> {
  return withTlsServer({ certificate: leaf, clientCertificateCa: clientCa.cert, ...options }, (h) =>
    body(h, (extra = {}) => ({ port: h.port, host: '127.0.0.1', ca: serverCa.cert, servername: 'localhost', ...extra })),
  );
}

async function report(options: ConnectionOptions): Promise<TlsReport> {
  const socket = await tlsConnect(options);
  return JSON.parse((await getOver(socket)).body) as TlsReport;
}

test("'require': a client without a certificate fails the handshake; the app never runs", () =>
  withServer({ clientCertificateMode: 'require' }, async (h, client) => {
    assert.ok((await tlsFailure(client())) !== null);
    assert.is(h.requests, 0);
    assert.equal(handshakeFailures(h), ['client-certificate']);
  }));

test("'require': a certificate signed by the configured CA reaches the app in the feature (TLS 1.3 and 1.2)", () =>
  withServer({ clientCertificateMode: 'require' }, async (h, client) => {
    const r13 = await report(client({ cert: alice.cert, key: alice.key }));
    assert.is(r13.clientCN, 'alice');
    assert.is(r13.clientCertificateAuthorized, true);
    const r12 = await report(client({ cert: alice.cert, key: alice.key, maxVersion: 'TLSv1.2' }));
    assert.is(r12.tlsVersion, 'TLSv1.2');
    assert.is(r12.clientCN, 'alice');
    assert.is(h.requests, 2);
  }));

test("'require': a certificate from another CA is refused", () =>
  withServer({ clientCertificateMode: 'require' }, async (h, client) => {
    assert.ok((await tlsFailure(client({ cert: mallory.cert, key: mallory.key }))) !== null);
    assert.is(h.requests, 0);
    assert.equal(handshakeFailures(h), ['client-certificate']);
  }));

test("'allow': no certificate is fine; a trusted one is reported; an untrusted one is refused", () =>
  withServer({ clientCertificateMode: 'allow' }, async (h, client) => {
    const none = await report(client());
    assert.is(none.clientCN, null);
    assert.is(none.clientCertificateAuthorized, false);
    assert.is((await report(client({ cert: alice.cert, key: alice.key }))).clientCN, 'alice');
    assert.ok((await tlsFailure(client({ cert: mallory.cert, key: mallory.key }))) !== null);
    assert.is(h.requests, 2);
  }));

test('the validation callback can refuse a trusted certificate, and sees the connection', async () => {
  const seen: string[] = [];
  await withServer(
    {
      clientCertificateMode: 'require',
      validateClientCertificate: async (cert, ctx) => {
        seen.push(`${cert.subject.CN}@${ctx.id}`);
        return cert.subject.CN !== 'alice';
      },
    },
    async (h, client) => {
      assert.ok((await tlsFailure(client({ cert: alice.cert, key: alice.key }))) !== null);
      assert.is(h.requests, 0);
      assert.is(seen.length, 1);
      assert.match(seen[0], /^alice@/);
      assert.equal(handshakeFailures(h), ['client-certificate']);
    },
  );
});

test('the same checks hold over the in-memory transport', () =>
  withServer({ clientCertificateMode: 'require' }, async (h) => {
    const r = await report({ socket: h.connectMemory(), ca: serverCa.cert, servername: 'localhost', cert: alice.cert, key: alice.key });
    assert.is(r.clientCN, 'alice');
    assert.ok((await tlsFailure({ socket: h.connectMemory(), ca: serverCa.cert, servername: 'localhost' })) !== null);
    assert.is(h.requests, 1);
  }));

test.run();
