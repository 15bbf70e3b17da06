// Floods and slow clients over real TCP, each attack run against tiercel and, beside it, against
// a bare node:http server: the attackers are cut within the configured limit, a legitimate client
// is served while the attack runs, and memory stays bounded. Limits are small so each attack takes
// a second or two; test/soak/http1-floods.soak.ts runs the same attackers for minutes.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  KeepAliveClient,
  besideLegit,
  connectionFlood,
  heap,
  fetchOnce,
  floodCuts,
  pipelinedBatch,
  slowBody,
  slowHeaders,
  slowRead,
  startNodeServer,
  startTiercelServer,
  type AttackReport,
  type Legit,
  type Target,
  type TiercelTarget,
} from '../../support/attacks.js';
import type { HttpLimits } from '../../../protocols/index.js';
import { delay } from '../../support/streams.js';

const MiB = 1024 * 1024;
/** The heartbeat checks timeouts once a second and allows one interval more (see Heartbeat.isPast). */
const TICKS = 2_000;

function line(name: string, t: AttackReport, legit: Legit): string {
  return `${name}: cut ${t.cut}/${t.cuts.length} (median ${t.medianMs} ms, slowest ${t.slowestMs} ms), legit ${legit.ok} ok/${legit.failed} failed (slowest ${legit.slowestMs} ms)`;
}

const NODE_TIMEOUTS = { headersTimeoutMs: 300, requestTimeoutMs: 1_000, checkingIntervalMs: 1_000 };

/**
 * Runs a slow attack against tiercel (with `limits`) and node:http (headersTimeout 300 ms,
 * requestTimeout 1 s) at once, each beside a legitimate client, and asserts tiercel's side: every
 * attacker answered `status` and closed within `cutWithinMs`, the legitimate client always
 * served, the heap and the connections back where they were, no error logged.
 */
async function slowAttack(
  title: string,
  limits: Partial<HttpLimits>,
  attack: (port: number) => Promise<AttackReport>,
  o: { readonly status: number; readonly cutWithinMs: number },
): Promise<TiercelTarget> {
  const tiercel = await startTiercelServer(limits);
  const node = await startNodeServer(NODE_TIMEOUTS);
  try {
    const before = heap();
    const [t, n] = await Promise.all([besideLegit(tiercel, attack(tiercel.port)), besideLegit(node, attack(node.port))]);
    const grew = heap() - before;
    console.log(`\n  ${title}:\n    ${line('tiercel', t.result, t.legit)}\n    ${line('node:http', n.result, n.legit)}\n    heap +${(grew / MiB).toFixed(1)} MiB`);
    assert.is(t.result.cut, t.result.cuts.length, 'an attacker was still connected when the attack gave up');
    assert.ok(t.result.slowestMs <= o.cutWithinMs, `cut after ${t.result.slowestMs} ms`);
    for (const c of t.result.cuts) assert.is(c.status, o.status);
    assert.ok(t.legit.ok > 0 && t.legit.failed === 0, JSON.stringify(t.legit));
    assert.ok(grew < 16 * MiB, `heap grew ${grew} bytes`);
    assert.is(tiercel.openConnections(), 0);
    assert.equal(tiercel.logger.errors(), []);
    return tiercel;
  } finally {
    await Promise.all([tiercel.stop(), node.stop()]);
  }
}

test('slow headers (slowloris): every attacker gets 408 and is closed at requestHeadersTimeoutMs; legit clients are served meanwhile', async () => {
  const limit = 300;
  const options = { count: 50, intervalMs: 100, durationMs: limit + TICKS + 1_000 };
  await slowAttack(`slow headers x${options.count}, limit ${limit} ms`, { requestHeadersTimeoutMs: limit }, (port) => slowHeaders(port, options), {
    status: 408,
    cutWithinMs: limit + TICKS + 300,
  });
});

test('slow body (R-U-Dead-Yet): every attacker gets 408 and is closed under minRequestBodyDataRate; legit clients are served meanwhile', async () => {
  const rate = { bytesPerSecond: 1_000, gracePeriodMs: 300 };
  const options = { count: 50, intervalMs: 100, durationMs: rate.gracePeriodMs + TICKS + 1_000, path: '/sha', contentLength: 100_000 };
  const tiercel = await slowAttack(
    `slow body x${options.count}, 10 B/s against ${rate.bytesPerSecond} B/s (node:http: requestTimeout 1 s)`,
    { minRequestBodyDataRate: rate },
    (port) => slowBody(port, options),
    { status: 408, cutWithinMs: rate.gracePeriodMs + TICKS + 300 },
  );
  assert.is(tiercel.bodyErrors.length, options.count);
  assert.ok(tiercel.bodyErrors.every((e) => e === 'ERR_TIERCEL_BODY_TIMEOUT'), tiercel.bodyErrors.join());
});

test('slow read: attackers taking a large response at 1 KB/s are cut under minResponseDataRate; a fast download beside them completes', async () => {
  // The kernel takes ~4 MB of a response the client does not read (loopback socket buffers):
  // those bytes left the server and earn their time at the rate, so the rate is high enough for
  // the attack to end in a second or two. The legitimate download reads far faster than it.
  const rate = { bytesPerSecond: 8_000_000, gracePeriodMs: 300 };
  const size = 64 * MiB;
  const tiercel = await startTiercelServer({ minResponseDataRate: rate });
  const node = await startNodeServer();
  try {
    const before = heap();
    const request = `GET /big?size=${size} HTTP/1.1\r\nHost: x\r\n\r\n`;
    const options = { count: 10, request, bytesPerSecond: 1_000, durationMs: 5_000 };
    const legitDownload = async (target: Target): Promise<{ bytes: number; ms: number }> => {
      const a = await fetchOnce(target.port, `/big?size=${8 * MiB}`, undefined, 10_000);
      return { bytes: a.status === 200 ? a.body.length : -1, ms: a.ms };
    };
    const [t, n, tl, nl] = await Promise.all([
      slowRead(tiercel.port, { ...options, serverCut: () => tiercel.aborted() }),
      slowRead(node.port, { ...options, durationMs: 2_000, serverCut: () => node.aborted() }),
      delay(200).then(() => legitDownload(tiercel)),
      delay(200).then(() => legitDownload(node)),
    ]);
    const grew = heap() - before;
    console.log(
      `\n  slow read x${options.count} at 1 KB/s against ${rate.bytesPerSecond} B/s:` +
        `\n    tiercel: server cut ${t.serverCut}/${options.count} after ${t.serverCutMs} ms (slowest ${Math.max(...tiercel.cutAfterMs)} ms after its head); 8 MiB download beside it: ${tl.bytes} bytes in ${tl.ms} ms` +
        `\n    node:http: server cut ${n.serverCut}/${options.count} in 2 s (no minimum response rate); 8 MiB download: ${nl.bytes} bytes in ${nl.ms} ms` +
        `\n    heap +${(grew / MiB).toFixed(1)} MiB`,
    );
    assert.is(t.serverCut, options.count, 'a slow reader was never cut');
    // What left for each reader (~4 MB the kernel took) is credited at the first tick (within a
    // second) and earns grace + 0.5 s at the rate; the deadline is checked with one tick's allowance.
    const slowest = Math.max(...tiercel.cutAfterMs);
    assert.ok(slowest <= 1_000 + rate.gracePeriodMs + 500 + TICKS + 500, `a reader was cut ${slowest} ms after its head`);
    assert.is(tl.bytes, 8 * MiB, 'the legitimate download did not complete');
    assert.ok(grew < 16 * MiB, `heap grew ${grew} bytes`);
    assert.equal(tiercel.logger.errors(), []);
  } finally {
    await Promise.all([tiercel.stop(), node.stop()]);
  }
});

test('connection flood over maxConcurrentConnections: the excess is closed at once, held connections are cut at the timeout, a connected client keeps being served', async () => {
  const max = 20;
  const limit = 300;
  const count = 500;
  // An idle new connection is closed at requestHeadersTimeoutMs (the wait for its first bytes);
  // the keep-alive timeout is left long so that only the attackers are cut.
  const tiercel = await startTiercelServer({ requestHeadersTimeoutMs: limit }, { maxConcurrentConnections: max });
  const node = await startNodeServer({ ...NODE_TIMEOUTS, maxConnections: max });
  try {
    const results: string[] = [];
    for (const target of [tiercel, node] as Target[]) {
      // A client connected before the flood, and served on that connection during it.
      const legit = await KeepAliveClient.connect(target.port);
      assert.is((await legit.get('/hello')).status, 200);
      const before = heap();
      const flood = await connectionFlood(target.port, { count, settleMs: 0 });
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await legit.get('/hello'));
      const cuts = await floodCuts(flood.watched, limit + TICKS + 500);
      // Once the held connections are gone, a new client gets in.
      const fresh = await fetchOnce(target.port, '/hello');
      const grew = heap() - before;
      legit.close();
      for (const s of flood.sockets) s.destroy();
      results.push(
        `${target.name}: peak open ${target.peakOpen()}, ${cuts.cut}/${count} closed (median ${cuts.medianMs} ms, last ${cuts.slowestMs} ms), ` +
          `connected client ${answers.filter((a) => a.status === 200).length}/3 during the flood, new client after: ${fresh.status}, heap +${(grew / MiB).toFixed(1)} MiB`,
      );
      if (target === tiercel) {
        const stats = tiercel.server.stats;
        assert.ok(target.peakOpen() <= max, `the server held ${target.peakOpen()} connections with a limit of ${max}`);
        // Every attacker was either refused at once or accepted into a free slot, then cut.
        assert.is(stats.accepted + stats.rejected, count + 2);
        assert.ok(stats.rejected >= count - max * 10, `only ${stats.rejected} of ${count} were refused`);
        assert.is(cuts.cut, count, 'a held connection was never cut');
        assert.ok(cuts.slowestMs <= limit + TICKS + 500, `cut after ${cuts.slowestMs} ms`);
        for (const a of answers) assert.is(a.status, 200);
        assert.is(fresh.status, 200);
        assert.ok(grew < 16 * MiB, `heap grew ${grew} bytes`);
      }
    }
    console.log(`\n  connection flood of ${count} over a limit of ${max}:\n    ${results.join('\n    ')}`);
    assert.equal(tiercel.logger.errors(), []);
  } finally {
    await Promise.all([tiercel.stop(), node.stop()]);
  }
});

test('a huge pipelined batch is answered in full and in order, while another client is served beside it, in bounded memory', async () => {
  const tiercel = await startTiercelServer({});
  const node = await startNodeServer();
  try {
    const results: string[] = [];
    for (const target of [tiercel, node] as Target[]) {
      const before = heap();
      const requests = 50_000;
      const [batch, legit] = await besideLegit(
        target,
        pipelinedBatch(target.port, { requests, request: 'GET /hello HTTP/1.1\r\nHost: x\r\n\r\n', perWrite: 2_000, timeoutMs: 8_000 }),
        20,
      ).then((r) => [r.result, r.legit] as const);
      const grew = heap() - before;
      results.push(`${target.name}: ${batch.responses}/${requests} answered in ${batch.ms} ms (${(batch.sentBytes / MiB).toFixed(1)} MiB sent), legit ${legit.ok} ok/${legit.failed} failed (slowest ${legit.slowestMs} ms), heap +${(grew / MiB).toFixed(1)} MiB`);
      if (target === tiercel) {
        assert.is(batch.responses, requests);
        assert.ok(legit.ok > 0 && legit.failed === 0, JSON.stringify(legit));
        assert.ok(grew < 16 * MiB, `heap grew ${grew} bytes`);
      }
    }
    console.log(`\n  50,000 pipelined requests on one connection:\n    ${results.join('\n    ')}`);
    assert.equal(tiercel.logger.errors(), []);
  } finally {
    await Promise.all([tiercel.stop(), node.stop()]);
  }
});

test.run();
