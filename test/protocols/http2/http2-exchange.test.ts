// HTTP/2 through tiercel with Node's http2 client, over the in-memory transport and TCP: the
// exchange contract (bodies, trailers, HEAD/204, limits, resets, upgrades) and one app served
// identically over HTTP/1.1 and HTTP/2.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import http2 from 'node:http2';
import net from 'node:net';
import { request as undiciRequest, Client } from 'undici';
import { ApplicationBuilder } from '../../../pipeline/index.js';
import { Server } from '../../../hosting/index.js';
import { resolveHttpOptions } from '../../../protocols/index.js';
import { eventually } from '../../support/real-server.js';
import { delay, readAll } from '../../support/streams.js';
import { errorCodeOf } from '../../support/errors.js';
import { get, request, startH2, withServer, type H2Harness } from './h2-support.js';
import { invalidHosts, validHosts } from '../http1/request-rules.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

for (const via of ['memory', 'tcp'] as const) {
  const connect = (h: H2Harness) => (via === 'memory' ? h.connectMemory() : h.connectTcp());

  test(`${via}: GET answers over HTTP/2 with content-length, server header and protocol 'HTTP/2'`, () =>
    withServer(async (h) => {
      const s = connect(h);
      const r = await get(s, '/hello');
      assert.is(r.status, 200);
      assert.is(r.body.toString(), 'hello');
      assert.is(r.headers['content-length'], '5');
      assert.is(r.headers['content-type'], 'text/plain');
      assert.is(r.headers.server, 'tiercel');
      assert.ok(r.headers.date);
      assert.is((await get(s, '/proto')).body.toString(), 'HTTP/2');
      assert.equal(h.seen.protocols, ['HTTP/2', 'HTTP/2']);
    }));

  test(`${via}: a 1 MiB POST is echoed back byte for byte and hashed the same`, () =>
    withServer(async (h) => {
      const s = connect(h);
      const body = randomBytes(1024 * 1024 + 77);
      const echo = await request(s, { ':method': 'POST', ':path': '/echo' }, body);
      assert.is(echo.status, 200);
      assert.is(echo.body.length, body.length);
      assert.is(sha(echo.body), sha(body));
      const hashed = await request(s, { ':method': 'POST', ':path': '/sha', 'content-length': body.length }, body);
      assert.is(hashed.body.toString(), `${sha(body)} ${body.length}`);
    }));
}

test(':authority is presented as the host header; pseudo-headers are not headers', () =>
  withServer(async (h) => {
    const s = h.connectMemory();
    // Node's client sends `:authority: tiercel.test:80`.
    const authority = (await get(s, '/host')).body.toString();
    assert.match(authority, /^tiercel\.test(:80)?$/);
    // A host field naming the same authority is fine (compared without regard to case).
    const both = await get(s, '/host', { ':authority': 'tiercel.test', host: 'TIERCEL.test' });
    assert.is(both.body.toString(), 'TIERCEL.test');
  }));

test('a bad :authority or host, or a host that differs from :authority, is a 400 on the stream (RFC 9113 §8.3.1)', () =>
  withServer(async (h) => {
    const s = h.connectMemory();
    // Node's client sends no :authority when a host header is given, so both are set where both
    // are meant; a value with a space or a slash never gets here (nghttp2 resets that stream).
    for (const extra of [{ ':authority': 'tiercel.test', host: 'other.example' }, { ':authority': 'user@tiercel.test' }, { host: 'tiercel.test:8o' }, { ':authority': 'tiercel.test:8o' }]) {
      const r = await get(s, '/host', extra);
      assert.is(r.status, 400, JSON.stringify(extra));
    }
    // The refusals reached neither the app nor the connection: the next request is served.
    assert.is((await get(s, '/hello')).status, 200);
    assert.equal(h.seen.hosts.length, 0);
  }));

test(':authority follows the same RFC 3986 host[:port] rule as HTTP/1.1 Host (one shared check)', () =>
  withServer(async (h) => {
    const s = h.connectMemory();
    // nghttp2 resets a stream whose :authority holds a byte outside RFC 3986's authority set
    // before tiercel sees it; every other invalid value must reach the shared check and get 400.
    const authorityByte = (c: string): boolean => /[A-Za-z0-9\-._~!$&'()*+,;=%:@[\]]/.test(c);
    const invalid = invalidHosts.filter((v) => [...v].every(authorityByte));
    assert.ok(invalid.length > 40, `${invalid.length} values reach the check`);
    for (const authority of invalid) assert.is((await get(s, '/host', { ':authority': authority })).status, 400, authority);
    assert.equal(h.seen.hosts.length, 0);
    for (const authority of validHosts.filter((v) => v !== '')) {
      const r = await get(s, '/host', { ':authority': authority });
      assert.is(r.status, 200, authority);
      assert.is(r.body.toString(), authority);
    }
  }));

test('a content-length the app sets wrong is refused when the head is written: 500 instead of a lying response', () =>
  withServer(async (h) => {
    const s = h.connectMemory();
    for (const path of ['/bad-length?v=abc', '/bad-length?v=-1', '/bad-length?v=5&twice=1']) {
      const r = await get(s, path);
      assert.is(r.status, 500, path);
      assert.is(r.headers['content-length'], '0', path);
    }
    assert.is((await get(s, '/bad-length?v=2')).body.toString(), 'ok');
  }));

test('a streamed response arrives whole, in order, without content-length', () =>
  withServer(async (h) => {
    const r = await get(h.connectMemory(), '/stream?n=50&size=1000');
    assert.is(r.status, 200);
    assert.is(r.headers['content-length'], undefined);
    let expected = '';
    for (let i = 0; i < 50; i++) expected += String.fromCharCode(97 + (i % 26)).repeat(1000);
    assert.is(r.body.toString(), expected);
  }));

test('a response carries only the fields it has: no content-type the app did not set, no content-length on a streamed body', () =>
  withServer(async (h) => {
    const s = h.connectMemory();
    const plain = await get(s, '/proto');
    assert.is(plain.body.toString(), 'HTTP/2');
    assert.equal(Object.keys(plain.headers).filter((k) => !k.startsWith(':')).sort(), ['content-length', 'date', 'server']);
    assert.is(plain.headers['content-length'], '6');
    const streamed = await get(s, '/stream?n=2&size=3');
    assert.equal(Object.keys(streamed.headers).filter((k) => !k.startsWith(':')).sort(), ['date', 'server']);
    const typed = await get(s, '/hello');
    assert.equal(Object.keys(typed.headers).filter((k) => !k.startsWith(':')).sort(), ['content-length', 'content-type', 'date', 'server']);
    for (const r of [plain, streamed, typed]) for (const v of Object.values(r.headers)) assert.not.equal(v, 'undefined');
  }));

test('trailers both ways: request trailers reach the app, response trailers reach the client', () =>
  withServer(async (h) => {
    const body = Buffer.from('some body');
    const r = await request(h.connectMemory(), { ':method': 'POST', ':path': '/trailers' }, undefined, { 'x-client-sum': 'abc' });
    assert.is(r.status, 200);
    assert.is(r.body.toString(), 'got 0');
    assert.is(r.trailers?.['x-count'], '1');
    assert.is(r.trailers?.['x-sha'], sha(Buffer.alloc(0)));
    assert.equal(h.seen.requestTrailers, [{ 'x-client-sum': 'abc' }]);
    // And with a body before the trailers.
    const s = h.connectMemory();
    const r2 = await new Promise<{ trailers: http2.IncomingHttpHeaders | undefined; text: string }>((resolve, reject) => {
      const req = s.request({ ':method': 'POST', ':path': '/trailers' }, { waitForTrailers: true });
      req.on('wantTrailers', () => req.sendTrailers({ 'x-client-sum': 'def' }));
      let trailers: http2.IncomingHttpHeaders | undefined;
      let text = '';
      req.on('trailers', (t) => (trailers = t));
      req.on('data', (d) => (text += d));
      req.on('end', () => resolve({ trailers, text }));
      req.on('error', reject);
      req.end(body);
    });
    assert.is(r2.text, `got ${body.length}`);
    assert.is(r2.trailers?.['x-sha'], sha(body));
    assert.equal(h.seen.requestTrailers[1], { 'x-client-sum': 'def' });
  }));

test('HEAD gets the headers (content-length included) and no body; 204 and 304 get no body', () =>
  withServer(async (h) => {
    const s = h.connectMemory();
    const head = await get(s, '/hello', { ':method': 'HEAD' });
    assert.is(head.status, 200);
    assert.is(head.headers['content-length'], '5');
    assert.is(head.body.length, 0);
    const noContent = await get(s, '/status/204');
    assert.is(noContent.status, 204);
    assert.is(noContent.body.length, 0);
    assert.is(noContent.headers['content-length'], undefined);
    const notModified = await get(s, '/status/304');
    assert.is(notModified.status, 304);
    assert.is(notModified.body.length, 0);
  }));

test('413: a declared content-length over maxRequestBodySize, and an undeclared body that grows past it', () =>
  withServer(
    async (h) => {
      const s = h.connectMemory();
      const big = randomBytes(200_000);
      const declared = await request(s, { ':method': 'POST', ':path': '/sha', 'content-length': big.length }, big);
      assert.is(declared.status, 413);
      const streamed = await request(s, { ':method': 'POST', ':path': '/sha' }, big);
      assert.is(streamed.status, 413);
      assert.equal(h.seen.bodyErrors, ['ERR_TIERCEL_BODY_TOO_LARGE', 'ERR_TIERCEL_BODY_TOO_LARGE']);
      // The session is still good.
      assert.is((await get(s, '/hello')).body.toString(), 'hello');
    },
    { http: { limits: { maxRequestBodySize: 100_000 } } },
  ));

test('431: too many header fields, or too many header bytes, are answered 431 on the stream', () =>
  withServer(
    async (h) => {
      const s = h.connectMemory();
      const many: Record<string, string> = { ':path': '/hello' };
      for (let i = 0; i < 11; i++) many[`x-h${i}`] = 'v';
      assert.is((await request(s, many)).status, 431);
      assert.is((await get(s, '/hello', { 'x-big': 'a'.repeat(1500) })).status, 431);
      assert.is((await get(s, '/hello', { 'x-small': 'a'.repeat(100) })).status, 200);
      assert.is(h.seen.requests.length, 1);
    },
    { http: { limits: { maxRequestHeaderCount: 10, maxRequestHeadersTotalSize: 1024 } } },
  ));

test('431: a single field over http2.maxRequestHeaderFieldSize', () =>
  withServer(
    async (h) => {
      const s = h.connectMemory();
      assert.is((await get(s, '/hello', { 'x-big': 'a'.repeat(600) })).status, 431);
      assert.is((await get(s, '/hello', { 'x-ok': 'a'.repeat(400) })).status, 200);
    },
    { http: { http2: { maxRequestHeaderFieldSize: 512 } } },
  ));

test('many concurrent streams on one session: waves of maxStreamsPerConnection (100) streams in flight at once', () =>
  withServer(async (h) => {
    const s = h.connectMemory();
    await new Promise((r) => s.once('remoteSettings', r));
    assert.is(s.remoteSettings.maxConcurrentStreams, 100);
    // Each wave is in flight together (every handler waits 20-40 ms). Not more than 100 at once:
    // node:http2 frees a finished stream's slot a tick after its END_STREAM, and a client that
    // reuses the slot at once can meet RST_STREAM(ENHANCE_YOUR_CALM) — a node:http2 race, not ours.
    for (let wave = 0; wave < 3; wave++) {
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => get(s, `/slow?ms=${20 + (i % 20)}`)));
      assert.ok(results.every((r) => r.status === 200 && r.body.toString() === 'slow'));
    }
    assert.is(h.seen.requests.length, 300);
  }));

// Any code but NO_ERROR and CANCEL makes node:http2 emit 'error' on the server's stream too:
// unheard, it would be thrown and take the process down.
for (const [name, code] of [['CANCEL', http2.constants.NGHTTP2_CANCEL], ['INTERNAL_ERROR', http2.constants.NGHTTP2_INTERNAL_ERROR]] as const) {
  test(`a stream reset by the client (${name}) fires the exchange's aborted signal and fails only that request`, () =>
    withServer(async (h) => {
      const s = h.connectTcp();
      const req = s.request({ ':path': '/hang' });
      req.on('error', () => {});
      await eventually('the app got the request', () => h.seen.requests.includes('GET /hang'));
      req.close(code);
      await eventually('aborted fired', () => h.seen.aborted.includes('/hang'));
      assert.is((await get(s, '/hello')).status, 200);
    }));
}

test('an unknown method gets 501 over HTTP/2 too, unless listed in extraMethods', async () => {
  await withServer(async (h) => {
    const s = h.connectMemory();
    assert.is((await request(s, { ':method': 'BREW', ':path': '/pot' })).status, 501);
    assert.ok(!h.seen.requests.some((r) => r.startsWith('BREW')), 'the app never saw it');
    assert.is((await get(s, '/hello')).status, 200, 'the session goes on');
  });
  await withServer(
    async (h) => {
      const s = h.connectMemory();
      assert.is((await request(s, { ':method': 'BREW', ':path': '/hello' })).status, 200);
      assert.ok(h.seen.requests.includes('BREW /hello'), 'the app served it');
    },
    { http: { extraMethods: ['BREW'] } },
  );
});

test('extended CONNECT (RFC 8441): upgrade() answers 200 and hands over the stream as the transport', () =>
  withServer(async (h) => {
    const s = h.connectMemory();
    await new Promise<void>((r) => (s.remoteSettings.enableConnectProtocol ? r() : s.once('remoteSettings', () => r())));
    assert.is(s.remoteSettings.enableConnectProtocol, true);
    const req = s.request({ ':method': 'CONNECT', ':protocol': 'websocket', ':path': '/connect', ':scheme': 'http', ':authority': 'tiercel.test' });
    const [headers] = (await new Promise((resolve, reject) => {
      req.once('response', (hd) => resolve([hd]));
      req.once('error', reject);
    })) as [http2.IncomingHttpHeaders];
    assert.is(headers[':status'], 200);
    req.write('ping over the tunnel');
    const echoed = await new Promise<string>((resolve) => req.once('data', (d: Buffer) => resolve(d.toString())));
    assert.is(echoed, 'ping over the tunnel');
    req.end();
  }));

test('extended CONNECT over maxConcurrentUpgradedConnections is answered 503', () =>
  withServer(
    async (h) => {
      const s = h.connectMemory();
      await new Promise<void>((r) => (s.remoteSettings.enableConnectProtocol ? r() : s.once('remoteSettings', () => r())));
      const open = () => s.request({ ':method': 'CONNECT', ':protocol': 'websocket', ':path': '/connect', ':scheme': 'http', ':authority': 'x' });
      const first = open();
      const firstStatus = await new Promise((r) => first.once('response', (hd) => r(hd[':status'])));
      assert.is(firstStatus, 200);
      const second = open();
      second.on('error', () => {});
      const secondStatus = await new Promise((r) => second.once('response', (hd) => r(hd[':status'])));
      assert.is(secondStatus, 503);
      first.close();
    },
    { http: { limits: { maxConcurrentUpgradedConnections: 1 } } },
  ));

test('the same ApplicationBuilder app answers the same over HTTP/1.1 and HTTP/2; only request.protocol differs', async () => {
  const app = new ApplicationBuilder();
  app.use(async (ctx, next) => {
    ctx.response.headers.set('x-seen-protocol', ctx.request.protocol);
    await next();
  });
  app.map('/json', (a) => a.run((ctx) => ctx.response.json({ path: ctx.request.path, q: ctx.request.query.get('q') })));
  app.map('/echo', (a) => a.run(async (ctx) => ctx.response.send(await ctx.request.text())));
  app.run((ctx) => {
    ctx.response.status = 404;
    ctx.response.send('nope');
  });
  const h = await startH2({ app });
  try {
    const s = h.connectTcp();
    const client = new Client(h.origin);
    const cases: [string, string, string | undefined][] = [
      ['GET', '/json?q=1', undefined],
      ['POST', '/echo', 'hello body'],
      ['GET', '/missing', undefined],
    ];
    for (const [method, path, body] of cases) {
      const over2 = await request(s, { ':method': method, ':path': path }, body);
      const over1 = await undiciRequest(h.origin + path, { method, body, dispatcher: client });
      const text1 = await over1.body.text();
      assert.is(over2.status, over1.statusCode, path);
      assert.is(over2.body.toString(), text1, path);
      assert.is(over2.headers['content-type'], over1.headers['content-type'], path);
      assert.is(over2.headers['content-length'], over1.headers['content-length'], path);
      assert.is(over2.headers['x-seen-protocol'], 'HTTP/2');
      assert.is(over1.headers['x-seen-protocol'], 'HTTP/1.1');
    }
    await client.close();
  } finally {
    await h.stop();
  }
});

test('request trailers reach the app as ctx.request.trailers over HTTP/1.1 (chunked) and HTTP/2', async () => {
  const app = new ApplicationBuilder();
  app.run(async (ctx) => {
    const before = ctx.request.trailers;
    const body = await ctx.request.text();
    const after = ctx.request.trailers;
    // Over HTTP/1.1 the trailers follow the last chunk, so they cannot be there before the body is read.
    const early = ctx.request.protocol === 'HTTP/1.1' ? String(before) : '-';
    ctx.response.send(`${body}|${after?.get('X-CHECKSUM') ?? 'none'}|${early}`);
  });
  const h = await startH2({ app });
  try {
    const s = h.connectTcp();
    assert.is((await request(s, { ':method': 'POST', ':path': '/' }, 'abc', { 'x-checksum': 'c2' })).body.toString(), 'abc|c2|-');
    assert.is((await request(s, { ':method': 'POST', ':path': '/' }, 'abc')).body.toString(), 'abc|none|-');
    const { hostname, port } = new URL(h.origin);
    for (const [trailer, expected] of [['X-Checksum: c1\r\n', 'abc|c1|null'], ['', 'abc|none|null']]) {
      const c = net.connect(Number(port), hostname);
      c.write(`POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n${trailer}\r\n`);
      const text = await readAll(c, 5_000);
      assert.ok(text.endsWith(`\r\n\r\n${expected}`), JSON.stringify(text));
    }
  } finally {
    await h.stop();
  }
});

test('options: bad http2 limits and protocols are refused at configuration time', () => {
  const code = errorCodeOf;
  assert.is(code(() => resolveHttpOptions({ http2: { maxFrameSize: 1000 } })), 'ERR_TIERCEL_INVALID_OPTION');
  assert.is(code(() => resolveHttpOptions({ http2: { initialStreamWindowSize: 2 ** 31 } })), 'ERR_TIERCEL_INVALID_OPTION');
  assert.is(code(() => resolveHttpOptions({ http2: { maxStreamsPerConnection: 0 } })), 'ERR_TIERCEL_INVALID_OPTION');
  assert.is(code(() => resolveHttpOptions({ http2: { nope: 1 } as never })), 'ERR_TIERCEL_INVALID_OPTION');
  assert.is(code(() => resolveHttpOptions({ protocols: 'h3' as never })), 'ERR_TIERCEL_INVALID_OPTION');
  assert.is(code(() => new Server().listen('http://memory:x').useProtocols('spdy' as never)), 'ERR_TIERCEL_INVALID_OPTION');
  assert.is(code(() => resolveHttpOptions({ http2: { maxPingsPerSecond: 0 } })), 'ERR_TIERCEL_INVALID_OPTION');
  assert.is(code(() => resolveHttpOptions({ http2: { maxControlBytesPerSecond: 100 } })), 'ERR_TIERCEL_INVALID_OPTION');
  assert.is(code(() => resolveHttpOptions({ http2: { maxRejectedRequestsPerSecond: 0.5 } })), 'ERR_TIERCEL_INVALID_OPTION');
  assert.is(resolveHttpOptions().http2.maxRejectedRequestsPerSecond, 100);
  const ok = resolveHttpOptions({
    http2: { keepAlivePingDelayMs: 30_000, maxStreamResetsPerSecond: Infinity, maxPingsPerSecond: Infinity, maxRejectedRequestsPerSecond: Infinity },
  });
  assert.is(ok.http2.keepAlivePingDelayMs, 30_000);
  assert.is(ok.http2.maxStreamsPerConnection, 100);
  assert.is(ok.http2.initialConnectionWindowSize, 1024 * 1024);
  assert.is(ok.http2.initialStreamWindowSize, 768 * 1024);
  assert.is(ok.http2.maxPingsPerSecond, Infinity);
  assert.is(ok.http2.maxRejectedRequestsPerSecond, Infinity);
  assert.is(ok.http2.maxControlBytesPerSecond, 2 * 1024 * 1024);
  assert.is(ok.protocols, 'http1AndHttp2');
});

test.after(async () => {
  await delay(10);
});

test.run();
