import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TestServer } from '../../../hosting/index.js';
import type { HttpApplication, HttpExchange, HttpLimits } from '../../../protocols/index.js';
import { readAll, readUntil, delay, closed } from '../../support/streams.js';

// Reads the whole body and answers with its size, or with the status of the body's failure.
const sizer: HttpApplication = {
  async handle(ex: HttpExchange) {
    let n = 0;
    try {
      for (let c = await ex.readBody(); c !== null; c = await ex.readBody()) n += c.length;
    } catch (err) {
      ex.statusCode = (err as { status?: number }).status ?? 500;
      ex.end();
      return;
    }
    ex.end(String(n));
  },
};

// Answers at once without touching the body.
const ignorer: HttpApplication = { handle: (ex) => ex.end('ok') };

async function withServer(app: HttpApplication, limits: Partial<HttpLimits>, fn: (ts: TestServer) => Promise<void>): Promise<void> {
  const ts = await TestServer.start(app, { http: { limits } });
  try {
    await fn(ts);
  } finally {
    await ts.stop(500);
  }
}

function statusOf(text: string): number {
  return Number(text.slice(9, 12));
}

test('a request line over maxRequestLineSize gets 414 and a close', () =>
  withServer(ignorer, { maxRequestLineSize: 100 }, async (ts) => {
    const c = ts.connect();
    c.write(`GET /${'a'.repeat(200)}`); // not even finished: refused as soon as it passes the limit
    const text = await readAll(c);
    assert.is(statusOf(text), 414);
    assert.ok(text.includes('connection: close'));
  }));

test('headers over maxRequestHeadersTotalSize get 431', () =>
  withServer(ignorer, { maxRequestHeadersTotalSize: 200 }, async (ts) => {
    const c = ts.connect();
    c.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(300)}\r\n\r\n`);
    assert.is(statusOf(await readAll(c)), 431);
  }));

test('more than maxRequestHeaderCount headers get 431', () =>
  withServer(ignorer, { maxRequestHeaderCount: 5 }, async (ts) => {
    const c = ts.connect();
    let head = 'GET / HTTP/1.1\r\nHost: x\r\n';
    for (let i = 0; i < 6; i++) head += `X-${i}: ${i}\r\n`;
    c.write(head + '\r\n');
    assert.is(statusOf(await readAll(c)), 431);
  }));

test('a Content-Length over maxRequestBodySize gets 413 before any body is read, and no 100 Continue', () =>
  withServer(sizer, { maxRequestBodySize: 1000 }, async (ts) => {
    const c = ts.connect();
    c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n');
    const text = await readAll(c);
    assert.is(statusOf(text), 413);
    assert.not.ok(text.includes('100 Continue'));
    assert.ok(text.includes('connection: close'));
  }));

test('a chunked body that grows past maxRequestBodySize gets 413', () =>
  withServer(sizer, { maxRequestBodySize: 1000 }, async (ts) => {
    const c = ts.connect();
    c.write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (let i = 0; i < 3; i++) c.write(`1f4\r\n${'z'.repeat(500)}\r\n`);
    assert.is(statusOf(await readAll(c)), 413);
  }));

test('a body within the limit is read whole, chunked or by length', () =>
  withServer(sizer, { maxRequestBodySize: 1000 }, async (ts) => {
    const res = await ts.fetch('/', { method: 'POST', body: 'x'.repeat(1000) });
    assert.is(await res.text(), '1000');
    const c = ts.connect();
    c.write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n');
    const text = await readUntil(c, (t) => t.endsWith('\r\n\r\n5'));
    assert.is(statusOf(text), 200);
    c.destroy();
  }));

test('requestHeadersTimeout: a head that does not finish in time gets 408 and a close', () =>
  withServer(ignorer, { requestHeadersTimeoutMs: 200 }, async (ts) => {
    const c = ts.connect();
    c.write('GET / HTTP/1.1\r\nHost: x\r\n');
    const started = Date.now();
    const text = await readAll(c, 5_000);
    assert.is(statusOf(text), 408);
    assert.ok(Date.now() - started >= 200);
  }));

test('keepAliveTimeout: an idle keep-alive connection is closed without a response', () =>
  withServer(ignorer, { keepAliveTimeoutMs: 200 }, async (ts) => {
    const c = ts.connect();
    c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = await readAll(c, 5_000);
    assert.is(statusOf(text), 200);
    assert.ok(text.endsWith('ok'), 'only the one response, then the close');
  }));

test('minRequestBodyDataRate: a body that trickles in gets 408', () =>
  withServer(sizer, { minRequestBodyDataRate: { bytesPerSecond: 1000, gracePeriodMs: 300 } }, async (ts) => {
    const c = ts.connect();
    c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc');
    const text = await readAll(c, 5_000);
    assert.is(statusOf(text), 408);
  }));

test('minResponseDataRate: a client that does not read is aborted', () =>
  withServer(
    {
      async handle(ex) {
        const chunk = Buffer.alloc(64 * 1024, 1);
        while (!ex.aborted.aborted) {
          if (!ex.write(chunk)) await Promise.race([ex.drain(), delay(100)]);
        }
      },
    },
    // The bytes the client was given (~1 MB: the in-memory peer's buffer) earn their time at the
    // rate: at 4 MB/s a quarter of a second past the grace.
    { minResponseDataRate: { bytesPerSecond: 4_000_000, gracePeriodMs: 300 } },
    async (ts) => {
      const c = ts.connect();
      c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      c.pause(); // never read
      const started = Date.now();
      await closed(c);
      assert.ok(Date.now() - started < 4_000);
    },
  ));

test('an unread small body is drained and the connection reused', () =>
  withServer(ignorer, {}, async (ts) => {
    const c = ts.connect();
    c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789GET /2 HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = await readUntil(c, (t) => t.split('HTTP/1.1 200').length === 3);
    assert.not.ok(text.includes('connection: close'));
    c.destroy();
  }));

test('an unread body over maxRequestBodyDrainSize closes the connection after the response', () =>
  withServer(ignorer, { maxRequestBodyDrainSize: 100 }, async (ts) => {
    const c = ts.connect();
    c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n' + 'x'.repeat(200));
    const text = await readAll(c);
    assert.is(statusOf(text), 200);
    assert.ok(text.includes('connection: close'));
  }));

test('bad limit values are refused at configuration time', async () => {
  for (const limits of [{ maxRequestBodySize: -1 }, { keepAliveTimeoutMs: 1.5 }, { minRequestBodyDataRate: { bytesPerSecond: 0, gracePeriodMs: 1 } }, { nope: 1 }]) {
    try {
      await TestServer.start(ignorer, { http: { limits: limits as Partial<HttpLimits> } });
      assert.unreachable(`accepted ${JSON.stringify(limits)}`);
    } catch (err) {
      assert.is((err as { code?: string }).code, 'ERR_TIERCEL_INVALID_OPTION');
    }
  }
});

test.run();
