// HTTP/2 flow control against clients that abuse it, over real TCP sockets with a raw-frame
// client that keeps the windows the server grants: request bodies nobody reads, responses the
// client will not take, and a flow-control error on an open stream.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import http2 from 'node:http2';
import { eventually } from '../../support/real-server.js';
import { delay } from '../../support/streams.js';
import { get, withServer } from './h2-support.js';
import { F, pingFrame, RawH2, requestFrame, S, T, windowUpdate } from './raw-h2.js';

const { NGHTTP2_CANCEL, NGHTTP2_FLOW_CONTROL_ERROR } = http2.constants;
const MiB = 1024 * 1024;

/** Resolves once `c` has sent all the body it may (nothing more for 300 ms); returns the total. */
async function settledSent(c: RawH2): Promise<number> {
  let last = -1;
  for (let i = 0; i < 30 && c.totalSent !== last; i++) {
    last = c.totalSent;
    await delay(300);
  }
  return c.totalSent;
}

// ---- request bodies nobody reads -------------------------------------------------------------

test('100 streams sending bodies to a route that never reads them: the connection takes about its window (1 MiB), not 100 stream windows', () =>
  withServer(async (h) => {
    const c = await RawH2.connect(h.port);
    await c.waitFor((f) => f.type === T.SETTINGS);
    for (let i = 0; i < 100; i++) {
      c.write(requestFrame(2 * i + 1, 'POST', '/hang', false));
      c.sendBody(2 * i + 1, 10 * MiB);
    }
    const sent = await settledSent(c);
    // node:http2 alone returns the connection window for every byte at once: 100 × 768 KiB.
    assert.ok(sent < 2 * MiB, `the server let ${(sent / MiB).toFixed(2)} MiB in`);
    assert.ok(sent >= MiB, `the server let ${(sent / MiB).toFixed(2)} MiB in`);
    assert.is(h.seen.requests.length, 100);
    const other = h.connectTcp();
    assert.is((await get(other, '/hello')).status, 200);
    c.destroy();
  }));

test('a stream nobody reads holds at most its stream window: another stream on the connection uploads 3 MiB and gets its answer', () =>
  withServer(async (h) => {
    const c = await RawH2.connect(h.port);
    await c.waitFor((f) => f.type === T.SETTINGS);
    c.write(requestFrame(1, 'POST', '/hang', false));
    c.sendBody(1, 10 * MiB);
    await settledSent(c);
    c.write(requestFrame(3, 'POST', '/sha', false));
    c.sendBody(3, 3 * MiB, true);
    await c.waitFor(() => c.endedStreams.has(3), 5_000);
    // The raw client's body is 'a' repeated (see RawH2.sendBody).
    const expected = createHash('sha256').update(Buffer.alloc(3 * MiB, 0x61)).digest('hex');
    assert.is(c.bodyOf(3), `${expected} ${3 * MiB}`);
    // The unread stream still holds no more than two stream windows (768 KiB each).
    assert.ok(c.sent.get(1)! <= 2 * 768 * 1024, `stream 1 sent ${c.sent.get(1)}`);
    c.destroy();
  }));

// ---- responses the client will not take ----------------------------------------------------

const slowRate = { http: { limits: { minResponseDataRate: { bytesPerSecond: 100, gracePeriodMs: 300 } } } };

test('a response held by a stream window the client never opens is reset (CANCEL) past minResponseDataRate; the connection lives on', () =>
  withServer(async (h) => {
    const c = await RawH2.connect(h.port, { settings: { [S.INITIAL_WINDOW_SIZE]: 0 } });
    c.write(requestFrame(1, 'GET', '/hello', true));
    assert.is(await c.resetCode(1, 5_000), NGHTTP2_CANCEL);
    assert.not.ok(c.frames.some((f) => f.type === T.GOAWAY));
    c.write(pingFrame());
    assert.ok(await c.waitFor((f) => f.type === T.PING && (f.flags & F.ACK) !== 0), 'the connection still answers a PING');
    c.destroy();
  }, slowRate));

test('a client that opens the window slowly, but above minResponseDataRate, is never cut: the response completes', () =>
  withServer(async (h) => {
    const c = await RawH2.connect(h.port, { settings: { [S.INITIAL_WINDOW_SIZE]: 0 } });
    c.write(requestFrame(1, 'GET', '/stream?n=4&size=1000', true));
    // 500 bytes every 200 ms: 2.5 kB/s against a minimum of 100 B/s, over several heartbeats.
    while (!c.endedStreams.has(1) && !c.ended) {
      c.write(windowUpdate(1, 500));
      await delay(200);
    }
    assert.is(c.bodyOf(1).length, 4_000);
    assert.not.ok(c.frames.some((f) => f.type === T.RST_STREAM || f.type === T.GOAWAY));
    c.destroy();
  }, slowRate));

test('a client that stops reading the socket is cut off past minResponseDataRate: the app is aborted, the connection closed', () =>
  withServer(async (h) => {
    // Windows wide open, so only the socket holds the response back.
    const c = await RawH2.connect(h.port, { settings: { [S.INITIAL_WINDOW_SIZE]: 2 ** 31 - 1 } });
    c.write(windowUpdate(0, 2 ** 31 - 1 - 65_535));
    c.socket.pause();
    c.write(requestFrame(1, 'GET', '/stream?n=1000&size=65536', true));
    await eventually('the app was aborted', () => h.seen.aborted.includes('/stream'), 8_000);
    // Still not reading: the stream's RST_STREAM cannot leave either, so the connection goes.
    await eventually('the connection was dropped', () => h.server.stats.active === 0, 8_000);
    c.socket.resume();
    assert.ok(await c.serverCloses(), 'the client sees the close');
  }, slowRate));

// ---- a flow-control error on an open stream --------------------------------------------------

test('WINDOW_UPDATEs that overflow an open stream window get RST_STREAM(FLOW_CONTROL_ERROR) (h2spec 6.9.1 #3)', () =>
  withServer(async (h) => {
    for (const path of ['/hello', '/hang']) {
      const c = await RawH2.connect(h.port);
      await c.waitFor((f) => f.type === T.SETTINGS && (f.flags & F.ACK) !== 0);
      // In one write: the app answers /hello at once, and its stream is still open when the
      // overflow arrives (the client has not ended its side).
      c.write(Buffer.concat([requestFrame(1, 'GET', path, false), windowUpdate(1, 2 ** 31 - 1), windowUpdate(1, 2 ** 31 - 1)]));
      assert.is(await c.resetCode(1), NGHTTP2_FLOW_CONTROL_ERROR, path);
      c.destroy();
    }
  }));

test.run();
