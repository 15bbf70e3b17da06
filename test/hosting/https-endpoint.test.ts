// HTTPS through the hosting layer: `ep.useHttps()` with the endpoint's HTTP versions deciding
// ALPN, and what an app sees of TLS on `ctx.connection`.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import https from 'node:https';
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Server } from '../../hosting/index.js';
import { ApplicationBuilder } from '../../pipeline/index.js';
import { CertDir, makeCa, makeLeaf } from '../support/tls-certificates.js';

const ca = await makeCa('tiercel hosting test CA');
const leaf = await makeLeaf(['localhost'], { ca });
const dir = new CertDir();
const certificate = dir.writePem('leaf', leaf);

const app = new ApplicationBuilder().run((ctx) =>
  ctx.response.json({
    secure: ctx.connection.isSecure,
    alpn: ctx.connection.tls?.alpnProtocol ?? null,
    sni: ctx.connection.tls?.serverName ?? null,
    protocol: ctx.request.protocol,
  }),
);

async function start(configure: (s: Server) => void): Promise<{ server: Server; port: number }> {
  const server = new Server({ logLevel: 'silent' });
  server.useHttp(app);
  configure(server);
  await server.start();
  return { server, port: (server.endpoints[0] as { port: number }).port };
}

function getHttps(port: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = { host: '127.0.0.1', port, path: '/', servername: 'localhost', ca: ca.cert, agent: false };
    // node:https offers no ALPN by default; say http/1.1 as browsers and curl do.
    (options as { ALPNProtocols?: string[] }).ALPNProtocols = ['http/1.1'];
    https
      .get(options, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(JSON.parse(body) as Record<string, unknown>));
      })
      .on('error', reject);
  });
}

function getH2(port: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`https://localhost:${port}`, { ca: ca.cert });
    session.on('error', reject);
    const req = session.request({ ':path': '/' });
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      session.close();
      resolve(JSON.parse(body) as Record<string, unknown>);
    });
    req.on('error', reject);
  });
}

test('useHttps serves HTTP/1.1 and HTTP/2 by ALPN, and the app sees the TLS details', async () => {
  const { server, port } = await start((s) => s.listen('http://127.0.0.1:0', (ep) => ep.useHttps({ certificate })));
  try {
    assert.equal(server.urls, [`https://127.0.0.1:${port}`], 'useHttps makes the endpoint https');
    assert.equal(await getHttps(port), { secure: true, alpn: 'http/1.1', sni: 'localhost', protocol: 'HTTP/1.1' });
    assert.equal(await getH2(port), { secure: true, alpn: 'h2', sni: 'localhost', protocol: 'HTTP/2' });
  } finally {
    await server.stop(500);
  }
});

test("an HTTP/1-only endpoint does not offer h2 by ALPN", async () => {
  const { server, port } = await start((s) => s.listen('http://127.0.0.1:0', (ep) => ep.useProtocols('http1').useHttps({ certificate })));
  try {
    assert.equal(await getHttps(port), { secure: true, alpn: 'http/1.1', sni: 'localhost', protocol: 'HTTP/1.1' });
    await getH2(port).then(
      () => assert.unreachable('an h2-only client must not get HTTP/2 here'),
      (err: Error) => assert.ok(err instanceof Error),
    );
  } finally {
    await server.stop(500);
  }
});

test('a bad certificate fails start() with ERR_TIERCEL_CERTIFICATE_INVALID and binds nothing', async () => {
  const server = new Server({ logLevel: 'silent' });
  server.useHttp(app);
  server.listen('http://127.0.0.1:0', (ep) => ep.useHttps({ certificate: { cert: leaf.cert, key: ca.key } }));
  try {
    await server.start();
    assert.unreachable('start should fail');
  } catch (err) {
    assert.is((err as { code?: string }).code, 'ERR_TIERCEL_CERTIFICATE_INVALID');
  }
  assert.equal(server.endpoints, []);
});

test('useHttps checks its options when called: twice, or an unknown option, is ERR_TIERCEL_INVALID_OPTION', () => {
  const server = new Server({ logLevel: 'silent' });
  const invalid = (e: { code?: string }): boolean => e.code === 'ERR_TIERCEL_INVALID_OPTION';
  assert.throws(() => server.listen('http://127.0.0.1:0', (ep) => ep.useHttps({ certificate }).useHttps({ certificate })), invalid);
  assert.throws(() => server.listen('http://127.0.0.1:0', (ep) => ep.useHttps({ certificate, bogus: 1 } as never)), invalid);
  assert.throws(() => server.listen('http://127.0.0.1:0', (ep) => ep.useHttps({ certificate, handshakeTimeoutMs: -1 })), invalid);
});

test('useHttps() without a certificate gets the development certificate, except in production', async () => {
  const devDir = new CertDir();
  const saved = { dir: process.env.TIERCEL_DEV_CERT_DIR, env: process.env.NODE_ENV };
  process.env.TIERCEL_DEV_CERT_DIR = devDir.file('dev');
  try {
    const { server, port } = await start((s) => s.listen('http://127.0.0.1:0', (ep) => ep.useHttps({ handshakeTimeoutMs: 2_000 })));
    try {
      const dev = readFileSync(join(devDir.file('dev'), 'localhost.crt'));
      const body = await new Promise<string>((resolve, reject) =>
        https
          .get({ host: '127.0.0.1', port, path: '/', servername: 'localhost', ca: dev, agent: false }, (res) => {
            let text = '';
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve(text));
          })
          .on('error', reject),
      );
      assert.is((JSON.parse(body) as { secure: boolean }).secure, true);
    } finally {
      await server.stop(500);
    }
    process.env.NODE_ENV = 'production';
    const prod = new Server({ logLevel: 'silent' });
    prod.useHttp(app);
    prod.listen('https://127.0.0.1:0');
    await prod.start().then(
      () => assert.unreachable('production must not use the development certificate'),
      (err: { code?: string; message: string }) => {
        assert.is(err.code, 'ERR_TIERCEL_SERVER_STATE');
        assert.ok(err.message.includes('NODE_ENV=production'));
      },
    );
  } finally {
    if (saved.dir === undefined) delete process.env.TIERCEL_DEV_CERT_DIR;
    else process.env.TIERCEL_DEV_CERT_DIR = saved.dir;
    if (saved.env === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = saved.env;
  }
});

test('a cleartext connection reports no TLS', async () => {
  const { server, port } = await start((s) => s.listen('http://127.0.0.1:0'));
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(await res.json(), { secure: false, alpn: null, sni: null, protocol: 'HTTP/1.1' });
  } finally {
    await server.stop(500);
  }
});

test.run();
