// The demo app's operator routes (/whoami, /healthz, /readyz) over real TCP and TLS connections:
// what tiercel believes about a request is what the client did.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import https from 'node:https';
import http2 from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Server, TestServer } from '../../hosting/index.js';
import { demoApp } from '../../hosting/demo-app.js';
import { rawExchange, withAppServer } from '../support/app-server.js';
import { curl } from '../support/clients.js';
import { CertDir, makeCa, makeLeaf } from '../support/tls-certificates.js';

const ca = await makeCa('tiercel demo-app test CA');
const leaf = await makeLeaf(['localhost'], { ca });
const dir = new CertDir();
const certificate = dir.writePem('leaf', leaf);

async function withServer(https_: boolean, fn: (port: number) => Promise<void>): Promise<void> {
  const server = new Server({ logLevel: 'silent' });
  server.useHttp(demoApp());
  server.listen('http://127.0.0.1:0', (ep) => (https_ ? ep.useHttps({ certificate }) : ep));
  await server.start();
  try {
    await fn((server.endpoints[0] as { port: number }).port);
  } finally {
    await server.stop(500);
  }
}

interface Got {
  status: number;
  body: Record<string, unknown>;
  /** The client socket's own address and port, as the server should report them. */
  local: { address: string; port: number };
}

function get(port: number, path: string, secure: boolean): Promise<Got> {
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = { host: '127.0.0.1', port, path, agent: false, headers: { host: `localhost:${port}` } };
    if (secure) Object.assign(options, { servername: 'localhost', ca: ca.cert, ALPNProtocols: ['http/1.1'] });
    const req = (secure ? https : http).get(options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown>, local }));
    });
    let local = { address: '', port: 0 };
    req.on('socket', (s: Socket) => s.once(secure ? 'secureConnect' : 'connect', () => (local = { address: s.localAddress ?? '', port: s.localPort ?? 0 })));
    req.on('error', reject);
  });
}

test('/whoami over TCP: the client socket’s address and port, http, the Host header, HTTP/1.1, tcp, no TLS', () =>
  withServer(false, async (port) => {
    const { status, body, local } = await get(port, '/whoami', false);
    assert.is(status, 200);
    assert.equal(body, {
      remoteAddress: local.address,
      remotePort: local.port,
      scheme: 'http',
      host: `localhost:${port}`,
      protocol: 'HTTP/1.1',
      transport: 'tcp',
      tls: false,
      tlsVersion: null,
      alpnProtocol: null,
      pid: process.pid,
    });
    assert.is(local.address, '127.0.0.1');
  }));

test('/whoami over TLS: https, the TLS version and ALPN protocol, for HTTP/1.1 and HTTP/2', () =>
  withServer(true, async (port) => {
    const h1 = await get(port, '/whoami', true);
    assert.is(h1.status, 200);
    assert.equal(h1.body, {
      remoteAddress: h1.local.address,
      remotePort: h1.local.port,
      scheme: 'https',
      host: `localhost:${port}`,
      protocol: 'HTTP/1.1',
      transport: 'tcp',
      tls: true,
      tlsVersion: 'TLSv1.3',
      alpnProtocol: 'http/1.1',
      pid: process.pid,
    });
    const session = http2.connect(`https://localhost:${port}`, { ca: ca.cert, host: '127.0.0.1' });
    try {
      const local = await new Promise<AddressInfo>((resolve, reject) => {
        session.once('connect', () => resolve({ address: session.socket.localAddress ?? '', port: session.socket.localPort ?? 0, family: '' }));
        session.once('error', reject);
      });
      const body = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const req = session.request({ ':path': '/whoami' });
        let text = '';
        req.setEncoding('utf8');
        req.on('data', (d: string) => (text += d));
        req.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
        req.on('error', reject);
      });
      assert.equal(body, {
        remoteAddress: local.address,
        remotePort: local.port,
        scheme: 'https',
        host: `localhost:${port}`,
        protocol: 'HTTP/2',
        transport: 'tcp',
        tls: true,
        tlsVersion: 'TLSv1.3',
        alpnProtocol: 'h2',
        pid: process.pid,
      });
    } finally {
      session.close();
    }
  }));

test('/healthz and /readyz: 200 with the event-loop check; /whoami in memory names the memory transport', async () => {
  const ts = await TestServer.start(demoApp(), { server: { logLevel: 'silent' } });
  try {
    for (const path of ['/healthz', '/readyz']) {
      const res = await ts.request(path);
      assert.is(res.status, 200, path);
      assert.is((res.json() as { status: string }).status, 'healthy', path);
    }
    assert.equal(Object.keys((((await ts.request('/readyz')).json()) as { checks: object }).checks), ['event-loop']);
    const who = (await ts.request('/whoami')).json() as Record<string, unknown>;
    assert.is(who.transport, 'memory');
    assert.is(who.remoteAddress, null);
    assert.is(who.scheme, 'http');
    assert.is((await ts.request('/readyz/x')).status, 404);
  } finally {
    await ts.stop();
  }
});

test('/static/: index.html, files with their types, 301 from /static, 304 on a revalidation, 404 for a missing file', async () => {
  const ts = await TestServer.start(demoApp(), { server: { logLevel: 'silent' } });
  try {
    const index = await ts.request('/static/');
    assert.is(index.status, 200);
    assert.is(index.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(index.text(), '<h1>Static files</h1>');
    assert.is(index.text(), readFileSync(new URL('../../../hosting/demo-static/index.html', import.meta.url), 'utf8'));
    assert.is((await ts.request('/static/style.css')).headers['content-type'], 'text/css; charset=utf-8');
    assert.is((await ts.request('/static/app.js')).headers['content-type'], 'text/javascript; charset=utf-8');
    const redirect = await ts.request('/static');
    assert.is(redirect.status, 301);
    assert.is(redirect.headers.location, '/static/');
    assert.is((await ts.request({ path: '/static/index.html', headers: { 'if-none-match': index.headers.etag } })).status, 304);
    assert.is((await ts.request('/static/missing.txt')).status, 404);
    assert.is((await ts.request('/static/%2e%2e/demo-app.ts')).status, 404);
  } finally {
    await ts.stop();
  }
});

test('/big.json: about 16 KiB of JSON, br or gzip when accepted (vary: accept-encoding); /json and /plaintext are never compressed', async () => {
  const ts = await TestServer.start(demoApp(), { server: { logLevel: 'silent' } });
  try {
    const plain = await ts.request('/big.json');
    assert.is(plain.headers['content-encoding'], undefined);
    assert.is(plain.headers.vary, 'accept-encoding');
    assert.ok(plain.body.length >= 15 * 1024 && plain.body.length <= 17 * 1024, `${plain.body.length} bytes`);
    const doc = plain.json<{ count: number; items: unknown[] }>();
    assert.is(doc.items.length, doc.count);
    const br = await ts.request({ path: '/big.json', headers: { 'accept-encoding': 'gzip, br' } });
    assert.is(br.headers['content-encoding'], 'br');
    assert.ok(brotliDecompressSync(br.body).equals(plain.body));
    const gz = await ts.request({ path: '/big.json', headers: { 'accept-encoding': 'gzip' } });
    assert.ok(gunzipSync(gz.body).equals(plain.body));
    for (const path of ['/json', '/plaintext']) {
      const res = await ts.request({ path, headers: { 'accept-encoding': 'br, gzip' } });
      assert.is(res.headers['content-encoding'], undefined, path);
      assert.is(res.headers.vary, undefined, path);
    }
  } finally {
    await ts.stop();
  }
});

test('/early: a 103 with the stylesheet preload, then the page (HTTP/1.1 in memory; curl -v over HTTP/2)', async () => {
  const ts = await TestServer.start(demoApp(), { server: { logLevel: 'silent' } });
  try {
    const text = await rawExchange(ts, 'GET /early HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    assert.ok(text.startsWith('HTTP/1.1 103 Early Hints\r\nlink: </static/style.css>; rel=preload; as=style\r\n\r\nHTTP/1.1 200 OK\r\n'), text.slice(0, 120));
    assert.match(text, '<h1>103 Early Hints</h1>');
  } finally {
    await ts.stop();
  }
  await withAppServer(demoApp(), async (port) => {
    const res = await curl(['-sv', '--http2-prior-knowledge', `http://127.0.0.1:${port}/early`]);
    assert.match(res.stderr, '< HTTP/2 103');
    assert.match(res.stderr, '< link: </static/style.css>; rel=preload; as=style');
    assert.match(res.stdout.toString(), '<h1>103 Early Hints</h1>');
  });
});

test('/users/:id: {"id":…} for GET and HEAD, 405 with Allow for other methods; unknown paths stay 404', async () => {
  const ts = await TestServer.start(demoApp(), { server: { logLevel: 'silent' } });
  try {
    const res = await ts.request('/users/42');
    assert.is(res.status, 200);
    assert.equal(res.json(), { id: '42' });
    assert.is((await ts.request({ path: '/users/42', method: 'HEAD' })).status, 200);
    const wrong = await ts.request({ path: '/users/42', method: 'DELETE' });
    assert.is(wrong.status, 405);
    assert.is(wrong.headers.allow, 'GET, HEAD');
    assert.is((await ts.request('/users')).status, 404);
    assert.is((await ts.request('/nowhere')).status, 404);
  } finally {
    await ts.stop();
  }
});

test('/json allows any origin (preflight and actual request); without an Origin it is unchanged', async () => {
  const ts = await TestServer.start(demoApp(), { server: { logLevel: 'silent' } });
  try {
    const plain = await ts.request('/json');
    assert.is(plain.text(), '{"message":"Hello, World!"}');
    assert.is(plain.headers['access-control-allow-origin'], undefined);
    const cross = await ts.request({ path: '/json', headers: { origin: 'https://elsewhere.example' } });
    assert.is(cross.text(), '{"message":"Hello, World!"}');
    assert.is(cross.headers['access-control-allow-origin'], '*');
    const pre = await ts.request({ path: '/json', method: 'OPTIONS', headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'GET' } });
    assert.is(pre.status, 204);
    assert.is(pre.headers['access-control-allow-origin'], '*');
    assert.match(pre.headers['access-control-allow-methods'] ?? '', /GET/);
  } finally {
    await ts.stop();
  }
});

test('/limited: 10 requests per second per client over TCP, then 429 with Retry-After; another client is not affected', () =>
  withServer(false, async (port) => {
    const status = (localAddress: string): Promise<{ status: number; retryAfter: string | undefined }> =>
      new Promise((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/limited', localAddress, agent: false }, (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }));
          })
          .on('error', reject);
      });
    const first: number[] = [];
    for (let i = 0; i < 10; i++) first.push((await status('127.0.0.1')).status);
    const refused = await status('127.0.0.1');
    const other = await status('127.0.0.3');
    // The window is a second long: this can only fail if the 12 requests took over a second.
    assert.equal(first, Array(10).fill(200));
    assert.is(refused.status, 429);
    assert.is(refused.retryAfter, '1');
    assert.is(other.status, 200);
  }));

test.after(() => dir.remove());

test.run();
