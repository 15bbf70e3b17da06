// What one HTTP/1.1 client can make the server hold, attacked over real TCP (and TLS) sockets:
// pipelined requests whose responses are never read, a request body nobody reads and that never
// comes, and the minimum response rate against slow but honest readers and against readers that stop.
import 'reflect-metadata';
import { connect, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TcpEndpoint } from '../../../connection/index.js';
import { LOGGER } from '../../../di/index.js';
import { Server } from '../../../hosting/index.js';
import { ApplicationBuilder } from '../../../pipeline/index.js';
import type { HttpApplication, HttpLimits } from '../../../protocols/index.js';
import { httpsMiddleware } from '../../../protocols/tls/index.js';
import { MemoryLogger } from '../../pipeline/support.js';
import { CertDir, makeCa, makeLeaf } from '../../support/tls-certificates.js';
import { delay } from '../../support/streams.js';

const dir = new CertDir();
const ca = await makeCa();
const files = dir.writePem('localhost', await makeLeaf(['localhost', '127.0.0.1'], { ca }));
test.after(() => dir.remove());

interface Running {
  readonly port: number;
  readonly logger: MemoryLogger;
  stop(): Promise<void>;
}

async function serve(app: HttpApplication | ApplicationBuilder, limits: Partial<HttpLimits> = {}, secure = false): Promise<Running> {
  const logger = new MemoryLogger();
  const server = new Server({ logLevel: 'silent' });
  server.services.register(LOGGER, { useValue: logger });
  server.useHttp(app, { limits });
  const mw = secure ? httpsMiddleware({ certificate: files }) : undefined;
  server.listen('http://127.0.0.1:0', (ep) => {
    if (mw !== undefined) ep.use(mw.middleware);
  });
  await server.start();
  return {
    port: (server.endpoints[0] as TcpEndpoint).port,
    logger,
    stop: async () => {
      mw?.dispose();
      await server.stop(500);
    },
  };
}

function open(port: number, secure: boolean): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s: Socket = secure
      ? tls.connect({ host: '127.0.0.1', port, ca: ca.cert, servername: 'localhost' }, () => resolve(s))
      : connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves with how long the server took to close the socket, or -1 if it had not after `ms`. */
function closedWithin(s: Socket, ms: number): Promise<number> {
  const start = Date.now();
  return new Promise((resolve) => {
    if (s.destroyed || s.readableEnded) return resolve(0);
    const timer = setTimeout(() => resolve(-1), ms);
    const done = (): void => {
      clearTimeout(timer);
      resolve(Date.now() - start);
    };
    s.once('end', done);
    s.once('close', done);
    s.on('error', () => {});
    s.resume();
  });
}

// ---- 1. pipelining with unread responses -----------------------------------------------------

const BODY = 'x'.repeat(16 * 1024);

test('pipelined requests whose responses are not read: the server stops reading, then answers every one in order', async () => {
  let served = 0;
  const app: HttpApplication = {
    handle(ex) {
      served++;
      ex.end(BODY);
    },
  };
  const srv = await serve(app);
  const s = await open(srv.port, false);
  try {
    s.pause(); // read nothing: the responses pile up on the server's side, or the server stops
    const req = Buffer.from('GET /p HTTP/1.1\r\nHost: x\r\n\r\n');
    const batch = Buffer.concat(Array.from({ length: 256 }, () => req));
    let sent = 0;
    // Write as fast as the socket takes it, for a while: without the bound the server reads and
    // answers everything, and its memory grows with every batch.
    const until = Date.now() + 1_000;
    while (Date.now() < until) {
      if (s.write(batch)) sent += 256;
      else {
        sent += 256;
        const drained = await Promise.race([new Promise((r) => s.once('drain', () => r(true))), delay(300).then(() => false)]);
        if (!drained) break;
      }
    }
    const servedWhenStalled = served;
    await delay(300);
    // Stalled: no more requests are served while the client reads nothing.
    assert.is(served, servedWhenStalled, 'the server went on serving while no response was read');
    // What it answered is bounded by the socket buffers, not by what the client sent.
    const answeredBytes = served * BODY.length;
    assert.ok(answeredBytes < 32 * 1024 * 1024, `served ${served} responses (${answeredBytes} bytes) to a client that read none`);
    assert.ok(sent > served, `the client sent ${sent} requests, the server served ${served}`);

    // The client now reads: every request it sent gets its response, complete and in order.
    let received = 0;
    let tail = '';
    const marker = 'HTTP/1.1 200 OK\r\n';
    const all = new Promise<void>((resolve) => {
      s.on('data', (d: Buffer) => {
        const text = tail + d.toString('latin1');
        let i = text.indexOf(marker);
        while (i !== -1) {
          received++;
          i = text.indexOf(marker, i + marker.length);
        }
        tail = text.slice(-marker.length + 1);
        if (received === sent) resolve();
      });
    });
    s.resume();
    await Promise.race([all, delay(20_000)]);
    assert.is(received, sent, 'every pipelined request is answered once the client reads');
    assert.is(served, sent);
  } finally {
    s.destroy();
    await srv.stop();
  }
});

// ---- 2. an unread request body --------------------------------------------------------------

const noRead = new ApplicationBuilder().run((ctx) => {
  ctx.response.status = 403;
  ctx.response.send('no');
});

for (const secure of [false, true]) {
  const over = secure ? 'TLS' : 'TCP';

  test(`[${over}] a POST whose unread body never comes, then FIN: the server closes at once`, async () => {
    const srv = await serve(noRead, {}, secure);
    try {
      const sockets = await Promise.all(Array.from({ length: 20 }, () => open(srv.port, secure)));
      const results = await Promise.all(
        sockets.map(async (s) => {
          let text = '';
          s.on('data', (d: Buffer) => (text += d.toString('latin1')));
          s.write('POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n');
          while (!text.includes('\r\n\r\nno')) await delay(5);
          s.end(); // FIN: the body will never come
          const ms = await closedWithin(s, 3_000);
          return { ms, text };
        }),
      );
      for (const r of results) {
        assert.ok(r.text.startsWith('HTTP/1.1 403'), r.text);
        assert.ok(r.ms >= 0, 'the server kept a half-closed connection waiting for a body that cannot come');
      }
      assert.equal(srv.logger.errors(), []);
    } finally {
      await srv.stop();
    }
  });
}

test('a POST whose unread body stops coming: the connection is closed after requestBodyDrainTimeoutMs', async () => {
  const srv = await serve(noRead, { requestBodyDrainTimeoutMs: 100, minRequestBodyDataRate: null });
  const s = await open(srv.port, false);
  try {
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString('latin1')));
    s.write('POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc');
    const ms = await closedWithin(s, 4_000);
    assert.ok(text.startsWith('HTTP/1.1 403'), text);
    // The heartbeat checks once a second: the limit plus at most two ticks.
    assert.ok(ms >= 0, 'the connection was held while the client sent nothing more of the body');
  } finally {
    s.destroy();
    await srv.stop();
  }
});

test('an unread body that does arrive within the drain time keeps the connection for the next request', async () => {
  const srv = await serve(noRead, { requestBodyDrainTimeoutMs: 5_000 });
  const s = await open(srv.port, false);
  try {
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString('latin1')));
    s.write('POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc');
    while (!text.includes('\r\n\r\nno')) await delay(5);
    await delay(50);
    s.write('defghij'); // the rest of the body, thrown away
    s.write('GET /y HTTP/1.1\r\nHost: x\r\n\r\n');
    while (text.split('HTTP/1.1 403').length < 3) await delay(5);
    assert.not.ok(text.includes('connection: close'));
  } finally {
    s.destroy();
    await srv.stop();
  }
});

test('a request head cut off by FIN is answered 400 and the connection closed', async () => {
  const srv = await serve(noRead);
  const s = await open(srv.port, false);
  try {
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString('latin1')));
    s.end('GET /x HTTP/1.1\r\nHost: x\r\nX-Half: ');
    assert.ok((await closedWithin(s, 3_000)) >= 0);
    assert.ok(text.startsWith('HTTP/1.1 400 '), text);
  } finally {
    s.destroy();
    await srv.stop();
  }
});

test('part of a head that came with the request before it is on the headers timeout, not the keep-alive one', async () => {
  const srv = await serve(noRead, { requestHeadersTimeoutMs: 100, keepAliveTimeoutMs: 60_000 });
  const s = await open(srv.port, false);
  try {
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString('latin1')));
    s.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHo');
    assert.ok((await closedWithin(s, 4_000)) >= 0, 'the slow second head was held for the keep-alive timeout');
    assert.ok(text.includes('HTTP/1.1 408 '), text);
  } finally {
    s.destroy();
    await srv.stop();
  }
});

// ---- 3. the minimum response rate -----------------------------------------------------------

/** Streams `total` bytes in 16 KiB writes, waiting for drain as a good app does; notes an abort. */
function streamer(total: number, seen: { abortedAt: number } = { abortedAt: 0 }): HttpApplication {
  const chunk = Buffer.alloc(16 * 1024, 'r');
  return {
    async handle(ex) {
      ex.aborted.addEventListener('abort', () => (seen.abortedAt = Date.now()));
      ex.responseHeaders.set('content-length', total);
      for (let sent = 0; sent < total && !ex.aborted.aborted; sent += chunk.length) {
        if (!ex.write(chunk)) await ex.drain();
      }
      if (!ex.aborted.aborted) ex.end();
    },
  };
}

/** Reads from `s` at about `bytesPerSecond` for `ms`, or until the socket closes. */
async function readSlowly(s: Socket, bytesPerSecond: number, ms: number): Promise<{ bytes: number; cut: boolean }> {
  let bytes = 0;
  let cut = false;
  s.on('close', () => (cut = true));
  s.on('error', () => (cut = true));
  const step = 50;
  const until = Date.now() + ms;
  while (!cut && Date.now() < until) {
    let budget = (bytesPerSecond * step) / 1000;
    while (budget > 0) {
      const d = s.read(Math.min(budget, s.readableLength || 1)) as Buffer | null;
      if (d === null) break;
      bytes += d.length;
      budget -= d.length;
    }
    await delay(step);
  }
  return { bytes, cut };
}

test('a client reading steadily above minResponseDataRate is never cut, even while the kernel buffer hides its progress', async () => {
  // Read at 4x the minimum. On loopback the kernel takes ~4 MB at once, then wakes the writer only
  // when a third of its buffer is free: at 400 KB/s the server sees no progress for ~3 s at a
  // time, and the old measure (progress out of the server's buffer within the grace) cut this client.
  const seen = { abortedAt: 0 };
  const srv = await serve(streamer(64 * 1024 * 1024, seen), { minResponseDataRate: { bytesPerSecond: 100_000, gracePeriodMs: 500 } });
  const s = await open(srv.port, false);
  try {
    s.pause();
    s.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
    const r = await readSlowly(s, 400_000, 4_500);
    // The server's side is what matters: a cut shows on the client only once it has read what
    // the kernel still holds.
    assert.is(seen.abortedAt, 0, `the server cut a client reading at 4x the minimum rate (after ${r.bytes} bytes)`);
    assert.not.ok(r.cut, `cut after ${r.bytes} bytes`);
    assert.ok(r.bytes > 1_500_000, `read ${r.bytes}`);
  } finally {
    s.destroy();
    await srv.stop();
  }
});

test('a client that stops reading is cut once its output is past the minResponseDataRate deadline', async () => {
  const total = 64 * 1024 * 1024;
  const seen = { abortedAt: 0 };
  const srv = await serve(streamer(total, seen), { minResponseDataRate: { bytesPerSecond: 8_000_000, gracePeriodMs: 500 } });
  const s = await open(srv.port, false);
  try {
    s.pause(); // read nothing
    s.on('error', () => {});
    const start = Date.now();
    s.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
    while (seen.abortedAt === 0 && Date.now() - start < 15_000) await delay(50);
    assert.ok(seen.abortedAt > 0, 'a client that reads nothing was never cut');
    assert.equal(srv.logger.errors(), []);
    const done = srv.logger.entries.filter((e) => e.message === 'HTTP/1.1 connection done').map((e) => e.fields?.reason);
    assert.equal(done, ['min-response-data-rate']);
  } finally {
    s.destroy();
    await srv.stop();
  }
});

// ---- 4. client faults are logged at debug ---------------------------------------------------

test('a bad chunk or a FIN mid-body on a route that streams the body back is a client fault: debug, never error', async () => {
  const echo = new ApplicationBuilder().run(async (ctx) => {
    ctx.response.headers.set('content-type', 'application/octet-stream');
    for await (const chunk of ctx.request.body) {
      const wait = ctx.response.write(chunk);
      if (wait !== undefined) await wait;
    }
  });
  const srv = await serve(echo);
  try {
    for (const tail of ['zz\r\nbad', 'END']) {
      const s = await open(srv.port, false);
      let text = '';
      s.on('data', (d: Buffer) => (text += d.toString('latin1')));
      s.write('POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
      while (!text.includes('hello')) await delay(5);
      if (tail === 'END') s.end(); // FIN in the middle of the body
      else s.write(tail); // not a hex chunk size
      assert.ok((await closedWithin(s, 3_000)) >= 0, 'the connection was closed');
      s.destroy();
    }
    await delay(50);
    assert.equal(srv.logger.errors(), []);
    const debug = srv.logger.entries.filter((e) => e.level === 'debug' && e.message.startsWith('The client failed the request'));
    assert.is(debug.length, 2, JSON.stringify(srv.logger.entries.map((e) => e.message)));
    assert.ok(debug.every((e) => typeof e.fields?.connectionId === 'string' && e.fields?.stack === undefined));
  } finally {
    await srv.stop();
  }
});

test('a body the app reads slower than it arrives: the server reads about one socket read ahead, not maxReadBufferSize', async () => {
  let release = (): void => {};
  const stalled = new Promise<void>((resolve) => (release = resolve));
  let serverSide: Socket | undefined;
  const slow = new ApplicationBuilder().run(async (ctx) => {
    serverSide = ctx.exchange.connection.transport as Socket;
    let total = 0;
    for await (const chunk of ctx.request.body) {
      // Busy with the first chunk (as an echo waiting for its write to drain) while the rest comes.
      if (total === 0) await stalled;
      total += chunk.length;
    }
    ctx.response.send(String(total));
  });
  const srv = await serve(slow);
  const size = 8 * 1024 * 1024;
  const s = await open(srv.port, false);
  try {
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString('latin1')));
    s.write(`POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n`);
    s.write(Buffer.alloc(size, 0x61)); // what the kernel's buffers cannot take waits in the client
    while (serverSide === undefined) await delay(5);
    // The server has stopped reading once what it has read stays the same for a while.
    let read = -1;
    for (let steady = 0; steady < 5; ) {
      await delay(20);
      const now = serverSide.bytesRead;
      steady = now === read ? steady + 1 : 0;
      read = now;
    }
    // The first read, the 64 KiB read-ahead, and what the socket took before it was paused; the
    // 1 MiB maxReadBufferSize would let it read a whole megabyte more.
    assert.ok(read < 512 * 1024, `the server read ${read} bytes ahead of an app that took one chunk`);
    release();
    while (!text.endsWith(`\r\n\r\n${size}`)) await delay(5);
    assert.ok(text.startsWith('HTTP/1.1 200 OK\r\n'), text);
  } finally {
    release();
    s.destroy();
    await srv.stop();
  }
});

test.run();
