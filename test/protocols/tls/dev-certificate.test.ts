// ensureDevCertificate: creates a localhost certificate, reuses a valid one, replaces an expired or
// broken one; the result serves https://localhost to a client that trusts it.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDevCertificate } from '../../../protocols/tls/index.js';
import { curl } from '../../support/clients.js';
import { CertDir, makeLeaf } from '../../support/tls-certificates.js';
import { httpsGet, startTlsServer, type TlsReport } from '../../support/tls-server.js';

const YEAR = 365 * 24 * 60 * 60 * 1000;

test('creates a certificate for localhost, 127.0.0.1 and ::1, valid for a year, key mode 0600', async () => {
  const dir = new CertDir();
  try {
    const folder = join(dir.path, 'nested', 'dev-cert');
    const made = await ensureDevCertificate({ dir: folder });
    assert.is(made.created, true);
    assert.ok(made.certFile.startsWith(folder) && made.keyFile.startsWith(folder));
    const cert = new X509Certificate(readFileSync(made.certFile));
    assert.is(cert.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    const lifetime = new Date(cert.validTo).getTime() - new Date(cert.validFrom).getTime();
    assert.ok(Math.abs(lifetime - YEAR) < 5 * 60_000, `valid for ${lifetime} ms`);
    assert.is(statSync(made.keyFile).mode & 0o777, 0o600);
    assert.is(statSync(folder).mode & 0o777, 0o700);
  } finally {
    dir.remove();
  }
});

test('reuses a valid one; regenerates an expired or broken one', async () => {
  const dir = new CertDir();
  try {
    const made = await ensureDevCertificate({ dir: dir.path });
    const original = readFileSync(made.certFile, 'latin1');
    const again = await ensureDevCertificate({ dir: dir.path });
    assert.is(again.created, false);
    assert.is(readFileSync(again.certFile, 'latin1'), original);

    const expired = await makeLeaf(['localhost', '127.0.0.1', '::1'], { notBefore: new Date(Date.now() - 2 * YEAR), notAfter: new Date(Date.now() - YEAR) });
    writeFileSync(made.certFile, expired.cert);
    writeFileSync(made.keyFile, expired.key);
    const renewed = await ensureDevCertificate({ dir: dir.path });
    assert.is(renewed.created, true);
    assert.ok(new Date(new X509Certificate(readFileSync(renewed.certFile)).validTo).getTime() > Date.now() + YEAR / 2);

    writeFileSync(made.keyFile, 'not a key');
    assert.is((await ensureDevCertificate({ dir: dir.path })).created, true);
  } finally {
    dir.remove();
  }
});

test('the dev certificate serves https://localhost to Node and curl when they trust it', async () => {
  const dir = new CertDir();
  const made = await ensureDevCertificate({ dir: dir.path });
  const h = await startTlsServer({ certificate: { certFile: made.certFile, keyFile: made.keyFile } });
  try {
    const trusted = readFileSync(made.certFile);
    // The server listens on 127.0.0.1; send `localhost` there whatever the resolver prefers.
    const r = await httpsGet(`https://localhost:${h.port}/tls`, { ca: trusted, lookup: (_h, _o, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }] as never, 4) });
    assert.is(r.status, 200);
    assert.is((JSON.parse(r.body) as TlsReport).serverName, 'localhost');
    const c = await curl(['-sS', '--fail', '--cacert', made.certFile, '--resolve', `localhost:${h.port}:127.0.0.1`, `https://localhost:${h.port}/tls`]);
    assert.is(c.code, 0, c.stderr);
    assert.is((JSON.parse(c.stdout.toString()) as TlsReport).serverName, 'localhost');
  } finally {
    await h.stop();
    dir.remove();
  }
});

test.run();
