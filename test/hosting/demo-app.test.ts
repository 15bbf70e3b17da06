// The demo app's operator routes (/whoami, /healthz, /readyz) over real TCP and TLS connections:
// what tiercel believes about a request is what the client did.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import https from 'node:https';
import http2 from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { Server, TestServer } from '../../hosting/index.js';
import { demoApp } from '../../hosting/demo-app.js';
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

test.after(() => dir.remove());

test.run();
