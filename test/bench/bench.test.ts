// The benchmark harness (bench/run.mjs, `npm run bench`) at a tiny scale, so that its tables cannot
// rot between full runs: real server processes, wrk, h2load and the WebSocket client, one short
// round each. It checks that every row reports what the issue asks for (server CPU per request,
// RSS at start, the idle HTTP/2 and WebSocket tables), never the figures themselves: those are the
// full run's (bench/RESULTS.md). RESULTS=- keeps the committed RESULTS.md untouched.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runHarness } from './harness.js';

const missing = ['wrk', 'h2load'].filter((tool) => spawnSync(tool, ['--version']).error !== undefined);
if (missing.length) console.warn(`\n!!! SKIPPING the bench smoke test: ${missing.join(' and ')} missing (apt-get install wrk nghttp2-client)\n`);

/** The first table under `### title`: its header cells and each row's cells, keyed by the first. */
function table(markdown: string, title: string): { header: string[]; rows: Map<string, string[]> } {
  const at = markdown.indexOf(`### ${title}\n`);
  assert.ok(at !== -1, `no "${title}" section in:\n${markdown}`);
  const lines = markdown.slice(at).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, i) => i > first && !line.startsWith('|'));
  const cells = (line: string): string[] => line.slice(1, -1).split('|').map((c) => c.trim());
  const [header, , ...body] = lines.slice(first, end).map(cells);
  // ⚠ marks a row below its bar, which a run this short may well be: the figures are not the point.
  return { header, rows: new Map(body.map((row) => [row[0].replace(/^⚠ /, ''), row])) };
}

const cell = (t: { header: string[]; rows: Map<string, string[]> }, row: string, column: string): string => {
  const r = t.rows.get(row);
  assert.ok(r !== undefined, `no row ${row} (rows: ${[...t.rows.keys()].join(', ')})`);
  const at = t.header.indexOf(column);
  assert.ok(at !== -1, `no column "${column}" in ${t.header.join(' | ')}`);
  return r[at];
};

test('npm run bench at a tiny scale: CPU per request and RSS at start in the rows, idle HTTP/2 and WebSocket tables', async () => {
  if (missing.length) return;
  const { code, stdout, stderr } = await runHarness(
    'run.mjs',
    {
      // The WebSocket row and the HTTP/1.1 idle table run the same code as these (and would double the time).
      SCENARIOS: 'plaintext,h2',
      SERVERS: 'node-http,tiercel,ceiling',
      ROUNDS: '1',
      DURATION: '1',
      WARMUP: '0',
      H2_REQUESTS: '2000',
      H2_CLIENTS: '2',
      H2_WARMUP_REQUESTS: '0',
      IDLE: 'h2,ws',
      IDLE_CONNECTIONS: '20',
      IDLE_SETTLE_MS: '100',
      INJECT_REQUESTS: '0',
      RESULTS: '-',
    },
    60_000,
  );
  assert.is(code, 0, `${stdout}\n${stderr}`);
  assert.not.match(stderr, /wrote bench\//, 'RESULTS=- must leave RESULTS.md alone');
  const micros = /^\d+\.\d µs$/;
  const mib = /^\d+\.\d MiB$/;

  const plaintext = table(stdout, 'Plaintext, keep-alive');
  for (const server of ['node-http', 'tiercel', 'ceiling']) {
    assert.match(cell(plaintext, server, 'server CPU per request'), micros);
    assert.match(cell(plaintext, server, 'RSS at start'), mib);
  }
  assert.match(stdout, /tiercel \/ ceiling server CPU per request: \d+\.\d\d×/);

  const h2 = table(stdout, 'HTTP/2 plaintext (h2c, prior knowledge)');
  for (const server of ['node:http2', 'tiercel']) assert.match(cell(h2, server, 'server CPU per request'), micros);
  assert.not.match(stdout, /### Idle keep-alive connections/, 'IDLE=h2,ws leaves the HTTP/1.1 table out');

  const idle: [string, string, string[]][] = [
    ['Idle HTTP/2 connections', 'per connection (median)', ['node:http2', 'tiercel']],
    ['Idle WebSockets', 'per socket (median)', ['ws on node:http', 'tiercel']],
  ];
  for (const [title, column, servers] of idle) {
    const t = table(stdout, title);
    for (const server of servers) {
      assert.match(cell(t, server, column), /^-?\d+\.\d KiB$/);
      for (const figure of ['marginal', 'warm']) {
        assert.match(cell(t, server, `${column.replace(' (median)', '')}, ${figure} (median)`), /^-?\d+\.\d KiB$/);
      }
      assert.is(cell(t, server, 'still open'), '20', `${title}: ${server}`);
      assert.match(cell(t, server, 'RSS at start'), mib);
    }
  }

  const start = table(stdout, 'RSS at start');
  for (const server of ['node-http', 'tiercel', 'ceiling', 'node:http2', 'ws on node:http']) assert.match(cell(start, server, 'RSS at start (median)'), mib);
});

test('the POST echo row starts every server afresh each round, and reports the median round', async () => {
  if (missing.length) return;
  const { code, stdout, stderr } = await runHarness(
    'run.mjs',
    { SCENARIOS: 'echo', SERVERS: 'node-http,tiercel', ROUNDS: '2', DURATION: '1', WARMUP: '0', ECHO_BYTES: '4096', IDLE_CONNECTIONS: '0', INJECT_REQUESTS: '0', RESULTS: '-' },
    60_000,
  );
  assert.is(code, 0, `${stdout}\n${stderr}`);
  const echo = table(stdout, 'POST echo, 4096 B');
  for (const server of ['node-http', 'tiercel']) {
    // A process per round: two different pids, each logged as it starts.
    const pids = [...stderr.matchAll(new RegExp(`echo round \\d/2 ${server}: a fresh process, pid (\\d+)`, 'g'))].map((m) => m[1]);
    assert.is(pids.length, 2, stderr);
    assert.is.not(pids[0], pids[1]);
    assert.match(cell(echo, server, 'req/s per round'), /^[\d,]+ \/ [\d,]+$/);
    assert.match(cell(echo, server, 'RSS after'), /^\d+\.\d MiB$/);
    assert.is(cell(echo, server, 'errors'), 'none');
  }
  assert.match(stdout, /Each round starts every server afresh/);
});

test.run();
