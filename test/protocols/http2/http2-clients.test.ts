// HTTP/2 over real TCP sockets with real clients: curl, h2load, raw sockets and Node's http2
// client; protocol selection per endpoint (h2c sniffing, HTTP/2-only, HTTP/1-only), rapid reset,
// and GOAWAY on shutdown.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { curl } from '../../support/clients.js';
import { eventually, removeScratch, scratch } from '../../support/real-server.js';
import { delay, readAll } from '../../support/streams.js';
import { get, startH2, withServer, type H2Harness } from './h2-support.js';
import { PREFACE, RawH2, requestFrame, rstStream, settingsFrame, T } from './raw-h2.js';

const { NGHTTP2_CANCEL, NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_INTERNAL_ERROR, NGHTTP2_PROTOCOL_ERROR } = http2.constants;

function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

// ---- curl ----------------------------------------------------------------------------------

test('curl --http2-prior-knowledge: GET and a 1 MiB POST over h2c', () =>
  withServer(async (h) => {
    const r = await curl(['-sS', '-v', '--http2-prior-knowledge', `${h.origin}/hello`]);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stderr, /^< HTTP\/2 200\b/m);
    assert.is(r.stdout.toString(), 'hello');
    const data = randomBytes(1024 * 1024 + 5);
    const file = join(scratch(), 'h2-upload.bin');
    writeFileSync(file, data);
    const post = await curl(['-sS', '--http2-prior-knowledge', '--data-binary', `@${file}`, `${h.origin}/sha`]);
    assert.is(post.code, 0, post.stderr);
    assert.is(post.stdout.toString(), `${createHash('sha256').update(data).digest('hex')} ${data.length}`);
    assert.equal(h.seen.protocols, ['HTTP/2', 'HTTP/2']);
  }));

test('http1AndHttp2 (default): the same port serves h2c by preface and HTTP/1.1 otherwise', () =>
  withServer(async (h) => {
    const v2 = await curl(['-sS', '-v', '--http2-prior-knowledge', `${h.origin}/proto`]);
    assert.is(v2.stdout.toString(), 'HTTP/2');
    const v1 = await curl(['-sS', '-v', '--http1.1', `${h.origin}/proto`]);
    assert.match(v1.stderr, /^< HTTP\/1\.1 200 OK\r?$/m);
    assert.is(v1.stdout.toString(), 'HTTP/1.1');
    // An HTTP/1.1 request that arrives a byte at a time: the first byte already decides.
    const s = await rawSocket(h.port);
    s.write('G');
    await delay(50);
    s.end('ET /proto HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const text = await readAll(s);
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(text, /\r\n\r\nHTTP\/1\.1$/);
    // And the preface split over reads still reaches HTTP/2.
    const split = await rawSocket(h.port);
    split.write('PRI * HTTP/2.0\r\n');
    await delay(30);
    split.write('\r\nSM\r\n\r\n');
    const settings = await new Promise<Buffer>((resolve) => split.once('data', resolve));
    assert.is(settings[3], 0x04, 'the server answers with a SETTINGS frame');
    split.destroy();
  }));

test("protocols 'http2': anything but the preface (an HTTP/1.1 request) gets SETTINGS, GOAWAY(PROTOCOL_ERROR) and a close (RFC 9113 §3.4)", () =>
  withServer(
    async (h) => {
      const c = await RawH2.connect(h.port, { preface: false });
      c.write(Buffer.from('GET /hello HTTP/1.1\r\nHost: x\r\n\r\n'));
      assert.ok(await c.serverCloses(), 'the server closes the connection');
      assert.equal(
        c.frames.map((f) => f.type),
        [T.SETTINGS, T.GOAWAY],
      );
      const goaway = c.frames[1]!.payload;
      assert.is(goaway.readUInt32BE(0), 0, 'last stream id 0');
      assert.is(goaway.readUInt32BE(4), NGHTTP2_PROTOCOL_ERROR);
      assert.match(goaway.subarray(8).toString(), /HTTP\/2 only/);
      const v2 = await curl(['-sS', '--http2-prior-knowledge', `${h.origin}/proto`]);
      assert.is(v2.stdout.toString(), 'HTTP/2');
      assert.equal(h.seen.requests, ['GET /proto']);
    },
    { protocols: 'http2' },
  ));

test("protocols 'http1': the HTTP/2 preface is refused by the HTTP/1.1 parser with 400", () =>
  withServer(
    async (h) => {
      const s = await rawSocket(h.port);
      s.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
      const text = await readAll(s);
      assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/);
      const r = await curl(['-sS', '--http2-prior-knowledge', `${h.origin}/hello`]);
      assert.is.not(r.code, 0);
      const v1 = await curl(['-sS', `${h.origin}/proto`]);
      assert.is(v1.stdout.toString(), 'HTTP/1.1');
      assert.equal(h.seen.requests, ['GET /proto']);
    },
    { protocols: 'http1' },
  ));

test('a silent client is closed after requestHeadersTimeoutMs while the preface is awaited', () =>
  withServer(
    async (h) => {
      const s = await rawSocket(h.port);
      s.write('PRI * HT');
      const started = Date.now();
      await readAll(s, 5_000);
      assert.ok(Date.now() - started < 4_000);
    },
    { http: { limits: { requestHeadersTimeoutMs: 300 } } },
  ));

// ---- h2load --------------------------------------------------------------------------------

test('h2load: 10,000 requests over 10 connections, 0 failed, 0 errored', () =>
  withServer(async (h) => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile('h2load', ['-n', '10000', '-c', '10', '-m', '10', `${h.origin}/hello`], { timeout: 60_000 }, (err, stdout, stderr) => {
        if (err !== null) reject(new Error(`h2load failed: ${err.message}\n${stdout}\n${stderr}`));
        else resolve(stdout);
      });
    });
    const m = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(out);
    assert.ok(m, out);
    assert.is(Number(m![4]), 10_000, out);
    assert.is(Number(m![5]), 0, out);
    assert.is(Number(m![6]), 0, out);
    assert.match(out, /status codes: 10000 2xx/);
  }));

// ---- rapid reset ---------------------------------------------------------------------------

function flood(session: http2.ClientHttp2Session, count: number): void {
  for (let i = 0; i < count && !session.destroyed && !session.closed; i++) {
    const req = session.request({ ':path': '/slow?ms=200' });
    req.on('error', () => {});
    req.close(NGHTTP2_CANCEL);
  }
}

function goawayCode(session: http2.ClientHttp2Session, timeoutMs = 5_000): Promise<number | 'none'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('none'), timeoutMs);
    session.once('goaway', (code: number) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

async function staysResponsive(h: H2Harness, deadlineMs: number): Promise<number> {
  const other = h.connectTcp();
  const started = Date.now();
  for (let i = 0; i < 20; i++) {
    const r = await get(other, '/hello');
    assert.is(r.status, 200);
  }
  const took = Date.now() - started;
  assert.ok(took < deadlineMs, `20 requests took ${took} ms`);
  return took;
}

test('rapid reset, paced: over maxStreamResetsPerSecond the session gets GOAWAY(ENHANCE_YOUR_CALM); others are served', () =>
  withServer(async (h) => {
    const attacker = h.connectTcp();
    await new Promise((r) => attacker.once('remoteSettings', r));
    const code = goawayCode(attacker);
    const pacing = (async () => {
      for (let batch = 0; batch < 40 && !attacker.destroyed && !attacker.closed; batch++) {
        flood(attacker, 25);
        await delay(5);
      }
    })();
    await staysResponsive(h, 3_000);
    assert.is(await code, NGHTTP2_ENHANCE_YOUR_CALM);
    await pacing;
    await eventually('the flooding session is closed', () => attacker.destroyed || attacker.closed);
  }));

/**
 * Raw frames, because a well-behaved client (Node's) queues streams over the peer's concurrency
 * limit and drops a queued stream's HEADERS when it is cancelled: an attacker does not.
 * Each pair is HEADERS(GET /slow, END_STREAM) then RST_STREAM(CANCEL), all in one write.
 */
function blastFrames(pairs: number): Buffer {
  const parts: Buffer[] = [PREFACE, settingsFrame()];
  for (let i = 0; i < pairs; i++) {
    const id = 2 * i + 1;
    parts.push(requestFrame(id, 'GET', '/slow?ms=200', true), rstStream(id, NGHTTP2_CANCEL));
  }
  return Buffer.concat(parts);
}

test('rapid reset, blast of 5,000 HEADERS+RST_STREAM in one write: GOAWAY, no crash, other clients served within 3 s', () =>
  withServer(async (h) => {
    const attacker = await RawH2.connect(h.port, { preface: false });
    attacker.write(blastFrames(5_000));
    await staysResponsive(h, 3_000);
    // nghttp2's own bucket (1000 resets) may trip inside one read, before our count sees them.
    const got = await attacker.goawayCode(5_000);
    assert.ok(got === NGHTTP2_ENHANCE_YOUR_CALM || got === NGHTTP2_INTERNAL_ERROR, `GOAWAY code ${got}`);
    assert.ok(h.seen.requests.length < 5_000, `the app ran for ${h.seen.requests.length} cancelled streams`);
    attacker.destroy();
  }));

// ---- graceful shutdown ---------------------------------------------------------------------

test('server.stop() sends GOAWAY: streams in flight complete, new streams are refused, the session closes', async () => {
  const h = await startH2();
  const s = h.connectTcp();
  const sessionClosed = new Promise<void>((r) => s.once('close', () => r()));
  try {
    const inFlight = [1, 2, 3].map(() => get(s, '/slow?ms=300'));
    await eventually('three requests in the app', () => h.seen.requests.length === 3);
    const gotGoaway = new Promise<number>((r) => s.once('goaway', (code: number) => r(code)));
    const stopping = h.server.stop(5_000);
    assert.is(await gotGoaway, 0);
    let refused = false;
    try {
      await get(s, '/hello');
    } catch {
      refused = true;
    }
    assert.ok(refused, 'a new stream after GOAWAY is refused');
    const results = await Promise.all(inFlight);
    assert.equal(results.map((r) => `${r.status} ${r.body}`), ['200 slow', '200 slow', '200 slow']);
    await stopping;
    await sessionClosed;
    assert.is(h.server.stats.active, 0);
  } finally {
    await h.stop();
  }
});

test.after(() => removeScratch());

test.run();
