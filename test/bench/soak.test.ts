// The soak harness (bench/soak, `npm run soak`) at a tiny scale, so that it cannot rot between
// full runs: a real server process, wrk, connect cycles and WebSocket cycles over cleartext and
// TLS, every phase's checks (requests served, no errors, descriptors, handles and timers back to
// the baseline) passing. RSS and the live heap are judged over a few dozen samples only, so the
// band is loosened here (the full run uses 5 %): the smoke test keeps the harness working, the
// full run (bench/SOAK.md) is the measurement.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runHarness } from './harness.js';

const hasWrk = spawnSync('wrk', ['--version']).error === undefined;
if (!hasWrk) console.warn('\n!!! SKIPPING the soak smoke test: wrk is missing (apt-get install wrk)\n');

test('npm run soak at a tiny scale: every phase over cleartext and TLS passes its checks', async () => {
  if (!hasWrk) return;
  const { code, stdout, stderr } = await runHarness(
    'soak/soak.mjs',
    {
      SOAK_REQUESTS: '10000',
      SOAK_CONNECTS: '400',
      SOAK_WS_CYCLES: '80',
      SOAK_SAMPLE_MS: '50',
      SOAK_GC_MS: '100',
      SOAK_WARMUP: '50',
      SOAK_RSS_TOLERANCE: '25',
      SOAK_SETTLE_MS: '5000',
      SOAK_REPORT: '-',
    },
    60_000,
  );
  assert.is(code, 0, `${stdout}\n${stderr}`);
  const rows = stdout.split('\n').filter((line) => /^\| (keep-alive|connects|websocket) \(/.test(line));
  const cells = rows.map((row) => row.split(' | ').map((cell) => cell.replace(/^\| | \|$/g, '')));
  assert.equal(
    cells.map((c) => c[0]),
    ['keep-alive (http)', 'connects (http)', 'websocket (http)', 'keep-alive (https)', 'connects (https)', 'websocket (https)'],
  );
  assert.equal(cells.map((c) => c[1]), ['10,000 requests', '400 connects', '80 cycles', '10,000 requests', '400 connects', '80 cycles']);
  for (const c of cells) {
    // 'pass', or 'pass (not judged: …)' when a phase this short had too few samples for a band.
    assert.ok(c.at(-1)!.startsWith('pass'), c.join(' | '));
    // Descriptors, handles and timers: baseline → after, equal.
    for (const cell of c.slice(-4, -1)) {
      const [before, after] = cell.split(' → ');
      assert.is(after, before, `${c[0]}: ${cell}`);
    }
  }
});

test.run();
