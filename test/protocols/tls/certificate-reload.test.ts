// Certificates on disk are reloaded when the files change: new connections get the new one, open
// connections keep working, and a broken file keeps the old certificate (with a warning).
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renameSync, writeFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { parseResponses } from '../../support/clients.js';
import { readUntil } from '../../support/streams.js';
import { CertDir, makeCa, makeLeaf } from '../../support/tls-certificates.js';
import { pollUntil, startTlsServer, tlsConnect, type TlsHarness, type TlsReport } from '../../support/tls-server.js';

const ca = await makeCa();
const first = await makeLeaf(['localhost'], { ca });
const second = await makeLeaf(['localhost', 'second.test'], { ca });
const third = await makeLeaf(['localhost', 'third.test'], { ca });

/** The SAN of the certificate a new connection is served. */
async function servedSan(h: TlsHarness): Promise<string> {
  const socket = await tlsConnect({ port: h.port, host: '127.0.0.1', ca: ca.cert, servername: 'localhost' });
  const san = socket.getPeerCertificate().subjectaltname ?? '';
  socket.destroy();
  return san;
}

/** One keep-alive request on an open TLS connection; the app's report. */
async function keepAliveGet(socket: TLSSocket): Promise<TlsReport> {
  socket.write('GET /tls HTTP/1.1\r\nHost: localhost\r\n\r\n');
  const text = await readUntil(socket, (t) => {
    const end = t.indexOf('\r\n\r\n');
    const m = /content-length: (\d+)/i.exec(t);
    return end > 0 && m !== null && t.length >= end + 4 + Number(m[1]);
  });
  return JSON.parse(parseResponses(text)[0].body) as TlsReport;
}

test('replaced files are served to new connections without a restart; an open keep-alive connection keeps working', async () => {
  const dir = new CertDir();
  const paths = dir.writePem('server', first);
  const h = await startTlsServer({ certificate: paths, reloadDebounceMs: 50 });
  try {
    assert.is(await servedSan(h), 'DNS:localhost');
    const open = await tlsConnect({ port: h.port, host: '127.0.0.1', ca: ca.cert, servername: 'localhost' });
    const before = await keepAliveGet(open);

    // Overwrite in place (key, then certificate, as most tools do).
    writeFileSync(paths.keyFile, second.key);
    writeFileSync(paths.certFile, second.cert);
    await pollUntil('the second certificate', async () => (await servedSan(h)).includes('second.test'));

    const after = await keepAliveGet(open);
    assert.is(after.connectionId, before.connectionId, 'the same connection');
    assert.is(open.getPeerCertificate().subjectaltname, 'DNS:localhost', 'it keeps the certificate it started with');

    // Replace by rename (certbot, atomic writers): the folder watch still sees it.
    writeFileSync(dir.file('new.key'), third.key);
    writeFileSync(dir.file('new.crt'), third.cert);
    renameSync(dir.file('new.key'), paths.keyFile);
    renameSync(dir.file('new.crt'), paths.certFile);
    await pollUntil('the third certificate', async () => (await servedSan(h)).includes('third.test'));
    assert.ok(h.logger.entries.some((e) => e.level === 'info' && e.message.startsWith('Certificate reloaded')));
    assert.is(h.logger.entries.filter((e) => e.level === 'warn').length, 0);
    open.destroy();
  } finally {
    await h.stop();
    dir.remove();
  }
});

test('a broken file keeps the old certificate serving and logs a warning saying why', async () => {
  const dir = new CertDir();
  const paths = dir.writePem('server', first);
  const h = await startTlsServer({ certificate: paths, reloadDebounceMs: 50 });
  try {
    writeFileSync(paths.certFile, '-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n');
    await pollUntil('a warning', () => h.logger.entries.some((e) => e.level === 'warn'));
    const warning = h.logger.entries.find((e) => e.level === 'warn')!;
    assert.match(warning.message, /reload failed; still serving the previous certificate/);
    assert.is((warning.fields?.err as { code?: string }).code, 'ERR_TIERCEL_CERTIFICATE_INVALID');
    assert.is(await servedSan(h), 'DNS:localhost');

    // A key that does not match the certificate: refused the same way.
    writeFileSync(paths.certFile, second.cert);
    await pollUntil('a second warning', () => h.logger.entries.filter((e) => e.level === 'warn').length >= 2);
    assert.match(String((h.logger.entries.filter((e) => e.level === 'warn')[1].fields?.err as Error).message), /does not match/);
    assert.is(await servedSan(h), 'DNS:localhost');

    // Fixing the key completes the change.
    writeFileSync(paths.keyFile, second.key);
    await pollUntil('the second certificate', async () => (await servedSan(h)).includes('second.test'));
  } finally {
    await h.stop();
    dir.remove();
  }
});

test('reload() re-reads by hand; with reloadOnChange: false nothing is watched; dispose() stops watching', async () => {
  const dir = new CertDir();
  const paths = dir.writePem('server', first);
  const h = await startTlsServer({ certificate: paths, reloadOnChange: false });
  try {
    writeFileSync(paths.keyFile, second.key);
    writeFileSync(paths.certFile, second.cert);
    await new Promise((r) => setTimeout(r, 400));
    assert.is(await servedSan(h), 'DNS:localhost');
    assert.is(h.https.reload(), true);
    assert.match(await servedSan(h), /second\.test/);
    assert.is(h.https.reload(), false, 'unchanged files change nothing');
  } finally {
    await h.stop();
  }
  const watched = await startTlsServer({ certificate: paths, reloadDebounceMs: 50 });
  try {
    watched.https.dispose();
    writeFileSync(paths.keyFile, third.key);
    writeFileSync(paths.certFile, third.cert);
    await new Promise((r) => setTimeout(r, 400));
    assert.match(await servedSan(watched), /second\.test/);
  } finally {
    await watched.stop();
    dir.remove();
  }
});

test.run();
