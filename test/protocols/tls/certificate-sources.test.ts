// Every kind of certificate source serves (PEM files, PEM text with an intermediate, PFX file and
// bytes), and a source that cannot serve fails at configuration time with a coded error.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generate } from 'selfsigned';
import { httpsMiddleware, type HttpsOptions } from '../../../protocols/tls/index.js';
import { CertDir, makeCa, makeLeaf } from '../../support/tls-certificates.js';
import { getOver, startTlsServer, tlsConnect } from '../../support/tls-server.js';

const dir = new CertDir();
const root = await makeCa('tiercel test root');
// An intermediate CA signed by the root: clients trust only the root, so the server must send it.
const intermediatePems = await generate([{ name: 'commonName', value: 'tiercel test intermediate' }], {
  keyType: 'ec',
  algorithm: 'sha256',
  ca: root,
  notBeforeDate: new Date(Date.now() - 86_400_000),
  extensions: [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
  ],
});
const intermediate = { cert: intermediatePems.cert, key: intermediatePems.private };
const leaf = await makeLeaf(['localhost'], { ca: root });
const chained = await makeLeaf(['localhost'], { ca: intermediate });
const other = await makeLeaf(['other.test'], { ca: root });

test.after(() => dir.remove());

/** Serves `options`, connects over the in-memory transport trusting only the root, and returns the served leaf's CN. */
async function servedCommonName(options: HttpsOptions): Promise<string> {
  const h = await startTlsServer(options);
  try {
    const socket = await tlsConnect({ socket: h.connectMemory(), ca: root.cert, servername: 'localhost' });
    const cn = String(socket.getPeerCertificate().subject.CN);
    assert.is((await getOver(socket)).status, 200);
    return cn;
  } finally {
    await h.stop();
  }
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    const r = fn() as { dispose?: () => void };
    r?.dispose?.();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

test('PEM files serve', async () => {
  assert.is(await servedCommonName({ certificate: dir.writePem('leaf', leaf) }), 'localhost');
});

test('PEM strings with a chain: the intermediate is sent, so a client trusting only the root verifies', async () => {
  assert.is(await servedCommonName({ certificate: { cert: chained.cert, key: chained.key, chain: intermediate.cert } }), 'localhost');
  // Without the chain the same client cannot build a path to the root.
  const h = await startTlsServer({ certificate: { cert: chained.cert, key: chained.key } });
  try {
    const err = await tlsConnect({ socket: h.connectMemory(), ca: root.cert, servername: 'localhost' }).then(() => null, (e: Error & { code?: string }) => e);
    assert.is(err?.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  } finally {
    await h.stop();
  }
});

test('PEM files with a chain file, and an encrypted key with its passphrase', async () => {
  const encrypted = await makeLeaf(['localhost'], { ca: intermediate, passphrase: 'correct horse' });
  const paths = dir.writePem('encrypted', encrypted);
  const chainFile = dir.write('intermediate.crt', intermediate.cert);
  assert.is(await servedCommonName({ certificate: { ...paths, chainFile, passphrase: 'correct horse' } }), 'localhost');
});

test('PFX: a file and bytes, with their passphrase', async () => {
  const pfx = dir.pfx('bundle', chained, 's3cret', intermediate.cert);
  assert.is(await servedCommonName({ certificate: { pfx, passphrase: 's3cret' } }), 'localhost');
  assert.is(await servedCommonName({ certificate: { pfxFile: dir.file('bundle.pfx'), passphrase: 's3cret' } }), 'localhost');
});

test('a wrong or missing passphrase is ERR_TIERCEL_CERTIFICATE_INVALID at configuration time, with a sentence', () => {
  const pfx = dir.pfx('bundle2', leaf, 's3cret');
  assert.is(codeOf(() => httpsMiddleware({ certificate: { pfx, passphrase: 'wrong' } })), 'ERR_TIERCEL_CERTIFICATE_INVALID');
  try {
    httpsMiddleware({ certificate: { pfx, passphrase: 'wrong' } });
  } catch (err) {
    assert.match((err as Error).message, /passphrase is wrong or missing/);
  }
  assert.is(codeOf(() => httpsMiddleware({ certificate: { pfxFile: dir.file('bundle2.pfx') } })), 'ERR_TIERCEL_CERTIFICATE_INVALID');
});

test('a key that does not match, bad PEM and a missing file are ERR_TIERCEL_CERTIFICATE_INVALID', () => {
  const mismatch = () => httpsMiddleware({ certificate: { cert: leaf.cert, key: other.key } });
  assert.is(codeOf(mismatch), 'ERR_TIERCEL_CERTIFICATE_INVALID');
  assert.throws(mismatch, /does not match the certificate/);
  assert.is(codeOf(() => httpsMiddleware({ certificate: { cert: 'not a certificate', key: leaf.key } })), 'ERR_TIERCEL_CERTIFICATE_INVALID');
  assert.is(codeOf(() => httpsMiddleware({ certificate: { certFile: dir.file('nope.crt'), keyFile: dir.file('nope.key') } })), 'ERR_TIERCEL_CERTIFICATE_INVALID');
  // An SNI entry is loaded at configuration time too.
  assert.is(codeOf(() => httpsMiddleware({ certificate: leaf, sni: { 'a.test': { cert: leaf.cert, key: other.key } } })), 'ERR_TIERCEL_CERTIFICATE_INVALID');
});

test('bad options are ERR_TIERCEL_INVALID_OPTION at configuration time', () => {
  const bad: unknown[] = [
    {},
    { certificate: leaf, alpnProtocol: ['h2'] },
    { certificate: { cert: leaf.cert } },
    { certificate: { cert: leaf.cert, key: leaf.key, certFile: 'x' } },
    { certificate: leaf, minVersion: 'TLSv1.1' },
    { certificate: leaf, clientCertificateMode: 'require' },
    { certificate: leaf, clientCertificateMode: 'maybe', clientCertificateCa: root.cert },
    { certificate: leaf, alpnProtocols: [] },
    { certificate: leaf, alpnProtocols: ['h2', 'h2'] },
    { certificate: leaf, handshakeTimeoutMs: 0 },
    { certificate: leaf, sni: { 'a.*.test': leaf } },
    { certificate: leaf, sni: { '*': leaf } },
    { certificate: leaf, selectCertificate: 'x' },
  ];
  for (const options of bad) {
    assert.is(codeOf(() => httpsMiddleware(options as HttpsOptions)), 'ERR_TIERCEL_INVALID_OPTION', JSON.stringify(options).slice(0, 120));
  }
});

test.run();
