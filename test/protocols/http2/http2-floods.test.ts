// HTTP/2 frame floods over real TCP sockets: rapid reset, PRIORITY, WINDOW_UPDATE, PING, SETTINGS
// and empty DATA, each sent by a raw-frame client in its own process that keeps writing and reads
// only now and then (flooder.ts). Each flood must end with the connection closed, and with a
// GOAWAY(ENHANCE_YOUR_CALM) the flooding client reads although it never stops sending (a server
// that resets the connection under the flood makes the client's next write fail first); other
// clients are served meanwhile.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import { delay } from '../../support/streams.js';
import type { FloodKind } from './flooder.js';
import { floodFrom, get, request, withServer, type H2Harness, type H2Response } from './h2-support.js';

const { NGHTTP2_ENHANCE_YOUR_CALM } = http2.constants;

/** Floods with `kind` and expects GOAWAY(ENHANCE_YOUR_CALM), a closed connection, and another client served. */
async function expectCalm(h: H2Harness, kind: FloodKind): Promise<void> {
  const flooding = floodFrom(h.port, kind);
  // Served while the flood lasts, and after.
  assert.is((await get(h.connectTcp(), '/hello')).status, 200);
  const result = await flooding;
  assert.is(result.code, NGHTTP2_ENHANCE_YOUR_CALM, `${kind}: GOAWAY code ${result.code}`);
  assert.ok(result.closed, `${kind}: the server closes the connection`);
  assert.is((await get(h.connectTcp(), '/hello')).status, 200);
}

test('rapid reset that never stops (HEADERS + RST_STREAM, continuously): the client still reads GOAWAY(ENHANCE_YOUR_CALM)', () =>
  withServer(async (h) => {
    await expectCalm(h, 'reset');
    assert.ok(h.seen.requests.length < 2_000, `the app ran for ${h.seen.requests.length} cancelled streams`);
  }));

const calmControl = { http: { http2: { maxControlBytesPerSecond: 64 * 1024 } } };

test('a PRIORITY flood is closed with GOAWAY(ENHANCE_YOUR_CALM) past maxControlBytesPerSecond', () =>
  withServer((h) => expectCalm(h, 'priority'), calmControl));

test('a WINDOW_UPDATE flood, on the connection and on an open stream, is closed with GOAWAY(ENHANCE_YOUR_CALM)', () =>
  withServer((h) => expectCalm(h, 'window'), calmControl));

const calmPings = { http: { http2: { maxPingsPerSecond: 50 } } };

test('a PING flood is closed with GOAWAY(ENHANCE_YOUR_CALM) past maxPingsPerSecond', () => withServer((h) => expectCalm(h, 'ping'), calmPings));

test('a SETTINGS flood is closed with GOAWAY(ENHANCE_YOUR_CALM) past maxPingsPerSecond', () => withServer((h) => expectCalm(h, 'settings'), calmPings));

// SETTINGS are counted once the client has acknowledged the server's (its own first SETTINGS came
// before that). One that never does is counted from the next heartbeat on; before it, nghttp2's own
// limit (1,000 ACKs not yet sent) ends the flood within a read, as node:http2 closes a flooded
// session (its GOAWAY(INTERNAL_ERROR) is not always read).
test('a SETTINGS flood from a client that never acknowledges the server SETTINGS is closed; other clients are served', () =>
  withServer(async (h) => {
    const result = await floodFrom(h.port, 'unacked-settings');
    assert.ok(result.closed, 'the server closes the connection');
    assert.is((await get(h.connectTcp(), '/hello')).status, 200);
  }, calmPings));

test("the client's first SETTINGS (its preface) is not counted toward maxPingsPerSecond; a PING then is within a limit of 1", () =>
  withServer(
    async (h) => {
      const s = h.connectTcp();
      assert.is((await get(s, '/hello')).status, 200);
      await new Promise<void>((resolve, reject) => s.ping((err) => (err === null ? resolve() : reject(err))));
      assert.is((await get(s, '/hello')).status, 200);
      assert.not.ok(s.closed || s.destroyed, 'the session is still open');
    },
    { http: { http2: { maxPingsPerSecond: 1 } } },
  ));

test('a flood of empty DATA frames is closed (node:http2 counts them as invalid frames); other clients are served', () =>
  withServer(async (h) => {
    const result = await floodFrom(h.port, 'empty-data');
    assert.ok(result.closed, 'the server closes the connection');
    assert.is((await get(h.connectTcp(), '/hello')).status, 200);
  }));

test('ordinary traffic is not a flood: 200 requests, uploads and downloads under a tight maxControlBytesPerSecond', () =>
  withServer(async (h) => {
    const s = h.connectTcp();
    const upload = Buffer.alloc(100_000, 0x61);
    const one = (i: number): Promise<H2Response> =>
      i % 10 === 0 ? get(s, '/stream?n=20&size=16384') : i % 10 === 5 ? request(s, { ':method': 'POST', ':path': '/sha' }, upload) : get(s, '/hello');
    for (let round = 0; round < 4; round++) {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => one(i)));
      assert.ok(results.every((r) => r.status === 200));
      // Across a few heartbeats, where the guard measures.
      await delay(400);
    }
    assert.not.ok(s.closed || s.destroyed, 'the session is still open');
  }, calmControl));

test.run();
