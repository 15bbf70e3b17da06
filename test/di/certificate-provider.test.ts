// Certificate providers: the HTTPS endpoints configured without a certificate get one from the
// providers registered under CERTIFICATE_PROVIDER, the last registered first.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { CERTIFICATE_PROVIDER, TLS_OPTIONS, type DependencyContainer } from '../../di/index.js';
import { Server } from '../../hosting/index.js';
import { checkTlsDefaults, type CertificateProvider, type CertificateRequest, type CertificateSource } from '../../protocols/tls/index.js';
import { CertDir, makeLeaf, type Pem } from '../support/tls-certificates.js';
import { httpsGet } from '../support/tls-server.js';
import { appContainer } from './support.js';

/** Hands out one in-memory certificate and remembers who asked. */
class MemoryCertificateProvider implements CertificateProvider {
  readonly name = 'memory';
  readonly asked: string[] = [];
  constructor(
    readonly pem: Pem | undefined,
    readonly only?: (request: CertificateRequest) => boolean,
  ) {}
  provide(request: CertificateRequest): CertificateSource | undefined {
    this.asked.push(request.url);
    if (this.pem === undefined || (this.only !== undefined && !this.only(request))) return undefined;
    return { cert: this.pem.cert, key: this.pem.key };
  }
}

/** A GET to the server's first endpoint over TCP, trusting `ca` for localhost. */
function getSecure(server: Server, ca: string, extra: { maxVersion?: 'TLSv1.2' } = {}): ReturnType<typeof httpsGet> {
  const { port } = server.endpoints[0] as { port: number };
  return httpsGet(`https://127.0.0.1:${port}/`, { ca, servername: 'localhost', ...extra });
}

async function startHttps(services: DependencyContainer, urls: string[]): Promise<Server> {
  const server = new Server(services);
  server.useHttp({ handle: (ex) => void ex.end('secure') });
  for (const url of urls) server.listen(url);
  await server.start();
  return server;
}

test('a provider registered after addTiercel serves https:// URLs; the development certificate is never made', async () => {
  const devDir = new CertDir();
  const leaf = await makeLeaf(['localhost', '127.0.0.1']);
  const services = appContainer({ env: { TIERCEL_DEV_CERT_DIR: devDir.path } });
  const provider = new MemoryCertificateProvider(leaf);
  services.register(CERTIFICATE_PROVIDER, { useValue: provider });
  const server = await startHttps(services, ['https://127.0.0.1:0']);
  try {
    const res = await getSecure(server, leaf.cert);
    assert.is(res.body, 'secure');
    assert.is(res.peer.fingerprint256, new (await import('node:crypto')).X509Certificate(leaf.cert).fingerprint256);
    assert.equal(provider.asked, [`https://127.0.0.1:0`]);
    assert.equal(readdirSync(devDir.path), [], 'the development provider was not asked');
  } finally {
    await server.stop(500);
    devDir.remove();
  }
});

test('a provider that passes (undefined) leaves the endpoint to the next; none left in production fails the start', async () => {
  const services = appContainer({ env: { NODE_ENV: 'production' } });
  const passing = new MemoryCertificateProvider(undefined);
  services.register(CERTIFICATE_PROVIDER, { useValue: passing });
  const server = new Server(services);
  server.useHttp({ handle: (ex) => void ex.end('x') });
  server.listen('https://127.0.0.1:0');
  const err = await server.start().then(
    () => ({ code: 'started', message: '' }),
    (e: { code?: string; message: string }) => e,
  );
  assert.is(err.code, 'ERR_TIERCEL_SERVER_STATE');
  assert.ok(err.message.includes('register a CERTIFICATE_PROVIDER'), err.message);
  assert.ok(err.message.includes('NODE_ENV=production'), err.message);
  assert.equal(passing.asked, ['https://127.0.0.1:0']);
});

test('providers are asked per endpoint, the last registered first', async () => {
  const leaf = await makeLeaf(['localhost', '127.0.0.1']);
  const other = await makeLeaf(['localhost', '127.0.0.1']);
  const services = appContainer({ env: { NODE_ENV: 'production' } });
  const fallback = new MemoryCertificateProvider(other);
  const memoryOnly = new MemoryCertificateProvider(leaf, (r) => r.endpoint.kind === 'memory');
  services.register(CERTIFICATE_PROVIDER, { useValue: fallback });
  services.register(CERTIFICATE_PROVIDER, { useValue: memoryOnly });
  const server = await startHttps(services, ['https://127.0.0.1:0', 'https://memory:secure']);
  try {
    assert.equal(memoryOnly.asked, ['https://127.0.0.1:0', 'https://memory:secure']);
    assert.equal(fallback.asked, ['https://127.0.0.1:0'], 'asked only where the later provider passed');
    const res = await getSecure(server, other.cert);
    assert.is(res.body, 'secure');
  } finally {
    await server.stop(500);
  }
});

test('a certificate in the tls options serves every HTTPS endpoint without asking a provider', async () => {
  const leaf = await makeLeaf(['localhost', '127.0.0.1']);
  const services = appContainer({ env: { NODE_ENV: 'production' }, tls: { certificate: { cert: leaf.cert, key: leaf.key }, minVersion: 'TLSv1.3' } });
  const provider = new MemoryCertificateProvider(undefined);
  services.register(CERTIFICATE_PROVIDER, { useValue: provider });
  const server = await startHttps(services, ['https://127.0.0.1:0']);
  try {
    assert.is((await getSecure(server, leaf.cert)).body, 'secure');
    assert.equal(provider.asked, []);
    // The server-wide minVersion applies too: a TLS 1.2 client is refused.
    const refused = await getSecure(server, leaf.cert, { maxVersion: 'TLSv1.2' }).then(
      () => 'served',
      () => 'refused',
    );
    assert.is(refused, 'refused');
  } finally {
    await server.stop(500);
  }
});

test('TLS_OPTIONS registered later replace those of addTiercel', async () => {
  const leaf = await makeLeaf(['localhost', '127.0.0.1']);
  const services = appContainer({ tls: { minVersion: 'TLSv1.3' } });
  services.register(TLS_OPTIONS, { useValue: checkTlsDefaults({ certificate: { cert: leaf.cert, key: leaf.key } }) });
  const server = await startHttps(services, ['https://127.0.0.1:0']);
  try {
    const res = await getSecure(server, leaf.cert, { maxVersion: 'TLSv1.2' });
    assert.is(res.body, 'secure', 'TLS 1.2 is served: the earlier minVersion is gone');
  } finally {
    await server.stop(500);
  }
});

test.run();
