import 'reflect-metadata';
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLOCK } from '../../di/index.js';
import { ManualClock, Server } from '../../hosting/index.js';
import { ApplicationBuilder } from '../../pipeline/index.js';
import { MemoryTransport } from '../../transports/index.js';
import { readUntil } from '../support/streams.js';
import { makeLeaf } from '../support/tls-certificates.js';
import { appContainer, ended, responseComplete, waitFor } from './support.js';

// 2030-01-02T03:04:05Z: far from the real time, so a timeout that read the real clock would show.
const START = Date.UTC(2030, 0, 2, 3, 4, 5);
const GET = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';

/** A server on `memory:clock` whose container has `clock` under CLOCK. */
async function startWithClock(clock: ManualClock, limits: Record<string, number> = {}, https?: { certificate: { cert: string; key: string } }): Promise<Server> {
  const services = appContainer({ http: { limits } });
  services.register(CLOCK, { useValue: clock });
  const server = new Server(services);
  server.useHttp(new ApplicationBuilder().run((ctx) => ctx.response.send('ok')));
  server.listen('http://memory:clock', https === undefined ? undefined : (ep) => ep.useHttps(https));
  await server.start();
  return server;
}

test('a manual clock drives the keep-alive timeout: open at limit + one tick, closed one tick later, without waiting', async () => {
  const clock = new ManualClock(START);
  // An hour: if anything waited for real time, the test would time out.
  const server = await startWithClock(clock, { keepAliveTimeoutMs: 3_600_000 });
  try {
    const client = server.getTransport(MemoryTransport).connect('clock');
    client.write(GET);
    const first = await readUntil(client, responseComplete);
    assert.ok(first.startsWith('HTTP/1.1 200'), first);
    // The Date header is the manual clock's too.
    assert.ok(first.includes('\r\ndate: Wed, 02 Jan 2030 03:04:05 GMT\r\n'), first);

    // A deadline counts as passed only after its limit plus one heartbeat interval (it never fires early).
    clock.advance(3_600_000 + 1_000);
    client.write(GET);
    const second = await readUntil(client, responseComplete);
    assert.ok(second.startsWith('HTTP/1.1 200'), 'still open at exactly the limit plus one tick');
    assert.ok(second.includes('\r\ndate: Wed, 02 Jan 2030 04:04:06 GMT\r\n'), second);

    const closed = ended(client);
    clock.advance(3_600_000 + 2_000);
    await closed;
    assert.is(server.stats.accepted, 1);
  } finally {
    await server.stop(500);
  }
});

test('a manual clock drives the request headers timeout: an unfinished head gets 408 when the clock says so', async () => {
  const clock = new ManualClock(START);
  const services = appContainer({ http: { limits: { requestHeadersTimeoutMs: 60_000 } } });
  services.register(CLOCK, { useValue: clock });
  const server = new Server(services);
  server.useHttp(new ApplicationBuilder().run((ctx) => ctx.response.send('ok')));
  let reads = 0;
  // HTTP/1.1 only (no sniff): this middleware's listener and HTTP/1.1's see each read in the same
  // emit, so once it has counted a read, HTTP/1.1 has parsed it.
  server.listen('http://memory:clock', (ep) =>
    ep.useProtocols('http1').use((ctx, next) => {
      ctx.transport.on('data', () => reads++);
      return next();
    }),
  );
  await server.start();
  try {
    const client = server.getTransport(MemoryTransport).connect('clock');
    client.write('GET /slow HTTP/1.1\r\nHost: x\r\n');
    await waitFor('the partial head to be read', () => reads === 1);
    clock.advance(60_000 + 1_000);
    assert.is(client.readableLength, 0, 'nothing sent at the limit plus one tick');
    const answer = readUntil(client, (t) => t.includes('\r\n\r\n'));
    clock.advance(1_000);
    const text = await answer;
    assert.ok(text.startsWith('HTTP/1.1 408'), text);
    await ended(client);
  } finally {
    await server.stop(500);
  }
});

// A connection that sends nothing: before any protocol registers with the heartbeat, the one
// timer on the clock is the deadline of the stage it waits in.
const silentClientCases = [
  { stage: 'the protocol sniff (requestHeadersTimeoutMs)', deadlineMs: 45_000, tls: false },
  { stage: 'the TLS handshake (handshakeTimeoutMs, default 10 s)', deadlineMs: 10_000, tls: true },
];
for (const { stage, deadlineMs, tls } of silentClientCases) {
  test(`a manual clock drives the deadline of ${stage}`, async () => {
    const clock = new ManualClock(START);
    const leaf = tls ? await makeLeaf(['localhost']) : undefined;
    const server = await startWithClock(clock, { requestHeadersTimeoutMs: 45_000 }, leaf && { certificate: { cert: leaf.cert, key: leaf.key } });
    try {
      const client = server.getTransport(MemoryTransport).connect('clock');
      await waitFor('the deadline to be set', () => clock.pendingTimers === 1);
      clock.advance(deadlineMs - 1);
      assert.is(clock.pendingTimers, 1, 'not before the deadline');
      const closed = ended(client);
      clock.advance(1);
      await closed;
      assert.is(clock.pendingTimers, 0);
    } finally {
      await server.stop(500);
    }
  });
}

test('silent clients that connected at different times are each closed at their own sniff deadline, and a client that spoke is not', async () => {
  const clock = new ManualClock(START);
  const server = await startWithClock(clock, { requestHeadersTimeoutMs: 45_000 });
  try {
    const transport = server.getTransport(MemoryTransport);
    const first = transport.connect('clock');
    await waitFor('the first deadline to be set', () => clock.pendingTimers === 1);
    clock.advance(10_000);
    const speaking = transport.connect('clock');
    const second = transport.connect('clock');
    let secondClosed = false;
    const secondEnded = ended(second).then(() => (secondClosed = true));
    // The client that speaks leaves the sniff (and its deadline) at once, wherever it sat in the list.
    speaking.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.ok((await readUntil(speaking, responseComplete)).startsWith('HTTP/1.1 200'));
    await ended(speaking);
    clock.advance(35_000);
    await ended(first);
    await new Promise((resolve) => setImmediate(resolve));
    assert.is(secondClosed, false, 'the second client has 10 s left');
    assert.is(clock.pendingTimers, 1, 'one timer waits for the second deadline');
    clock.advance(9_999);
    await new Promise((resolve) => setImmediate(resolve));
    assert.is(secondClosed, false, 'not before its deadline');
    clock.advance(1);
    await secondEnded;
    assert.is(clock.pendingTimers, 0, 'no timer left behind');
  } finally {
    await server.stop(500);
  }
});

test('a client that resets inside the HTTP/2 preface, before the sniff decides, is let go at once: its deadline does not wait', async () => {
  const clock = new ManualClock(START);
  const server = await startWithClock(clock, { requestHeadersTimeoutMs: 45_000 });
  try {
    const client = server.getTransport(MemoryTransport).connect('clock') as Duplex & { resetAndDestroy(): void };
    client.on('error', () => {});
    // A prefix of the preface: the HTTP/2 sniffer wants more, HTTP/1.1 has not been asked.
    client.write('PRI * HTTP/2.0\r\n');
    await waitFor('the sniff deadline to be set', () => clock.pendingTimers === 1 && server.stats.active === 1);
    // No FIN: the server's end errors (ECONNRESET) and closes, and only its 'close' says so.
    client.resetAndDestroy();
    await waitFor('the connection to be released', () => server.stats.active === 0);
    assert.is(clock.pendingTimers, 0, 'no sniff deadline left behind');
  } finally {
    await server.stop(500);
  }
});

test('a manual clock drives the HTTP/2 request body rate: the 408 comes when the clock passes the grace period, not before', async () => {
  const clock = new ManualClock(START);
  const services = appContainer({ http: { limits: { minRequestBodyDataRate: { bytesPerSecond: 100, gracePeriodMs: 60_000 } } } });
  services.register(CLOCK, { useValue: clock });
  const server = new Server(services);
  let reading = false;
  server.useHttp(
    new ApplicationBuilder().run(async (ctx) => {
      reading = true;
      ctx.response.send(`read ${(await ctx.request.text()).length}`);
    }),
  );
  server.listen('http://memory:clock');
  await server.start();
  const session = http2.connect('http://x', { createConnection: () => server.getTransport(MemoryTransport).connect('clock') as never });
  try {
    const req = session.request({ ':method': 'POST', ':path': '/upload', 'content-length': '1000' });
    let status: number | undefined;
    req.on('response', (headers) => (status = Number(headers[':status'])));
    req.on('error', () => undefined);
    // 10 of the 1,000 bytes, then nothing: 10 B over the grace period is far below 100 B/s.
    req.write('x'.repeat(10));
    await waitFor('the app to read the body', () => reading);
    // Exactly the grace period on the server's clock: not yet (a body start read from the real
    // clock would be years before this clock's time, and the 408 would come at the first tick).
    clock.advance(60_000);
    await new Promise((resolve) => session.ping(resolve));
    assert.is(status, undefined, 'no answer at the grace period');
    clock.advance(1_000);
    await waitFor('the 408', () => status !== undefined);
    assert.is(status, 408);
  } finally {
    session.destroy();
    await server.stop(500);
  }
});

test('a manual clock drives the HTTP/2 keep-alive PING: sent once the connection is idle for the delay, and a client that never answers is closed when the timeout has passed, not before', async () => {
  const clock = new ManualClock(START);
  const services = appContainer({ http: { limits: { keepAliveTimeoutMs: 3_600_000 }, http2: { keepAlivePingDelayMs: 10_000, keepAlivePingTimeoutMs: 5_000 } } });
  services.register(CLOCK, { useValue: clock });
  const server = new Server(services);
  server.useHttp(new ApplicationBuilder().run((ctx) => ctx.response.send('ok')));
  server.listen('http://memory:clock');
  await server.start();
  // A client that speaks the preface, acknowledges the server's SETTINGS and then reads only.
  const client = server.getTransport(MemoryTransport).connect('clock');
  let received = Buffer.alloc(0);
  let closed = false;
  client.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
  client.on('error', () => {});
  // The server's end of the connection: its FIN (the client's side stays open until it ends it).
  client.on('end', () => (closed = true));
  client.on('close', () => (closed = true));
  // A frame header on stream 0 with no flags: 8 bytes of PING, or an empty SETTINGS.
  const header = (length: number, type: number): Buffer => Buffer.from([0, 0, length, type, 0, 0, 0, 0, 0]);
  const ping = header(8, 6);
  try {
    client.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), header(0, 4)]));
    await waitFor("the server's SETTINGS", () => received.length >= 9 && received[3] === 4);
    client.write(Buffer.from([0, 0, 0, 4, 1, 0, 0, 0, 0]));
    await waitFor('the connection on the heartbeat', () => clock.pendingTimers > 0);
    clock.advance(9_000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.is(received.indexOf(ping), -1, 'no PING before the delay');
    clock.advance(2_000);
    await waitFor('the PING', () => received.indexOf(ping) !== -1);
    // Unanswered: the timeout counts from the tick that sent it (plus a tick of the heartbeat).
    clock.advance(5_000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.is(closed, false, 'open until the timeout has passed');
    clock.advance(1_000);
    await waitFor('the connection closed', () => closed);
  } finally {
    client.destroy();
    await server.stop(500);
  }
});

test('ManualClock fires timers in due order during advance, intervals as often as they fall due', () => {
  const clock = new ManualClock(1_000);
  const fired: string[] = [];
  const every = clock.setInterval(() => fired.push(`tick@${clock.now()}`), 300);
  clock.setTimeout(() => {
    fired.push(`once@${clock.now()}`);
    // A timer made by a callback fires in the same advance when it falls due within it.
    clock.setTimeout(() => fired.push(`nested@${clock.now()}`), 100);
  }, 450);
  const cancelled = clock.setTimeout(() => fired.push('cancelled'), 500);
  clock.clearTimer(cancelled);
  clock.advance(700);
  assert.equal(fired, ['tick@1300', 'once@1450', 'nested@1550', 'tick@1600']);
  assert.is(clock.now(), 1_700);
  clock.clearTimer(every);
  clock.clearTimer(every);
  clock.advance(10_000);
  assert.is(fired.length, 4);
  assert.is(clock.pendingTimers, 0);
  assert.throws(() => clock.advance(-1), /advance\(\) takes/);
});

test.run();
