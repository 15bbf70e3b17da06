// 103 Early Hints through ctx.response.sendEarlyHints over both protocols: raw bytes over the
// in-memory transport (HTTP/1.1 and HTTP/1.0), node:http2 and curl -v over TCP.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import { TestServer } from '../../hosting/index.js';
import { ApplicationBuilder } from '../../pipeline/index.js';
import { withAppServer, rawExchange } from '../support/app-server.js';
import { curl } from '../support/clients.js';

const CSS = '</style.css>; rel=preload; as=style';
const JS = '</app.js>; rel=preload; as=script';

function app(): ApplicationBuilder {
  return new ApplicationBuilder().run(async (ctx) => {
    const { request, response } = ctx;
    switch (request.path) {
      case '/hints': {
        const first = response.sendEarlyHints([CSS, JS]);
        // Let the 103 leave on its own before the final response is written.
        await new Promise((resolve) => setImmediate(resolve));
        const second = response.sendEarlyHints(CSS);
        response.headers.set('link', CSS);
        response.send(`sent ${first} ${second}`);
        return;
      }
      case '/late': {
        response.headers.set('content-type', 'text/plain');
        await response.write('head gone ');
        response.end(`late ${response.sendEarlyHints(CSS)}`);
        return;
      }
      case '/empty':
        response.send(`empty ${response.sendEarlyHints([])}`);
        return;
      case '/bad':
        try {
          response.sendEarlyHints('</x>\r\nset-cookie: a=b');
          response.send('accepted');
        } catch (err) {
          response.send(`refused ${(err as { code?: string }).code}`);
        }
        return;
    }
  });
}

test('HTTP/1.1: each call is a 103 with its Link fields, before the final 200', async () => {
  const ts = await TestServer.start(app(), { server: { logLevel: 'silent' } });
  try {
    const text = await rawExchange(ts, 'GET /hints HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    const hints = `HTTP/1.1 103 Early Hints\r\nlink: ${CSS}\r\nlink: ${JS}\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: ${CSS}\r\n\r\n`;
    assert.ok(text.startsWith(hints), JSON.stringify(text.slice(0, 200)));
    assert.match(text.slice(hints.length), /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(text.endsWith('sent true true'));
  } finally {
    await ts.stop();
  }
});

test('HTTP/1.0: no 1xx (RFC 9110 §15.2), sendEarlyHints says false; after the head or with nothing, false too; CR/LF refused', async () => {
  const ts = await TestServer.start(app(), { server: { logLevel: 'silent' } });
  try {
    const text = await rawExchange(ts, 'GET /hints HTTP/1.0\r\nhost: x\r\n\r\n');
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.not.match(text, '103');
    assert.ok(text.endsWith('sent false false'));
    assert.is((await ts.request('/late')).text(), 'head gone late false');
    assert.is((await ts.request('/empty')).text(), 'empty false');
    assert.is((await ts.request('/bad')).text(), 'refused ERR_TIERCEL_INVALID_HEADER');
  } finally {
    await ts.stop();
  }
});

const withTcp = (fn: (port: number) => Promise<void>): Promise<void> => withAppServer(app(), fn);

test('HTTP/2: node:http2 sees the 103 HEADERS (with the links) before the response', () =>
  withTcp(async (port) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    try {
      const events: string[] = [];
      const body = await new Promise<string>((resolve, reject) => {
        const req = session.request({ ':path': '/hints' });
        req.on('headers', (h) => events.push(`${h[':status']} ${String(h.link)}`));
        req.on('response', (h) => events.push(`${h[':status']}`));
        let text = '';
        req.setEncoding('utf8');
        req.on('data', (d: string) => (text += d));
        req.on('end', () => resolve(text));
        req.on('error', reject);
      });
      assert.equal(events, [`103 ${CSS}, ${JS}`, `103 ${CSS}`, '200']);
      assert.is(body, 'sent true true');
    } finally {
      session.close();
    }
  }));

test('curl -v shows the 103 with its Link over HTTP/1.1 and over HTTP/2 (prior knowledge)', () =>
  withTcp(async (port) => {
    for (const [flag, version] of [['--http1.1', 'HTTP/1.1'], ['--http2-prior-knowledge', 'HTTP/2']]) {
      const res = await curl(['-sv', flag, `http://127.0.0.1:${port}/hints`]);
      assert.is(res.code, 0);
      const heads = res.stderr.split('\n').filter((l) => l.startsWith('< '));
      const first103 = heads.findIndex((l) => l.startsWith(`< ${version} 103`));
      const final = heads.findIndex((l) => l.startsWith(`< ${version} 200`));
      assert.ok(first103 >= 0 && final > first103, `${version}: ${heads.join(' | ')}`);
      assert.ok(heads.slice(first103, final).some((l) => l.toLowerCase().startsWith(`< link: ${CSS.toLowerCase()}`)), version);
      assert.is(res.stdout.toString(), 'sent true true');
    }
  }));

test.run();
