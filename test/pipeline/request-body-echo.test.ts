// response.stream(request.body): the echo path that moves the chunks itself (no async generator),
// over real sockets, HTTP/1.1 and HTTP/2: whole bodies, the request's replaceable body feature,
// backpressure to the client, and a client that leaves in the middle of its body.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import net from 'node:net';
import { ApplicationBuilder } from '../../pipeline/index.js';
import type { HttpRequestBodyFeature } from '../../protocols/index.js';
import { startH2 } from '../protocols/http2/h2-support.js';
import { patterned, post2, postUnread, settled } from './echo-support.js';

/** What the echo routes saw. */
interface Seen {
  /** Bytes read through the counting body feature, per request path. */
  read: number;
  /** What `stream()` rejected with, once it has. */
  streamError: unknown;
  /** Whether the response counted as ended when `stream()` rejected (the exchange aborted). */
  ended: boolean;
}

/** A body feature in front of the request's own that counts what is read through it. */
function counting(inner: HttpRequestBodyFeature, seen: Seen): HttpRequestBodyFeature {
  return {
    get requestContentLength() {
      return inner.requestContentLength;
    },
    get requestHasBody() {
      return inner.requestHasBody;
    },
    get maxRequestBodySize() {
      return inner.maxRequestBodySize;
    },
    set maxRequestBodySize(value: number) {
      inner.maxRequestBodySize = value;
    },
    async readBody() {
      const chunk = await inner.readBody();
      if (chunk !== null) seen.read += chunk.length;
      return chunk;
    },
  };
}

function echoApp(seen: Seen): ApplicationBuilder {
  return new ApplicationBuilder().run(async (ctx) => {
    const { request, response } = ctx;
    request.bodyFeature = counting(request.bodyFeature, seen);
    if (request.contentLength >= 0) response.headers.set('content-length', request.contentLength);
    response.headers.set('content-type', 'application/octet-stream');
    try {
      await response.stream(request.body);
    } catch (err) {
      seen.streamError = err;
      seen.ended = ctx.exchange.responseEnded;
      throw err;
    }
  });
}

const fresh = (): Seen => ({ read: 0, streamError: undefined, ended: false });

function post1(origin: string, body: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = http.request(origin + '/echo', { method: 'POST', headers: { 'content-length': body.length }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('stream(request.body) echoes a body whole over HTTP/1.1 and HTTP/2, read through the request\'s body feature', async () => {
  const seen = fresh();
  const h = await startH2({ app: echoApp(seen) });
  try {
    const body = patterned(1024 * 1024 + 7);
    const over1 = await post1(h.origin, body);
    assert.ok(over1.equals(body), 'HTTP/1.1 echo differs');
    assert.is(seen.read, body.length, 'the replaced body feature is the one read');
    seen.read = 0;
    const session = h.connectTcp();
    const over2 = await post2(session, body);
    assert.ok(over2.equals(body), 'HTTP/2 echo differs');
    assert.is(seen.read, body.length);
    // No body at all: an empty response, ended.
    const empty = await post2(session, Buffer.alloc(0));
    assert.is(empty.length, 0);
    assert.is(seen.streamError, undefined);
  } finally {
    await h.stop();
  }
});

test('stream(request.body) over HTTP/2: a client that does not read its response holds the upload back', async () => {
  const seen = fresh();
  const h = await startH2({ app: echoApp(seen) });
  try {
    const session = h.connectTcp();
    // The response waits for a window the client does not open, so the echo stops reading: what
    // it read is bounded by the windows and buffers in between (768 KiB + 64 KiB by default).
    const { stalled, size, whole } = await postUnread(session, () => seen.read);
    assert.ok(stalled > 0 && stalled <= 2 * 1024 * 1024, `read ${stalled} bytes of ${size} while the client read nothing`);
    assert.ok(whole, 'the echo arrives whole once the client reads');
    assert.is(seen.read, size);
  } finally {
    await h.stop();
  }
});

test('stream(request.body): a client that leaves in the middle of its body aborts the exchange, and the server goes on', async () => {
  const seen = fresh();
  const h = await startH2({ app: echoApp(seen) });
  try {
    const socket = net.connect(h.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.on('data', () => {});
    await new Promise((r) => socket.once('connect', r));
    socket.write(`POST /echo HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: ${1024 * 1024}\r\n\r\n`);
    socket.write(patterned(100 * 1024));
    await settled(() => seen.read, 50, 5_000);
    socket.destroy();
    for (let i = 0; i < 500 && seen.streamError === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(seen.streamError instanceof Error, 'stream() rejects when the body is cut short');
    assert.is((seen.streamError as { code?: string }).code, 'ERR_TIERCEL_BODY_INCOMPLETE');
    assert.ok(seen.ended, 'the cut-off response was aborted, not left open');
    // The server serves the next client.
    const body = patterned(70_000);
    assert.ok((await post1(h.origin, body)).equals(body));
  } finally {
    await h.stop();
  }
});

test.run();
