// Header-block attacks over real TCP sockets, each run against tiercel and, at the same time,
// against a bare node:http2 server with the same SETTINGS (startBareH2): CONTINUATION floods (the
// 2024 class, CVE-2024-27983 on node), header blocks past the header list size sent stream after
// stream, HPACK bombs (a small dynamic-table entry referenced until the decoded list is far past
// the limit) and dynamic table size updates. Each must end with the attacker refused or closed,
// memory bounded, other clients served, and nothing logged at error; tiercel must hold at least as
// well as node:http2, whose outcome is asserted beside it.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2, { type ClientHttp2Session } from 'node:http2';
import { heap } from '../../support/attacks.js';
import { eventually } from '../../support/real-server.js';
import { MemoryLogger } from '../../pipeline/support.js';
import type { FloodKind, FloodResult } from './flooder.js';
import { floodFrom, get, startBareH2, startH2, type BareH2, type H2Harness } from './h2-support.js';
import { F, frame, indexedFields, indexedLiteral, RawH2, requestBlock, requestFrame, staticStatus, T, tableSizeUpdates } from './raw-h2.js';

const { NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_COMPRESSION_ERROR } = http2.constants;
const MiB = 1024 * 1024;

/** `/hello` on a fresh session, closed after: the status (0 when the request failed). */
async function served(connect: () => ClientHttp2Session): Promise<number> {
  const s = connect();
  try {
    return (await get(s, '/hello')).status;
  } catch {
    return 0;
  } finally {
    s.close();
  }
}

function bareSession(bare: BareH2): ClientHttp2Session {
  const s = http2.connect(`http://127.0.0.1:${bare.port}`);
  s.on('error', () => undefined);
  return s;
}

interface Both {
  readonly tiercel: FloodResult;
  readonly node: FloodResult;
  readonly h: H2Harness;
  readonly bare: BareH2;
}

/**
 * Runs the `kind` flood (flooder.ts, in its own process, for at most `ms`) against tiercel and
 * bare node:http2 at once, with a legitimate client on each during and after. Asserts tiercel's
 * side: the flooding connection closed, the legitimate client served, the heap back within
 * 8 MiB and the process's RSS never more than 64 MiB up while it lasted, every connection
 * closed, nothing logged at error. `then` asserts more while both servers are up.
 */
async function floodBoth(kind: FloodKind, then: (b: Both) => void | Promise<void>, ms = 3_000): Promise<void> {
  const logger = new MemoryLogger();
  const h = await startH2({ logger });
  const bare = await startBareH2();
  try {
    const before = heap();
    const rss = process.memoryUsage().rss;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss - rss)), 20);
    let results: [FloodResult, FloodResult];
    try {
      const flooding = Promise.all([floodFrom(h.port, kind, ms), floodFrom(bare.port, kind, ms)]);
      assert.is(await served(h.connectTcp), 200, 'a client served during the flood');
      results = await flooding;
    } finally {
      clearInterval(sampler);
    }
    const [tiercel, node] = results;
    const grew = heap() - before;
    console.log(
      `\n  ${kind}: tiercel ${JSON.stringify(tiercel)}; node:http2 ${JSON.stringify(node)} (${bare.sessionErrors.join('; ') || 'no session error'}); ` +
        `heap +${(grew / MiB).toFixed(1)} MiB, RSS peak +${(peak / MiB).toFixed(1)} MiB`,
    );
    assert.ok(tiercel.closed, `${kind}: tiercel closes the flooding connection`);
    assert.is(await served(h.connectTcp), 200, 'a client served after the flood');
    assert.ok(grew < 8 * MiB, `the heap grew ${(grew / MiB).toFixed(1)} MiB`);
    assert.ok(peak < 64 * MiB, `RSS rose ${(peak / MiB).toFixed(1)} MiB during the flood`);
    await eventually('every tiercel connection closed', () => h.server.stats.active === 0);
    assert.equal(logger.errors(), []);
    await then({ tiercel, node, h, bare });
  } finally {
    await Promise.all([h.stop(), bare.stop()]);
  }
}

// ---- CONTINUATION floods -------------------------------------------------------------------

test('CONTINUATION flood (HEADERS without END_HEADERS, then endless CONTINUATIONs of 1 KB of fields): closed with memory bounded, as on node:http2', () =>
  floodBoth('continuation', ({ tiercel, node, h }) => {
    // nghttp2 (1.61+) allows 8 CONTINUATIONs a block and ends the session past them; a GOAWAY,
    // when the flooder reads it before its writes fail, says INTERNAL_ERROR (node:http2's answer
    // to nghttp2's error), on either server.
    assert.ok(tiercel.code === null || tiercel.code === http2.constants.NGHTTP2_INTERNAL_ERROR, `GOAWAY code ${tiercel.code}`);
    assert.ok(node.closed, 'node:http2 closes it too');
    assert.is(tiercel.responses, 0);
    // The two legitimate requests only: the flooded one never reached the app.
    assert.is(h.seen.requests.length, 2);
  }));

test('CONTINUATION flood of empty frames (no header bytes at all): closed, as on node:http2', () =>
  floodBoth('empty-continuation', ({ node }) => {
    assert.ok(node.closed, 'node:http2 closes it too');
  }));

test('header blocks past the header list size (7 frames, ~108 KB each) on stream after stream: each refused, the connection closed', () =>
  floodBoth('large-blocks', ({ tiercel, h }) => {
    // Every stream is reset by nghttp2 before the app: ENHANCE_YOUR_CALM past the header list
    // size (2 × maxRequestHeadersTotalSize), on both servers.
    assert.is(tiercel.responses, 0);
    assert.ok((tiercel.resets[NGHTTP2_ENHANCE_YOUR_CALM] ?? 0) > 0, `resets ${JSON.stringify(tiercel.resets)}`);
    for (const code of Object.keys(tiercel.resets)) assert.is(Number(code), NGHTTP2_ENHANCE_YOUR_CALM);
    // Only the two legitimate requests reached the app.
    assert.is(h.seen.requests.length, 2);
    // Not asserted of bare node:http2: it usually closes too (its maxSessionRejectedStreams), but a
    // CI run saw it reset 19,102 such streams in 3 s and keep the session open; floodBoth logs it.
  }));

// ---- HPACK bombs -----------------------------------------------------------------------------

/** The status of a response HEADERS on `streamId`, or the RST_STREAM code as `rst <n>`, or `goaway <n>`. */
async function outcome(c: RawH2, streamId: number): Promise<string> {
  const f = await c.waitFor((x) => x.type === T.GOAWAY || (x.streamId === streamId && (x.type === T.HEADERS || x.type === T.RST_STREAM)));
  if (f === undefined) return 'nothing';
  if (f.type === T.GOAWAY) return `goaway ${f.payload.readUInt32BE(4)}`;
  if (f.type === T.RST_STREAM) return `rst ${f.payload.readUInt32BE(0)}`;
  // 431 is not in HPACK's static table: it is sent as a literal (RFC 7541 Appendix A).
  return String(staticStatus(f.payload) ?? (f.payload.includes('431') ? 431 : 'other'));
}

/**
 * On one connection: a request that inserts a 4,000-byte field into the dynamic table, then
 * a request with `refs` one-byte references to it, then an ordinary request. Returns the three
 * outcomes.
 */
async function bomb(port: number, refs: number): Promise<string[]> {
  const c = await RawH2.connect(port);
  try {
    await c.waitFor((f) => f.type === T.SETTINGS);
    c.write(frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, Buffer.concat([requestBlock('GET', '/hello'), indexedLiteral('x-bomb', 'b'.repeat(4_000))])));
    const inserted = await outcome(c, 1);
    c.write(frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 3, Buffer.concat([requestBlock('GET', '/hello'), indexedFields(62, refs)])));
    const bombed = await outcome(c, 3);
    c.write(requestFrame(5, 'GET', '/hello', true));
    return [inserted, bombed, await outcome(c, 5)];
  } finally {
    c.destroy();
  }
}

test('HPACK bomb: 1,000 one-byte references to a 4 KB dynamic-table entry (4 MB decoded from 1 KB): the stream is reset, the connection keeps serving', async () => {
  const h = await startH2();
  const bare = await startBareH2();
  try {
    const before = heap();
    const [tiercel, node] = await Promise.all([bomb(h.port, 1_000), bomb(bare.port, 1_000)]);
    console.log(`\n  HPACK bomb ×1000: tiercel ${tiercel.join(', ')}; node:http2 ${node.join(', ')}`);
    // nghttp2 stops decoding into the list at the header list size, and resets the stream.
    assert.equal(tiercel, ['200', `rst ${NGHTTP2_ENHANCE_YOUR_CALM}`, '200']);
    assert.equal(node, tiercel);
    assert.equal(h.seen.requests, ['GET /hello', 'GET /hello'], 'the bombed request never reached the app');
    assert.ok(heap() - before < 8 * MiB);
  } finally {
    await Promise.all([h.stop(), bare.stop()]);
  }
});

test('HPACK bomb under the reset threshold: 10 references (40 KB decoded from 10 bytes) get 431 on tiercel, where node:http2 serves them', async () => {
  const h = await startH2();
  const bare = await startBareH2();
  try {
    const [tiercel, node] = await Promise.all([bomb(h.port, 10), bomb(bare.port, 10)]);
    console.log(`\n  HPACK bomb ×10: tiercel ${tiercel.join(', ')}; node:http2 ${node.join(', ')}`);
    // Past maxRequestHeadersTotalSize (32 KiB) and under nghttp2's list size (twice it).
    assert.equal(tiercel, ['200', '431', '200']);
    assert.equal(node, ['200', '200', '200']);
  } finally {
    await Promise.all([h.stop(), bare.stop()]);
  }
});

test('HPACK bombs on stream after stream (20 a write, 4 MB decoded each): every one refused, the connection closed, memory bounded', () =>
  floodBoth('hpack-bomb', ({ tiercel, node, h }) => {
    // Only the request that inserted the entry and the two legitimate ones reached the app.
    assert.is(h.seen.requests.length, 3);
    assert.ok(tiercel.responses <= 1, `${tiercel.responses} responses`);
    assert.ok(node.closed, 'node:http2 closes it too (its maxSessionRejectedStreams)');
  }));

test('HPACK bombs under the reset threshold on stream after stream (50 a write, 40 KB decoded from 10 bytes, each a 431): GOAWAY(ENHANCE_YOUR_CALM) past maxRejectedRequestsPerSecond', () =>
  floodBoth('small-bombs', ({ tiercel, node, h }) => {
    // Without the guard tiercel answered 18,500 of them in 4 s, a core busy and no GOAWAY (on
    // HTTP/1.1 the first 431 closes the connection). node:http2 serves each (200); it closed this
    // flood only because its answers, queued behind a read of 50 requests, passed the stream limit
    // (GOAWAY(INTERNAL_ERROR)).
    assert.is(tiercel.code, NGHTTP2_ENHANCE_YOUR_CALM);
    assert.ok(tiercel.responses <= 2 * 100, `${tiercel.responses} answers before the close`);
    assert.is(h.seen.requests.length, 3, 'only the request that inserted the entry and the two legitimate ones reached the app');
    assert.ok(node.closed);
  }));

// ---- dynamic table size updates -----------------------------------------------------------------

/** One request whose header block starts with `prefix`, then an ordinary one on the same connection. */
async function withPrefix(port: number, prefix: Buffer): Promise<string[]> {
  const c = await RawH2.connect(port);
  try {
    await c.waitFor((f) => f.type === T.SETTINGS);
    c.write(frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, Buffer.concat([prefix, requestBlock('GET', '/hello')])));
    const first = await outcome(c, 1);
    c.write(requestFrame(3, 'GET', '/hello', true));
    return [first, await outcome(c, 3)];
  } finally {
    c.destroy();
  }
}

test('dynamic table size updates: 5,000 at the start of a block are decoded and served (RFC 7541 §4.2); one past SETTINGS_HEADER_TABLE_SIZE gets GOAWAY(COMPRESSION_ERROR), as on node:http2', async () => {
  const h = await startH2();
  const bare = await startBareH2();
  try {
    // 14 KB of updates, cheap to apply (each empties or sizes an empty table) and bounded by the
    // frame size; a stream of such blocks is bytes without content for the flood guard.
    const many = Buffer.concat([tableSizeUpdates(0, 5_000), tableSizeUpdates(4_096, 3_000)]);
    const tooLarge = tableSizeUpdates(1 << 20);
    const [tManyOut, nManyOut, tTooLarge, nTooLarge] = await Promise.all([
      withPrefix(h.port, many),
      withPrefix(bare.port, many),
      withPrefix(h.port, tooLarge),
      withPrefix(bare.port, tooLarge),
    ]);
    assert.equal(tManyOut, ['200', '200']);
    assert.equal(nManyOut, tManyOut);
    assert.is(tTooLarge[0], `goaway ${NGHTTP2_COMPRESSION_ERROR}`);
    assert.equal(nTooLarge, tTooLarge);
  } finally {
    await Promise.all([h.stop(), bare.stop()]);
  }
});

test.run();
