import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TestServer } from '../../../hosting/index.js';
import { HttpResponseTrailersFeature, HttpUpgradeFeature, type HttpApplication, type HttpExchange, type HttpOptions } from '../../../protocols/index.js';
import { readAll, readUntil, delay, closed } from '../../support/streams.js';

async function withServer(app: HttpApplication, fn: (ts: TestServer) => Promise<void>, http?: HttpOptions): Promise<void> {
  const ts = await TestServer.start(app, { http, server: { logLevel: 'silent' } });
  try {
    await fn(ts);
  } finally {
    await ts.stop(500);
  }
}

const echoBody: HttpApplication = {
  async handle(ex) {
    const parts: Buffer[] = [];
    for (let c = await ex.readBody(); c !== null; c = await ex.readBody()) parts.push(c);
    ex.end(Buffer.concat(parts));
  },
};

test('Expect: 100-continue is answered only when the app reads the body', () =>
  withServer(echoBody, async (ts) => {
    const c = ts.connect();
    c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    const interim = await readUntil(c, (t) => t.includes('\r\n\r\n'));
    assert.is(interim, 'HTTP/1.1 100 Continue\r\n\r\n');
    c.write('hello');
    const text = await readUntil(c, (t) => t.endsWith('hello'));
    assert.ok(text.startsWith('HTTP/1.1 200 OK'));
    c.destroy();
  }));

test('without a body read, no 100 Continue is sent and the connection closes after the response', () =>
  withServer({ handle: (ex) => ex.end('no thanks') }, async (ts) => {
    const c = ts.connect();
    c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    const text = await readAll(c);
    assert.not.ok(text.includes('100 Continue'));
    assert.ok(text.includes('connection: close'));
    assert.ok(text.endsWith('no thanks'));
  }));

test('HEAD gets the headers with content-length and no body', () =>
  withServer({ handle: (ex) => ex.end('twelve bytes') }, async (ts) => {
    const c = ts.connect();
    c.write('HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const text = await readAll(c);
    const [head, rest] = [text.slice(0, text.indexOf('\r\n\r\n') + 4), text.slice(text.indexOf('\r\n\r\n') + 4)];
    assert.ok(head.includes('content-length: 12\r\n'));
    assert.ok(rest.startsWith('HTTP/1.1 200 OK'), 'the next response follows the HEAD head directly');
    assert.ok(rest.endsWith('twelve bytes'));
  }));

test('204 and 304 carry no body and no framing headers', () =>
  withServer(
    {
      handle(ex) {
        ex.statusCode = ex.target === '/204' ? 204 : 304;
        ex.end();
      },
    },
    async (ts) => {
      const c = ts.connect();
      c.write('GET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /304 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      const text = await readAll(c);
      assert.ok(text.startsWith('HTTP/1.1 204 No Content\r\n'));
      assert.ok(text.includes('HTTP/1.1 304 Not Modified\r\n'));
      assert.not.ok(text.includes('content-length'));
      assert.not.ok(text.includes('transfer-encoding'));
    },
  ));

test('HTTP/1.0 closes by default and keeps alive only when asked', () =>
  withServer({ handle: (ex) => ex.end('x') }, async (ts) => {
    const a = ts.connect();
    a.write('GET / HTTP/1.0\r\n\r\n');
    const one = await readAll(a);
    assert.ok(one.includes('connection: close'));
    const b = ts.connect();
    b.write('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n');
    const two = await readAll(b);
    assert.ok(two.includes('connection: keep-alive'));
    assert.is(two.split('HTTP/1.1 200 OK').length, 3, 'two responses on one connection');
  }));

test('HTTP/1.0 streaming response is delimited by the close', () =>
  withServer(
    {
      handle(ex) {
        ex.write('a');
        ex.write('b');
        ex.end();
      },
    },
    async (ts) => {
      const c = ts.connect();
      c.write('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
      const text = await readAll(c);
      assert.not.ok(text.includes('transfer-encoding'));
      assert.ok(text.includes('connection: close'));
      assert.ok(text.endsWith('\r\n\r\nab'));
    },
  ));

test('streamed HTTP/1.1 responses are chunked, with trailers', () =>
  withServer(
    {
      handle(ex) {
        ex.write('hello ');
        ex.write(Buffer.from('wörld'));
        ex.feature(HttpResponseTrailersFeature)!.responseTrailers.set('x-checksum', 'abc');
        ex.end();
      },
    },
    async (ts) => {
      const c = ts.connect();
      c.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      const text = await readAll(c);
      assert.ok(text.includes('transfer-encoding: chunked\r\n'));
      assert.ok(text.endsWith('\r\n\r\n6\r\nhello \r\n6\r\nw\u00c3\u00b6rld\r\n0\r\nx-checksum: abc\r\n\r\n'), JSON.stringify(text));
    },
  ));

test('headers with CR, LF or NUL are refused when the app sets them (response splitting)', () =>
  withServer(
    {
      handle(ex) {
        const errors: string[] = [];
        for (const [n, v] of [['x-a', 'a\r\nSet-Cookie: evil=1'], ['x-b', 'b\nc'], ['x-c', 'nul\0'], ['bad name', 'v'], ['x-d\r\n', 'v']]) {
          try {
            ex.responseHeaders.set(n, v);
          } catch (err) {
            errors.push((err as { code: string }).code);
          }
        }
        ex.end(errors.join(','));
      },
    },
    async (ts) => {
      const res = await ts.fetch('/');
      assert.is(await res.text(), Array(5).fill('ERR_TIERCEL_INVALID_HEADER').join(','));
      assert.is(res.headers.get('set-cookie'), null);
    },
  ));

test('a content-length the app sets wrong (not digits, or set twice) is refused when the head is written', () =>
  withServer(
    {
      handle(ex) {
        const url = new URL(ex.target, 'http://x');
        const v = url.searchParams.get('v') ?? '';
        ex.responseHeaders.set('content-length', v);
        if (url.searchParams.has('twice')) ex.responseHeaders.append('content-length', v);
        try {
          ex.end('ok');
        } catch (err) {
          ex.responseHeaders.delete('content-length');
          ex.statusCode = 500;
          ex.end((err as { code: string }).code);
        }
      },
    },
    async (ts) => {
      for (const q of ['v=abc', 'v=-1', 'v=2&twice=1', 'v=1234567890123456']) {
        const res = await ts.fetch(`/?${q}`);
        assert.is(res.status, 500, q);
        assert.is(await res.text(), 'ERR_TIERCEL_INVALID_HEADER', q);
      }
      const ok = await ts.fetch('/?v=2');
      assert.is(ok.headers.get('content-length'), '2');
      assert.is(await ok.text(), 'ok');
    },
  ));

test('on one keep-alive connection every response gets its own head: fields, status, length and date', () =>
  withServer(
    {
      handle(ex) {
        const path = ex.target;
        if (path === '/a') ex.responseHeaders.set('x-route', 'a');
        if (path === '/b') ex.responseHeaders.set('x-route', 'b');
        if (path === '/teapot') ex.statusCode = 418;
        ex.end(path === '/long' ? 'hello, world' : 'hello');
      },
    },
    async (ts) => {
      const c = ts.connect();
      const ask = async (path: string): Promise<string> => {
        c.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
        const text = await readUntil(c, (t) => /\r\n\r\nhello(, world)?$/.test(t));
        return text.slice(0, text.indexOf('\r\n\r\n'));
      };
      assert.match(await ask('/a'), /x-route: a/);
      assert.match(await ask('/b'), /x-route: b/);
      assert.match(await ask('/a'), /x-route: a/);
      assert.match(await ask('/teapot'), /^HTTP\/1\.1 418 /);
      const plain = await ask('/plain');
      assert.match(plain, /^HTTP\/1\.1 200 /);
      assert.not.match(plain, /x-route/);
      assert.match(await ask('/long'), /content-length: 12/);
      // The cached date line moves on with the clock, on the same connection too.
      const dateOf = (head: string): string => /date: ([^\r]+)/.exec(head)![1];
      const before = dateOf(await ask('/plain'));
      await delay(1_100);
      assert.is.not(dateOf(await ask('/plain')), before);
      c.destroy();
    },
  ));

test('a body that does not match the content-length the app declared aborts the connection: never a lying response', () => {
  const errors: string[] = [];
  return withServer(
    {
      handle(ex) {
        const declared = ex.target === '/more' ? 2 : 10;
        ex.responseHeaders.set('content-length', declared);
        try {
          ex.end('hello');
        } catch (err) {
          errors.push((err as { code: string }).code);
          throw err;
        }
      },
    },
    async (ts) => {
      for (const path of ['/more', '/less']) {
        const c = ts.connect();
        c.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
        const text = await readAll(c, 5_000);
        const body = text.slice(text.indexOf('\r\n\r\n') + 4);
        const declared = Number(/content-length: (\d+)/.exec(text)?.[1]);
        // Whatever left before the close, the client can tell it is not a whole response.
        assert.ok(body.length !== declared || !text.startsWith('HTTP/1.1 200'), `${path}: ${JSON.stringify(text)}`);
        assert.ok(c.destroyed || c.readableEnded, path);
      }
      assert.equal(errors, ['ERR_TIERCEL_CONTENT_LENGTH_MISMATCH']);
    },
  );
});

test('headers cannot change after they are sent', () =>
  withServer(
    {
      handle(ex) {
        ex.write('x');
        try {
          ex.responseHeaders.set('x-late', '1');
        } catch (err) {
          ex.end((err as { code: string }).code);
        }
      },
    },
    async (ts) => {
      assert.ok((await (await ts.fetch('/')).text()).endsWith('ERR_TIERCEL_HEADERS_SENT'));
    },
  ));

test('the Server header can be renamed or turned off; a bad one is refused', async () => {
  await withServer({ handle: (ex) => ex.end() }, async (ts) => {
    assert.is((await ts.fetch('/')).headers.get('server'), null);
  }, { serverHeader: false });
  await withServer({ handle: (ex) => ex.end() }, async (ts) => {
    assert.is((await ts.fetch('/')).headers.get('server'), 'edge/2');
  }, { serverHeader: 'edge/2' });
  try {
    await TestServer.start({ handle: (ex) => ex.end() }, { http: { serverHeader: 'a\r\nb' } });
    assert.unreachable();
  } catch (err) {
    assert.is((err as { code: string }).code, 'ERR_TIERCEL_INVALID_OPTION');
  }
});

test('a missing Host in HTTP/1.1 is a 400', () =>
  withServer({ handle: (ex) => ex.end('x') }, async (ts) => {
    const c = ts.connect();
    c.write('GET / HTTP/1.1\r\n\r\n');
    assert.ok((await readAll(c)).startsWith('HTTP/1.1 400 '));
  }));

test('an Upgrade request can be taken over with the bytes already read', () =>
  withServer(
    {
      handle(ex: HttpExchange) {
        const upgrade = ex.feature(HttpUpgradeFeature)!;
        if (!upgrade.isUpgradableRequest) return void ex.end('plain');
        ex.responseHeaders.set('x-switched', 'yes');
        // The protocol answers the 101 itself, with the headers set so far.
        const { transport, head } = upgrade.upgrade();
        transport.write(`early:${head.toString()};`);
        transport.on('data', (d: Buffer) => transport.write(d.toString().toUpperCase()));
        transport.resume();
      },
    },
    async (ts) => {
      const c = ts.connect();
      c.write('GET /chat HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nfirst');
      const first = await readUntil(c, (t) => t.includes('early:first;'));
      assert.ok(first.startsWith('HTTP/1.1 101 Switching Protocols\r\n'), first);
      const head = first.slice(0, first.indexOf('\r\n\r\n')).toLowerCase();
      for (const field of ['x-switched: yes', 'upgrade: echo', 'connection: upgrade']) assert.ok(head.includes(field), head);
      assert.not.ok(head.includes('content-length') || head.includes('transfer-encoding'), 'a 101 has no body framing');
      c.write('more');
      assert.is(await readUntil(c, (t) => t.includes('MORE')), 'MORE');
      c.destroy();
    },
  ));

test('CONNECT is handed off too; an upgrade answered normally closes the connection', () =>
  withServer(
    {
      handle(ex) {
        if (ex.method === 'CONNECT') {
          // The protocol answers 200 and hands over the tunnel.
          const { transport } = ex.feature(HttpUpgradeFeature)!.upgrade();
          transport.end('tunnel');
          return;
        }
        ex.end('declined');
      },
    },
    async (ts) => {
      const a = ts.connect();
      a.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
      const tunnel = await readAll(a);
      assert.ok(tunnel.startsWith('HTTP/1.1 200 OK\r\n') && tunnel.endsWith('\r\n\r\ntunnel'), tunnel);
      assert.not.ok(tunnel.toLowerCase().includes('content-length'), 'a 2xx to CONNECT has no framing (RFC 9110 §9.3.6)');
      const b = ts.connect();
      b.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n');
      const text = await readAll(b);
      assert.ok(text.includes('connection: close'));
      assert.is(text.split('declined').length, 2, 'the bytes after an upgrade request are not parsed as HTTP');
    },
  ));

test('an app error before the response starts is a 500; after it, the connection is aborted', () =>
  withServer(
    {
      handle(ex) {
        if (ex.target === '/late') {
          ex.write('partial');
          throw new Error('boom');
        }
        throw new Error('secret detail');
      },
    },
    async (ts) => {
      const res = await ts.fetch('/early');
      assert.is(res.status, 500);
      assert.not.ok((await res.text()).includes('secret'));
      const c = ts.connect();
      c.write('GET /late HTTP/1.1\r\nHost: x\r\n\r\n');
      const text = await readAll(c);
      assert.ok(text.includes('partial'));
      assert.not.ok(text.endsWith('0\r\n\r\n'), 'the chunked body was not completed');
    },
  ));

test('a response shorter than its content-length aborts the connection', () =>
  withServer(
    {
      handle(ex) {
        ex.responseHeaders.set('content-length', 10);
        ex.write('12345');
        ex.end();
      },
    },
    async (ts) => {
      const c = ts.connect();
      c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await closed(c);
    },
  ));

test('the exchange signal fires when the client goes away mid-request', async () => {
  let fired = false;
  await withServer(
    {
      async handle(ex) {
        await new Promise<void>((r) => ex.aborted.addEventListener('abort', () => r()));
        fired = true;
      },
    },
    async (ts) => {
      const c = ts.connect();
      c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await delay(20);
      // Going away is a reset: a FIN alone would be a half-close, after which the request is still answered.
      c.resetAndDestroy();
      for (let i = 0; i < 50 && !fired; i++) await delay(10);
      assert.ok(fired);
    },
  );
});

test('Date is sent on every response and is a valid IMF-fixdate', () =>
  withServer({ handle: (ex) => ex.end() }, async (ts) => {
    const date = (await ts.fetch('/')).headers.get('date')!;
    assert.match(date, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    assert.ok(Math.abs(Date.parse(date) - Date.now()) < 2_000);
  }));

test('an unknown method gets 501 unless the app lists it in extraMethods', async () => {
  const app: HttpApplication = { handle: (ex) => ex.end(ex.method) };
  await withServer(app, async (ts) => {
    const c = ts.connect();
    c.write('BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.ok((await readAll(c)).startsWith('HTTP/1.1 501 Not Implemented\r\n'));
  });
  await withServer(app, async (ts) => {
    assert.is(await (await ts.fetch('/pot', { method: 'BREW' })).text(), 'BREW');
  }, { extraMethods: ['BREW'] });
  try {
    await TestServer.start(app, { http: { extraMethods: ['NOT A TOKEN'] } });
    assert.unreachable();
  } catch (err) {
    assert.is((err as { code: string }).code, 'ERR_TIERCEL_INVALID_OPTION');
  }
});

test('an Expect other than 100-continue gets 417', () =>
  withServer({ handle: (ex) => ex.end('x') }, async (ts) => {
    const c = ts.connect();
    c.write('POST / HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\nhi');
    assert.ok((await readAll(c)).startsWith('HTTP/1.1 417 Expectation Failed\r\n'));
  }));

test('maxConcurrentUpgradedConnections: an upgrade over the limit gets 503 before anything is sent', () =>
  withServer(
    {
      handle(ex) {
        try {
          const { transport } = ex.feature(HttpUpgradeFeature)!.upgrade();
          transport.resume();
        } catch (err) {
          ex.statusCode = (err as { status: number }).status;
          ex.end((err as { code: string }).code);
        }
      },
    },
    async (ts) => {
      const req = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: Chat\r\n\r\n';
      const first = ts.connect();
      first.write(req);
      assert.ok((await readUntil(first, (t) => t.includes('\r\n\r\n'))).includes('upgrade: chat'), 'upgradeProtocol is lower-cased');
      const second = ts.connect();
      second.write(req);
      const refused = await readAll(second);
      assert.ok(refused.startsWith('HTTP/1.1 503 '), refused);
      assert.ok(refused.endsWith('ERR_TIERCEL_TOO_MANY_UPGRADES'));
      first.resetAndDestroy(); // the upgraded stream is the app's: only an abort closes it without the app
      await delay(20);
      const third = ts.connect();
      third.write(req);
      assert.ok((await readUntil(third, (t) => t.includes('\r\n\r\n'))).startsWith('HTTP/1.1 101'), 'the slot is free again');
      third.destroy();
    },
    { limits: { maxConcurrentUpgradedConnections: 1 } },
  ));

test.run();
