// Response compression and request decompression through the public API: TestServer (real
// HTTP/1.1 parser and pipeline, in memory) for negotiation and the rules, node:http2 and curl over
// TCP for both protocols.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import http2 from 'node:http2';
import net from 'node:net';
import { brotliCompressSync, brotliDecompressSync, deflateSync, gunzipSync, gzipSync } from 'node:zlib';
import { TestServer } from '../../../hosting/index.js';
import { CompressionConfigError, responseCompression, type CompressionOptions } from '../../../middleware/index.js';
import { ApplicationBuilder, type HttpContext } from '../../../pipeline/index.js';
import { withAppServer } from '../../support/app-server.js';
import { curl, parseResponses } from '../../support/clients.js';

/** About 16 KiB of JSON, repetitive as real API answers are. */
const DOC = { items: Array.from({ length: 160 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['alpha', 'beta'], price: i * 1.5 })) };
const DOC_TEXT = JSON.stringify(DOC);
const LINE = 'streamed line of text that compresses well\n';
const RANDOM_CHUNKS = Array.from({ length: 64 }, () => randomBytes(48 * 1024).toString('base64'));

async function routes(ctx: HttpContext): Promise<void> {
  const { request, response } = ctx;
  switch (request.path) {
    case '/big.json':
      return response.json(DOC);
    case '/small':
      return response.send('tiny');
    case '/png':
      response.headers.set('content-type', 'image/png');
      return response.send(Buffer.alloc(4096, 1));
    case '/already': {
      response.headers.set('content-type', 'text/plain');
      response.headers.set('content-encoding', 'gzip');
      return response.send(gzipSync(DOC_TEXT));
    }
    case '/no-transform':
      response.headers.set('cache-control', 'public, no-transform');
      return response.json(DOC);
    case '/etag':
      response.headers.set('etag', '"v1"');
      return response.json(DOC);
    case '/stream': {
      response.headers.set('content-type', 'text/plain; charset=utf-8');
      for (let i = 0; i < 499; i++) {
        const wait = response.write(LINE);
        if (wait) await wait;
      }
      return response.end(LINE);
    }
    case '/random': {
      // 4 MiB of base64 noise: it compresses only by ~1/4, so what reaches the socket is large
      // enough to fill it when the client stops reading.
      response.headers.set('content-type', 'text/plain');
      for (const chunk of RANDOM_CHUNKS) {
        const wait = response.write(chunk);
        if (wait) await wait;
      }
      return response.end();
    }
    case '/left-open':
      response.headers.set('content-type', 'text/plain');
      void response.write(LINE.repeat(100));
      return;
    case '/throws':
      response.headers.set('content-type', 'text/plain');
      throw new Error('boom');
    case '/204':
      response.status = 204;
      return response.end();
    case '/upload-limit': {
      // The limit on what arrives (compressed), changed through the decompressing body.
      request.maxBodySize = Number(request.headers.get('x-limit'));
      const body = await request.buffer();
      return response.send(`${body.length} of at most ${request.maxBodySize}`);
    }
    case '/upload': {
      const body = await request.buffer();
      return response.send(`${body.length} ${body.toString('utf8', 0, 20)}`);
    }
  }
  response.status = 404;
  response.send('none');
}

function appWith(options?: CompressionOptions): ApplicationBuilder {
  return new ApplicationBuilder().use(responseCompression(options)).run(routes);
}

async function withApp(fn: (ts: TestServer) => Promise<void>, options?: CompressionOptions): Promise<void> {
  const ts = await TestServer.start(appWith(options), { server: { logLevel: 'silent' } });
  try {
    await fn(ts);
  } finally {
    await ts.stop();
  }
}

const decode = (coding: string | undefined, body: Buffer): string =>
  (coding === 'br' ? brotliDecompressSync(body) : coding === 'gzip' ? gunzipSync(body) : body).toString('utf8');

test('a 16 KiB JSON document: br or gzip by Accept-Encoding q-values, with vary and a content-length; identity without one', () =>
  withApp(async (ts) => {
    const cases: [string | undefined, string | undefined][] = [
      ['gzip, deflate, br', 'br'],
      ['br', 'br'],
      ['gzip', 'gzip'],
      ['gzip;q=1, br;q=0.5', 'gzip'],
      ['br;q=0, gzip', 'gzip'],
      ['*', 'br'],
      ['identity', undefined],
      ['deflate', undefined],
      ['br;q=0, gzip;q=0', undefined],
      [undefined, undefined],
    ];
    for (const [accept, expected] of cases) {
      const res = await ts.request({ path: '/big.json', headers: accept === undefined ? {} : { 'accept-encoding': accept } });
      assert.is(res.status, 200, accept);
      assert.is(res.headers['content-encoding'], expected, accept);
      assert.is(res.headers.vary, 'accept-encoding', accept);
      assert.is(res.headers['content-type'], 'application/json; charset=utf-8');
      assert.is(res.headers['content-length'], String(res.body.length), accept);
      assert.equal(JSON.parse(decode(expected, res.body)), DOC, accept);
      if (expected !== undefined) assert.ok(res.body.length < DOC_TEXT.length / 4, `${accept}: ${res.body.length} bytes`);
    }
  }));

test('left alone: below the threshold, an incompressible type, a content-encoding already set (never twice), no-transform, 204, HEAD', () =>
  withApp(async (ts) => {
    const get = (path: string, method = 'GET') => ts.request({ method, path, headers: { 'accept-encoding': 'br, gzip' } });
    const small = await get('/small');
    assert.is(small.text(), 'tiny');
    assert.is(small.headers['content-encoding'], undefined);
    assert.is(small.headers.vary, 'accept-encoding');
    const png = await get('/png');
    assert.is(png.headers['content-encoding'], undefined);
    assert.is(png.headers.vary, undefined);
    assert.is(png.body.length, 4096);
    const already = await get('/already');
    assert.is(already.headers['content-encoding'], 'gzip');
    assert.is(gunzipSync(already.body).toString(), DOC_TEXT);
    const noTransform = await get('/no-transform');
    assert.is(noTransform.headers['content-encoding'], undefined);
    assert.equal(noTransform.json(), DOC);
    assert.is((await get('/204')).status, 204);
    const head = await get('/big.json', 'HEAD');
    assert.is(head.headers['content-encoding'], undefined);
    assert.is(head.body.length, 0);
  }));

test('a strong ETag becomes weak on a compressed body', () =>
  withApp(async (ts) => {
    assert.is((await ts.request({ path: '/etag', headers: { 'accept-encoding': 'gzip' } })).headers.etag, 'W/"v1"');
    assert.is((await ts.request({ path: '/etag' })).headers.etag, '"v1"');
  }));

test('a written body streams through the encoder (chunked), whole once decoded; a body left open is finished', () =>
  withApp(async (ts) => {
    for (const coding of ['br', 'gzip']) {
      const res = await ts.request({ path: '/stream', headers: { 'accept-encoding': coding } });
      assert.is(res.headers['content-encoding'], coding);
      assert.is(res.headers['transfer-encoding'], 'chunked');
      assert.is(decode(coding, res.body), LINE.repeat(500));
      const open = await ts.request({ path: '/left-open', headers: { 'accept-encoding': coding } });
      assert.is(decode(coding, open.body), LINE.repeat(100));
    }
  }));

test('an app that throws before sending (in a promise or at once) gets a plain 500, no content-encoding', async () => {
  await withApp(async (ts) => {
    const res = await ts.request({ path: '/throws', headers: { 'accept-encoding': 'gzip' } });
    assert.is(res.status, 500);
    assert.is(res.headers['content-encoding'], undefined);
  });
  const app = new ApplicationBuilder().use(responseCompression()).run((ctx) => {
    ctx.response.headers.set('content-type', 'text/plain');
    throw new Error('at once');
  });
  const ts = await TestServer.start(app, { server: { logLevel: 'silent' } });
  try {
    const res = await ts.request({ path: '/', headers: { 'accept-encoding': 'gzip' } });
    assert.is(res.status, 500);
    assert.is(res.headers['content-encoding'], undefined);
  } finally {
    await ts.stop();
  }
});

test('a whole body is compressed the same on the thread pool (inlineMaxBytes 0) as on the event loop', () =>
  withApp(async (ts) => {
    for (const coding of ['br', 'gzip']) {
      const res = await ts.request({ path: '/big.json', headers: { 'accept-encoding': coding } });
      assert.is(res.headers['content-encoding'], coding);
      assert.is(res.headers['content-length'], String(res.body.length));
      assert.equal(JSON.parse(decode(coding, res.body)), DOC);
    }
  }, { inlineMaxBytes: 0 }));

test('options: threshold 0 compresses a tiny body; gzip only; a content-type list', async () => {
  await withApp(async (ts) => {
    const res = await ts.request({ path: '/small', headers: { 'accept-encoding': 'br, gzip' } });
    assert.is(res.headers['content-encoding'], 'gzip');
    assert.is(gunzipSync(res.body).toString(), 'tiny');
    const json = await ts.request({ path: '/big.json', headers: { 'accept-encoding': 'br, gzip' } });
    assert.is(json.headers['content-encoding'], undefined);
  }, { thresholdBytes: 0, encodings: ['gzip'], contentTypes: ['text/*'] });
});

test('over TCP: HTTP/2 (node:http2) and curl --compressed on both protocols get the same document', async () => {
  await withAppServer(appWith(), async (port) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    try {
      for (const path of ['/big.json', '/stream']) {
        const { headers, body } = await new Promise<{ headers: http2.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
          const req = session.request({ ':path': path, 'accept-encoding': 'br' });
          const chunks: Buffer[] = [];
          let head: http2.IncomingHttpHeaders = {};
          req.on('response', (h) => (head = h));
          req.on('data', (d: Buffer) => chunks.push(d));
          req.on('end', () => resolve({ headers: head, body: Buffer.concat(chunks) }));
          req.on('error', reject);
        });
        assert.is(headers['content-encoding'], 'br', path);
        assert.is(decode('br', body), path === '/big.json' ? DOC_TEXT : LINE.repeat(500), path);
      }
    } finally {
      session.close();
    }
    for (const proto of ['--http1.1', '--http2-prior-knowledge']) {
      for (const coding of ['br', 'gzip']) {
        const res = await curl(['-s', '-D', '-', proto, '--compressed', '-H', `accept-encoding: ${coding}`, `http://127.0.0.1:${port}/big.json`]);
        const out = res.stdout.toString();
        assert.match(out, new RegExp(`content-encoding: ${coding}`, 'i'), `${proto} ${coding}`);
        assert.equal(JSON.parse(out.slice(out.indexOf('\r\n\r\n') + 4)), DOC, `${proto} ${coding}`);
      }
    }
  });
});

test('a client that stops reading: the encoder waits for the socket, and the whole stream decodes once the client reads again', () =>
  withAppServer(appWith(), async (port) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.pause();
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('GET /random HTTP/1.1\r\nhost: x\r\naccept-encoding: gzip\r\nconnection: close\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.resume();
    await new Promise<void>((resolve) => socket.on('end', () => resolve()));
    const text = parseResponses(Buffer.concat(chunks).toString('latin1'))[0];
    assert.is(text.headers['content-encoding'], 'gzip');
    assert.is(gunzipSync(Buffer.from(text.body, 'latin1')).toString(), RANDOM_CHUNKS.join(''));
  }));

test('a client that goes away mid-stream: the encoder is dropped, the server goes on serving', () =>
  withAppServer(appWith(), async (port) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    try {
      await new Promise<void>((resolve, reject) => {
        const req = session.request({ ':path': '/random', 'accept-encoding': 'br' });
        req.once('data', () => {
          req.close(http2.constants.NGHTTP2_CANCEL);
          resolve();
        });
        req.on('error', reject);
      });
      const again = await new Promise<string>((resolve, reject) => {
        const req = session.request({ ':path': '/big.json', 'accept-encoding': 'gzip' });
        const chunks: Buffer[] = [];
        req.on('data', (d: Buffer) => chunks.push(d));
        req.on('end', () => resolve(gunzipSync(Buffer.concat(chunks)).toString()));
        req.on('error', reject);
      });
      assert.is(again, DOC_TEXT);
    } finally {
      session.close();
    }
  }));

test('request decompression: off by default (the app sees the compressed bytes); on, gzip, deflate and br are inflated', async () => {
  const body = 'x'.repeat(10_000);
  await withApp(async (ts) => {
    const res = await ts.request({ method: 'POST', path: '/upload', headers: { 'content-encoding': 'gzip' }, body: gzipSync(body) });
    assert.is(res.text().split(' ')[0], String(gzipSync(body).length));
  });
  await withApp(async (ts) => {
    for (const [coding, bytes] of [['gzip', gzipSync(body)], ['deflate', deflateSync(body)], ['br', brotliCompressSync(body)], ['GZIP', gzipSync(body)]] as const) {
      const res = await ts.request({ method: 'POST', path: '/upload', headers: { 'content-encoding': coding }, body: bytes });
      assert.is(res.status, 200, coding);
      assert.is(res.text(), `10000 ${'x'.repeat(20)}`, coding);
    }
    const plain = await ts.request({ method: 'POST', path: '/upload', body: 'plain' });
    assert.is(plain.text(), '5 plain');
    // maxBodySize still limits the bytes that arrive: 413 past it, whatever they inflate to.
    const small = gzipSync(body);
    const within = await ts.request({ method: 'POST', path: '/upload-limit', headers: { 'content-encoding': 'gzip', 'x-limit': '100000' }, body: small });
    assert.is(within.text(), '10000 of at most 100000');
    const over = await ts.request({ method: 'POST', path: '/upload-limit', headers: { 'content-encoding': 'gzip', 'x-limit': '10' }, body: small });
    assert.is(over.status, 413);
  }, { requestDecompression: true });
});

test('request decompression: an unsupported coding is 415 with accept-encoding; a corrupt body 400; a zip bomb 413', () =>
  withApp(async (ts) => {
    const zstd = await ts.request({ method: 'POST', path: '/upload', headers: { 'content-encoding': 'zstd' }, body: 'x' });
    assert.is(zstd.status, 415);
    assert.is(zstd.headers['accept-encoding'], 'gzip, deflate, br');
    const corrupt = await ts.request({ method: 'POST', path: '/upload', headers: { 'content-encoding': 'gzip' }, body: Buffer.from('not gzip at all') });
    assert.is(corrupt.status, 400);
    // 64 MiB of zeros is ~64 KiB gzipped: it inflates past the 1 MiB limit and is refused, never held.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    assert.ok(bomb.length < 100 * 1024);
    const res = await ts.request({ method: 'POST', path: '/upload', headers: { 'content-encoding': 'gzip' }, body: bomb });
    assert.is(res.status, 413);
  }, { requestDecompression: true, maxInflatedBodySize: 1024 * 1024 }));

test('request decompression: the inflated limit defaults to the request maxBodySize', async () => {
  const app = new ApplicationBuilder()
    .use((ctx, next) => {
      ctx.request.maxBodySize = 64 * 1024;
      return next();
    })
    .use(responseCompression({ requestDecompression: true }))
    .run(routes);
  const ts = await TestServer.start(app, { server: { logLevel: 'silent' } });
  try {
    const ok = await ts.request({ method: 'POST', path: '/upload', headers: { 'content-encoding': 'gzip' }, body: gzipSync(Buffer.alloc(60 * 1024, 0x61)) });
    assert.is(ok.status, 200);
    const over = await ts.request({ method: 'POST', path: '/upload', headers: { 'content-encoding': 'gzip' }, body: gzipSync(Buffer.alloc(200 * 1024, 0x61)) });
    assert.is(over.status, 413);
  } finally {
    await ts.stop();
  }
});

test('configuration errors name the rule', () => {
  const bad: unknown[] = [
    { level: 5 },
    { encodings: [] },
    { encodings: ['deflate'] },
    { encodings: ['br', 'br'] },
    { thresholdBytes: -1 },
    { brotliQuality: 12 },
    { gzipLevel: 0 },
    { contentTypes: ['JSON'] },
    { requestDecompression: 'yes' },
    { maxInflatedBodySize: 10 },
    { inlineMaxBytes: -1 },
  ];
  for (const options of bad) {
    try {
      responseCompression(options as CompressionOptions);
      assert.unreachable(JSON.stringify(options));
    } catch (err) {
      assert.instance(err, CompressionConfigError, JSON.stringify(options));
      assert.is((err as CompressionConfigError).code, 'ERR_TIERCEL_COMPRESSION_CONFIG');
    }
  }
});

test.run();
