// Streams over the concurrency limit (maxStreamsPerConnection, advertised as
// SETTINGS_MAX_CONCURRENT_STREAMS) over real TCP, against tiercel and, at the same time, a bare
// node:http2 server with the same SETTINGS. nghttp2 decides, on both: a stream past the limit the
// client has not acknowledged yet is refused alone (RST_STREAM(REFUSED_STREAM), RFC 9113 §5.1.2,
// and the client may retry it); past the limit it has acknowledged, it is a connection error
// (GOAWAY, every stream reset), which RFC 9113 §5.4.1 allows for any stream error.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import { heap } from '../../support/attacks.js';
import { eventually } from '../../support/real-server.js';
import { MemoryLogger } from '../../pipeline/support.js';
import { floodFrom, startBareH2, startH2 } from './h2-support.js';
import { F, RawH2, requestFrame, T } from './raw-h2.js';

const { NGHTTP2_REFUSED_STREAM, NGHTTP2_INTERNAL_ERROR } = http2.constants;
const MiB = 1024 * 1024;

interface Outcome {
  /** Streams answered to the end (200, END_STREAM). */
  readonly completed: number;
  /** RST_STREAM frames read, by code. */
  readonly resets: Record<number, number>;
  /** The first stream id reset. */
  readonly firstReset: number | undefined;
  readonly goaway: number | undefined;
}

/**
 * Opens `count` streams in one write (`/slow`, answered after a while, so all are open at once),
 * after acknowledging the server's SETTINGS or before (`ack`), and waits for every stream's end.
 */
async function openAtOnce(port: number, count: number, ack: boolean): Promise<Outcome & { c: RawH2 }> {
  const c = await RawH2.connect(port, { ackSettings: ack });
  if (ack) await c.waitFor((f) => f.type === T.SETTINGS && (f.flags & F.ACK) !== 0);
  c.write(Buffer.concat(Array.from({ length: count }, (_, i) => requestFrame(2 * i + 1, 'GET', '/slow?ms=200', true))));
  const resets = (): number => c.frames.filter((f) => f.type === T.RST_STREAM).length;
  await c.waitFor(() => c.endedStreams.size + resets() >= count || c.frames.some((f) => f.type === T.GOAWAY), 3_000);
  const byCode: Record<number, number> = {};
  for (const f of c.frames) if (f.type === T.RST_STREAM) byCode[f.payload.readUInt32BE(0)] = (byCode[f.payload.readUInt32BE(0)] ?? 0) + 1;
  return {
    c,
    completed: c.endedStreams.size,
    resets: byCode,
    firstReset: c.frames.find((f) => f.type === T.RST_STREAM)?.streamId,
    goaway: c.frames.find((f) => f.type === T.GOAWAY)?.payload.readUInt32BE(4),
  };
}

test('110 streams at once, before the client acknowledges SETTINGS: the 100 admitted complete, the 10 over the limit get REFUSED_STREAM, the connection serves on (as node:http2)', async () => {
  const h = await startH2();
  const bare = await startBareH2();
  try {
    const [t, n] = await Promise.all([openAtOnce(h.port, 110, false), openAtOnce(bare.port, 110, false)]);
    for (const [name, o] of [['tiercel', t], ['node:http2', n]] as const) {
      assert.is(o.completed, 100, `${name}: completed`);
      assert.equal(o.resets, { [NGHTTP2_REFUSED_STREAM]: 10 }, `${name}: resets`);
      // The refused are the last ten: stream ids 201 to 219.
      assert.is(o.firstReset, 201, name);
      assert.is(o.goaway, undefined, name);
      // The connection serves a refused request retried once the others are done.
      o.c.write(requestFrame(221, 'GET', '/hello', true));
      await o.c.waitFor(() => o.c.endedStreams.has(221));
      assert.ok(o.c.endedStreams.has(221), `${name}: the retry is answered`);
      o.c.destroy();
    }
    assert.is(h.seen.requests.length, 101, 'the refused streams never reached the app');
  } finally {
    await Promise.all([h.stop(), bare.stop()]);
  }
});

test('101 streams at once after the client acknowledged SETTINGS: a connection error on both servers (GOAWAY, every stream reset); other clients served, nothing left behind', async () => {
  const logger = new MemoryLogger();
  const h = await startH2({ logger });
  const bare = await startBareH2();
  try {
    const [t, n] = await Promise.all([openAtOnce(h.port, 101, true), openAtOnce(bare.port, 101, true)]);
    console.log(`\n  over an acknowledged limit: tiercel ${JSON.stringify({ ...t, c: undefined })}; node:http2 ${JSON.stringify({ ...n, c: undefined })}`);
    for (const [name, o] of [['tiercel', t], ['node:http2', n]] as const) {
      // nghttp2 ends the session ('max concurrent streams exceeded'); node:http2 destroys it
      // on that error, with INTERNAL_ERROR. Unlike Kestrel, the admitted streams go too.
      assert.is(o.goaway, NGHTTP2_INTERNAL_ERROR, `${name}: GOAWAY`);
      assert.is(o.completed, 0, `${name}: completed`);
      assert.ok(await o.c.serverCloses(), `${name}: closed`);
      o.c.destroy();
    }
    // The admitted streams' exchanges were aborted, and the connection is gone.
    await eventually('every exchange aborted', () => h.seen.aborted.length === h.seen.requests.length);
    await eventually('the connection closed', () => h.server.stats.active === 0);
    const other = await openAtOnce(h.port, 1, true);
    assert.is(other.completed, 1);
    other.c.destroy();
    assert.equal(logger.errors(), []);
  } finally {
    await Promise.all([h.stop(), bare.stop()]);
  }
});

test('a client that never acknowledges SETTINGS and keeps opening streams past the limit: closed on both servers, memory bounded', async () => {
  const logger = new MemoryLogger();
  const h = await startH2({ logger });
  const bare = await startBareH2();
  try {
    const before = heap();
    const [t, n] = await Promise.all([floodFrom(h.port, 'refused', 3_000), floodFrom(bare.port, 'refused', 3_000)]);
    const grew = heap() - before;
    console.log(`\n  refused streams, endlessly: tiercel ${JSON.stringify(t)}; node:http2 ${JSON.stringify(n)} (${bare.sessionErrors.join('; ')}); heap +${(grew / MiB).toFixed(1)} MiB`);
    // node:http2 counts each refusal as an invalid frame and ends the session past
    // maxSessionInvalidFrames (1,000); tiercel's session is the same nghttp2 session.
    assert.ok(t.closed, 'tiercel closes the connection');
    assert.ok(n.closed, 'node:http2 closes it too');
    assert.ok(grew < 8 * MiB, `the heap grew ${(grew / MiB).toFixed(1)} MiB`);
    // The 100 admitted streams reached the app, and no other.
    assert.is(h.seen.requests.length, 100);
    await eventually('the connection closed', () => h.server.stats.active === 0);
    assert.equal(logger.errors(), []);
  } finally {
    await Promise.all([h.stop(), bare.stop()]);
  }
});

test.run();
