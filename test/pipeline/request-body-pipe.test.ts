// response.stream(request.body) through the exchange's own body feature: `pipeBody` writes each
// chunk into the response in the protocol's read callback (node:http's req.pipe(res)). Over real
// sockets, HTTP/1.1 and HTTP/2: bodies whole (Content-Length and chunked), backpressure from a
// client that does not read its response, the body limit and a content-length the echo passes in
// the middle of the pipe, `100 Continue`, and a response body feature a middleware put in front.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import net from 'node:net';
import { ApplicationBuilder } from '../../pipeline/index.js';
import type { HttpResponseBodyFeature } from '../../protocols/index.js';
import { startH2, type H2Harness } from '../protocols/http2/h2-support.js';
import { patterned, post2, postUnread, settled } from './echo-support.js';

interface Seen {
  /** Bytes the echo wrote into the response, counted by a response body feature in front. */
  written: number;
  streamError: unknown;
  ended: boolean;
}

const fresh = (): Seen => ({ written: 0, streamError: undefined, ended: false });

/** A response body feature in front of the exchange's that counts what is written through it. */
function counting(inner: HttpResponseBodyFeature, seen: Seen): HttpResponseBodyFeature {
  return {
    get responseEnded() {
      return inner.responseEnded;
    },
    get bytesSent() {
      return inner.bytesSent;
    },
    write(chunk) {
      seen.written += chunk.length;
      return inner.write(chunk);
    },
    drain: () => inner.drain(),
    end: (chunk) => inner.end(chunk),
    complete: () => inner.complete(),
  };
}

/** The echo; `declare` sets the response's content-length (the request's when undefined). */
function echoApp(seen: Seen, declare?: number): ApplicationBuilder {
  return new ApplicationBuilder().run(async (ctx) => {
    const { request, response } = ctx;
    response.bodyFeature = counting(response.bodyFeature, seen);
    const length = declare ?? request.contentLength;
    if (length >= 0) response.headers.set('content-length', length);
    try {
      await response.stream(request.body);
    } catch (err) {
      seen.streamError = err;
      seen.ended = ctx.exchange.responseEnded;
      throw err;
    }
  });
}

function post1(origin: string, body: Buffer, headers: http.OutgoingHttpHeaders = { 'content-length': body.length }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = http.request(origin + '/echo', { method: 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (headers['content-length'] === undefined) {
      // Chunked, in pieces of several sizes, some of them in one socket write.
      for (let at = 0, n = 1; at < body.length; at += n, n = (n * 3 + 1) % 70_000) req.write(body.subarray(at, at + n));
      req.end();
    } else {
      req.end(body);
    }
  });
}

/** An echo server (`echoApp(seen)` unless `options.app`) and a raw client connected to it, both closed after `fn`. */
async function withRawClient(seen: Seen, options: Parameters<typeof startH2>[0], fn: (h: H2Harness, socket: net.Socket) => Promise<void>): Promise<void> {
  const h = await startH2({ app: echoApp(seen), ...options });
  const socket = net.connect(h.port, '127.0.0.1');
  socket.on('error', () => {});
  try {
    await new Promise((r) => socket.once('connect', r));
    await fn(h, socket);
  } finally {
    socket.destroy();
    await h.stop();
  }
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), what);
}

test('pipeBody: bodies echo whole over HTTP/1.1 (content-length and chunked) and HTTP/2', async () => {
  const seen = fresh();
  const h = await startH2({ app: echoApp(seen) });
  try {
    const body = patterned(3 * 1024 * 1024 + 5);
    assert.ok((await post1(h.origin, body)).equals(body), 'HTTP/1.1 content-length echo differs');
    assert.is(seen.written, body.length, 'the response body feature in front is the one written');
    const chunked = patterned(700_001);
    assert.ok((await post1(h.origin, chunked, { 'transfer-encoding': 'chunked' })).equals(chunked), 'HTTP/1.1 chunked echo differs');
    const session = h.connectTcp();
    assert.ok((await post2(session, body)).equals(body), 'HTTP/2 echo differs');
    assert.is((await post2(session, Buffer.alloc(0))).length, 0);
    assert.is(seen.streamError, undefined);
  } finally {
    await h.stop();
  }
});

test('pipeBody over HTTP/1.1: a client that does not read its response holds the upload back', async () => {
  const seen = fresh();
  // The body is larger than the default maxRequestBodySize (30 MB).
  await withRawClient(seen, { http: { limits: { maxRequestBodySize: Infinity } } }, async (_h, socket) => {
    socket.pause();
    const size = 48 * 1024 * 1024;
    const body = patterned(size);
    socket.write(`POST /echo HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: ${size}\r\n\r\n`);
    socket.write(body);
    // Without backpressure the server would take all 48 MiB into its socket buffer; with it, what
    // it wrote is bounded by the kernel's socket buffers on both sides (a few MiB each on loopback).
    await until(() => seen.written > 0, 'the echo started');
    const stalled = await settled(() => seen.written, 300, 10_000);
    assert.ok(stalled < size / 2, `wrote ${stalled} bytes of ${size} while the client read nothing`);
    const received: Buffer[] = [];
    let total = 0;
    const headEnd = Buffer.from('\r\n\r\n');
    let head: Buffer | undefined;
    socket.on('data', (c: Buffer) => {
      received.push(c);
      total += c.length;
    });
    socket.resume();
    await until(() => {
      if (head === undefined) {
        const all = Buffer.concat(received);
        const at = all.indexOf(headEnd);
        if (at < 0) return false;
        head = all.subarray(0, at);
      }
      return total >= head.length + 4 + size;
    }, 'the echo arrives whole once the client reads');
    const all = Buffer.concat(received);
    assert.match(head!.toString('latin1'), /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(all.subarray(head!.length + 4).equals(body), 'the echo differs');
    assert.is(seen.written, size);
  });
});

test('pipeBody over HTTP/2: a client that does not read its response holds the upload back', async () => {
  const seen = fresh();
  const h = await startH2({ app: echoApp(seen) });
  try {
    const session = h.connectTcp();
    const { stalled, size, whole } = await postUnread(session, () => seen.written);
    assert.ok(stalled > 0 && stalled <= 2 * 1024 * 1024, `wrote ${stalled} bytes of ${size} while the client read nothing`);
    assert.ok(whole, 'the echo arrives whole once the client reads');
  } finally {
    await h.stop();
  }
});

test('pipeBody: a chunked body past maxRequestBodySize in the middle of the pipe aborts the echo with 413', async () => {
  const seen = fresh();
  await withRawClient(seen, { http: { limits: { maxRequestBodySize: 100_000 } } }, async (_h, socket) => {
    let got = '';
    socket.on('data', (c: Buffer) => (got += c.toString('latin1')));
    const closed = new Promise((r) => socket.once('close', r));
    socket.write('POST /echo HTTP/1.1\r\nhost: 127.0.0.1\r\ntransfer-encoding: chunked\r\n\r\n');
    socket.write(`${(60_000).toString(16)}\r\n${'a'.repeat(60_000)}\r\n`);
    await until(() => got.includes('\r\n\r\n'), 'the echo started its response');
    socket.write(`${(60_000).toString(16)}\r\n${'b'.repeat(60_000)}\r\n0\r\n\r\n`);
    await closed;
    assert.is((seen.streamError as { code?: string }).code, 'ERR_TIERCEL_BODY_TOO_LARGE');
    assert.ok(seen.ended, 'the started response was aborted');
    assert.ok(!got.includes('0\r\n\r\n'), 'no chunked terminator: the client cannot take the cut-off body for whole');
  });
});

test('pipeBody: a body longer than the content-length the app declared fails the echo, not the parse', async () => {
  const seen = fresh();
  await withRawClient(seen, { app: echoApp(seen, 1000) }, async (h, socket) => {
    let got = '';
    socket.on('data', (c: Buffer) => (got += c.toString('latin1')));
    const closed = new Promise((r) => socket.once('close', r));
    socket.write('POST /echo HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 200000\r\n\r\n');
    socket.write(patterned(200_000));
    await closed;
    assert.is((seen.streamError as { code?: string }).code, 'ERR_TIERCEL_CONTENT_LENGTH_MISMATCH');
    assert.ok(!got.startsWith('HTTP/1.1 400'), `not answered as a bad request: ${got.slice(0, 40)}`);
    // The server serves the next client, whose body fits.
    const body = patterned(1000);
    assert.ok((await post1(h.origin, body)).equals(body));
  });
});

test('pipeBody: Expect: 100-continue gets its 100 when the echo starts, then the echo', async () => {
  const seen = fresh();
  await withRawClient(seen, {}, async (_h, socket) => {
    let got = Buffer.alloc(0);
    socket.on('data', (c: Buffer) => (got = Buffer.concat([got, c])));
    const body = patterned(200_000);
    socket.write(`POST /echo HTTP/1.1\r\nhost: 127.0.0.1\r\nexpect: 100-continue\r\ncontent-length: ${body.length}\r\n\r\n`);
    await until(() => got.includes('\r\n\r\n'), 'an interim response');
    assert.is(got.toString('latin1'), 'HTTP/1.1 100 Continue\r\n\r\n');
    socket.write(body);
    // The final response's head ends after the 25 bytes of the 100.
    const bodyAt = (): number => {
      const at = got.indexOf('\r\n\r\n', 25);
      return at < 0 ? Infinity : at + 4;
    };
    await until(() => got.length - bodyAt() >= body.length, 'the echo');
    const at = bodyAt();
    assert.ok(got.subarray(at).equals(body), 'the echo differs');
  });
});

test.run();
