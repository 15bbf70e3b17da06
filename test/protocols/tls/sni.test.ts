// SNI: the certificate is chosen by the server name the client asks for — from the map (exact
// names and wildcards), then the selector (sync or async), then the default certificate.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PeerCertificate } from 'node:tls';
import { makeCa, makeLeaf } from '../../support/tls-certificates.js';
import { getOver, handshakeFailures, tlsConnect, tlsFailure, withTlsServer, type TlsHarness, type TlsReport } from '../../support/tls-server.js';

const ca = await makeCa();
const fallback = await makeLeaf(['default.test'], { ca });
const alpha = await makeLeaf(['alpha.test'], { ca });
const beta = await makeLeaf(['beta.test', 'www.beta.test'], { ca });
const wild = await makeLeaf(['*.wild.test'], { ca });
const dynamic = await makeLeaf(['dynamic.test'], { ca });

/** The served certificate and the server-side feature for a client asking for `servername`. */
async function ask(h: TlsHarness, servername: string | undefined): Promise<{ peer: PeerCertificate; report: TlsReport }> {
  // Node refuses to send an IP or empty name as SNI; `undefined` sends none.
  const socket = await tlsConnect({ socket: h.connectMemory(), ca: ca.cert, servername: servername ?? '', checkServerIdentity: () => undefined });
  const peer = socket.getPeerCertificate();
  const response = await getOver(socket);
  return { peer, report: JSON.parse(response.body) as TlsReport };
}

test('two host names get their own certificates; the SAN and subject seen by the client match', () =>
  withTlsServer({ certificate: fallback, sni: { 'alpha.test': alpha, 'www.beta.test': beta } }, async (h) => {
    const a = await ask(h, 'alpha.test');
    assert.is(a.peer.subject.CN, 'alpha.test');
    assert.is(a.peer.subjectaltname, 'DNS:alpha.test');
    assert.is(a.report.serverName, 'alpha.test');
    const b = await ask(h, 'WWW.Beta.Test');
    assert.is(b.peer.subject.CN, 'beta.test');
    assert.match(b.peer.subjectaltname ?? '', /DNS:www\.beta\.test/);
  }));

test('a wildcard matches one label only; an exact name wins over it', () =>
  withTlsServer({ certificate: fallback, sni: { '*.wild.test': wild, 'exact.wild.test': alpha } }, async (h) => {
    assert.is((await ask(h, 'a.wild.test')).peer.subject.CN, '*.wild.test');
    assert.is((await ask(h, 'exact.wild.test')).peer.subject.CN, 'alpha.test');
    assert.is((await ask(h, 'wild.test')).peer.subject.CN, 'default.test');
    assert.is((await ask(h, 'a.b.wild.test')).peer.subject.CN, 'default.test');
  }));

test('an unknown name, or no name at all, gets the default certificate', () =>
  withTlsServer({ certificate: fallback, sni: { 'alpha.test': alpha } }, async (h) => {
    const unknown = await ask(h, 'nobody.test');
    assert.is(unknown.peer.subject.CN, 'default.test');
    assert.is(unknown.report.serverName, 'nobody.test');
    const none = await ask(h, undefined);
    assert.is(none.peer.subject.CN, 'default.test');
    assert.is(none.report.serverName, null);
  }));

test('an async selector picks certificates the map does not know; null falls back to the default', async () => {
  const asked: string[] = [];
  const selectCertificate = async (name: string) => {
    asked.push(name);
    await new Promise((r) => setTimeout(r, 5));
    return name === 'dynamic.test' ? dynamic : null;
  };
  await withTlsServer({ certificate: fallback, sni: { 'alpha.test': alpha }, selectCertificate }, async (h) => {
    assert.is((await ask(h, 'dynamic.test')).peer.subject.CN, 'dynamic.test');
    assert.is((await ask(h, 'dynamic.test')).peer.subject.CN, 'dynamic.test');
    assert.is((await ask(h, 'alpha.test')).peer.subject.CN, 'alpha.test');
    assert.is((await ask(h, 'else.test')).peer.subject.CN, 'default.test');
    // The map answers first: the selector is asked only for names it does not know.
    assert.equal(asked, ['dynamic.test', 'dynamic.test', 'else.test']);
  });
});

test('without a default certificate, an unknown name or no name fails the handshake; the app never runs', () =>
  withTlsServer({ sni: { 'alpha.test': alpha }, selectCertificate: () => { throw new Error('selector down'); } }, async (h) => {
    assert.is((await ask(h, 'alpha.test')).peer.subject.CN, 'alpha.test');
    assert.is(h.requests, 1);
    const unknown = await tlsFailure({ socket: h.connectMemory(), ca: ca.cert, servername: 'nobody.test' });
    assert.ok(unknown instanceof Error, String(unknown));
    const none = await tlsFailure({ socket: h.connectMemory(), ca: ca.cert, servername: '' });
    assert.ok(none instanceof Error, String(none));
    assert.is(h.requests, 1);
    assert.equal(handshakeFailures(h), ['no-certificate', 'no-certificate']);
  }));

test.run();
