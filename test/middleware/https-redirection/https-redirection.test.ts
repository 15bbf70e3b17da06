// HTTPS redirection and HSTS through the public API: the redirect over the in-memory transport,
// then a real server with an http and an https endpoint, followed by curl (HTTP/1.1) and a
// node:http2 client over TLS.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import net from 'node:net';
import { Server, TestServer } from '../../../hosting/index.js';
import { hsts, httpsRedirection, HttpsRedirectionConfigError, HSTS_DEFAULTS } from '../../../middleware/index.js';
import { ApplicationBuilder } from '../../../pipeline/index.js';
import { curl } from '../../support/clients.js';
import { CertDir, makeCa, makeLeaf } from '../../support/tls-certificates.js';

const ca = await makeCa('tiercel https-redirection test CA');
const leaf = await makeLeaf(['localhost', 'app.test'], { ca });
const dir = new CertDir();
const certificate = dir.writePem('leaf', leaf);
const caFile = dir.write('ca.crt', ca.cert);

function app(httpsPort?: number): ApplicationBuilder {
  return new ApplicationBuilder()
    .use(hsts({ maxAgeSeconds: 600, includeSubDomains: true }))
    .use(httpsRedirection(httpsPort === undefined ? {} : { httpsPort }))
    .run((ctx) => ctx.response.send(`secure ${ctx.request.path}${ctx.request.queryString}`));
}

test('http is redirected (307) to the same host, path and query on https; no HSTS over http', async () => {
  const ts = await TestServer.start(app(), { server: { logLevel: 'silent' } });
  try {
    const res = await ts.request({ path: '/a%20b/c?x=1&y=%2F', method: 'POST', body: 'kept' });
    assert.is(res.status, 307);
    assert.is(res.headers.location, 'https://tiercel.test/a%20b/c?x=1&y=%2F');
    assert.is(res.headers['strict-transport-security'], undefined);
    const ported = await ts.request({ path: '/p', headers: { host: 'example.com:8080' } });
    assert.is(ported.headers.location, 'https://example.com/p');
    const v6 = await ts.request({ path: '/p', headers: { host: '[::1]:8080' } });
    assert.is(v6.headers.location, 'https://[::1]/p');
    const absolute = await ts.request({ path: 'http://other.example:81/q?z=2' });
    assert.is(absolute.headers.location, 'https://other.example/q?z=2');
    const bare = await ts.request({ path: 'http://other.example?z=2' });
    assert.is(bare.headers.location, 'https://other.example/?z=2');
  } finally {
    await ts.stop();
  }
});

test('a status and port can be chosen', async () => {
  const ts = await TestServer.start(new ApplicationBuilder().use(httpsRedirection({ statusCode: 308, httpsPort: 8443 })), { server: { logLevel: 'silent' } });
  try {
    const res = await ts.request('/x');
    assert.is(res.status, 308);
    assert.is(res.headers.location, 'https://tiercel.test:8443/x');
  } finally {
    await ts.stop();
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

test('curl follows the redirect to the https endpoint, which sends HSTS; HTTP/2 over TLS too, except to localhost', async () => {
  const httpsPort = await freePort();
  const server = new Server({ logLevel: 'silent' });
  server.useHttp(app(httpsPort));
  server.listen('http://127.0.0.1:0');
  server.listen(`https://127.0.0.1:${httpsPort}`, (ep) => ep.useHttps({ certificate }));
  await server.start();
  const httpPort = (server.endpoints[0] as { port: number }).port;
  try {
    const res = await curl(['-sS', '-L', '-D', '-', '--cacert', caFile, '--resolve', `app.test:${httpPort}:127.0.0.1`, '--resolve', `app.test:${httpsPort}:127.0.0.1`, `http://app.test:${httpPort}/hello?x=1`]);
    const out = res.stdout.toString();
    assert.is(res.code, 0, res.stderr);
    assert.match(out, /^HTTP\/1\.1 307 /);
    assert.match(out, new RegExp(`\\r\\nlocation: https://app\\.test:${httpsPort}/hello\\?x=1\\r\\n`, 'i'));
    assert.match(out, /\r\n\r\nHTTP\/(1\.1|2) 200/);
    assert.match(out, /\r\nstrict-transport-security: max-age=600; includeSubDomains\r\n/i);
    assert.match(out, /secure \/hello\?x=1$/);
    const session = http2.connect(`https://127.0.0.1:${httpsPort}`, { ca: ca.cert, servername: 'app.test' });
    try {
      const sts = (authority: string): Promise<unknown> =>
        new Promise((resolve, reject) => {
          const req = session.request({ ':path': '/', ':authority': authority });
          req.on('response', (h) => resolve(h['strict-transport-security']));
          req.on('error', reject);
          req.resume();
        });
      assert.is(await sts(`app.test:${httpsPort}`), 'max-age=600; includeSubDomains');
      assert.is(await sts(`localhost:${httpsPort}`), undefined);
    } finally {
      session.close();
    }
  } finally {
    await server.stop(500);
  }
});

test('configuration errors are refused at once, with a code', () => {
  const bad: Array<() => unknown> = [
    () => httpsRedirection({ statusCode: 302 as never, port: 1 } as never),
    () => httpsRedirection({ statusCode: 303 as never }),
    () => httpsRedirection({ httpsPort: 70000 }),
    () => hsts({ maxAgeSeconds: -1 }),
    () => hsts({ preload: 'yes' as never }),
    () => hsts({ excludedHosts: 'localhost' as never }),
    () => hsts({ maxAge: 1 } as never),
  ];
  for (const make of bad) {
    try {
      make();
      assert.unreachable(String(make));
    } catch (err) {
      assert.instance(err, HttpsRedirectionConfigError);
      assert.is((err as HttpsRedirectionConfigError).code, 'ERR_TIERCEL_HTTPS_REDIRECTION_CONFIG');
    }
  }
  assert.is(HSTS_DEFAULTS.maxAgeSeconds, 2_592_000);
});

test.after(() => dir.remove());

test.run();
