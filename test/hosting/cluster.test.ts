// `tiercel serve --workers N` and runClustered, as an operator runs them: real processes
// (node:cluster's primary and workers), real sockets, real signals. Every process started here is
// killed in a finally. The load tests (wrk) are in cluster-load.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { alive, answeringPids, cli, get, kill, pidsIn, scratchDir, serve, startProcess, until, writeSlowApp } from '../support/cluster-processes.js';
import { delay } from '../support/streams.js';

const hostingIndex = pathToFileURL(fileURLToPath(new URL('../../hosting/index.js', import.meta.url))).href;
const pipelineIndex = pathToFileURL(fileURLToPath(new URL('../../pipeline/index.js', import.meta.url))).href;
const slowApp = writeSlowApp();

// runClustered from code, with a short back-off; GET /crash ends the worker that takes it.
const fromCode = join(scratchDir, 'from-code.mjs');
writeFileSync(
  fromCode,
  `import { Server, runClustered } from ${JSON.stringify(hostingIndex)};
import { ApplicationBuilder } from ${JSON.stringify(pipelineIndex)};
const hosted = await runClustered(() => {
  const server = new Server({ logLevel: 'warn' });
  server.useHttp(new ApplicationBuilder().run((ctx) => {
    if (ctx.request.path === '/crash') process.exit(3);
    ctx.response.send(String(process.pid));
  }));
  server.listen('http://127.0.0.1:0');
  return server;
}, { workers: 2, restartDelayMs: 20, maxRestartDelayMs: 40 });
if (hosted.role === 'primary') console.log('primary ready ' + hosted.host.urls[0]);
`,
);

test('SIGTERM drains the workers: a request in flight is answered, then the primary exits 0 and every worker is gone', async () => {
  const r = await serve(slowApp, '--workers', '2', '--urls', 'http://127.0.0.1:0');
  try {
    const workers = pidsIn(r.output());
    assert.is(workers.length, 2, r.output());
    const inFlight = get(`${r.url}/slow`);
    await delay(100);
    r.child.kill('SIGTERM');
    const res = await inFlight;
    assert.is(res.status, 200);
    assert.ok(workers.includes(Number(res.body)), `answered by a worker: ${res.body}`);
    assert.equal(await r.exited, { code: 0, signal: null }, r.output());
    assert.ok(workers.every((pid) => !alive(pid)), 'the workers have exited');
    assert.ok(r.output().includes('SIGTERM: stopping gracefully'), r.output());
    const refused = await get(`${r.url}/pid`).catch((err: NodeJS.ErrnoException) => err.code);
    assert.is(refused, 'ECONNREFUSED');
  } finally {
    await kill(r);
  }
});

test('--workers 1 is one process: the CLI process itself answers, no cluster', async () => {
  const r = await serve('--workers', '1', '--urls', 'http://127.0.0.1:0');
  try {
    assert.equal(await answeringPids(`${r.url}/whoami`, 4), new Set([r.child.pid]));
    assert.not.ok(r.output().includes('tiercel.cluster'), r.output());
  } finally {
    r.child.kill('SIGINT');
    assert.equal(await r.exited, { code: 0, signal: null }, r.output());
  }
});

test('a unix socket URL is shared by the workers; the socket file goes when they stop', async () => {
  const socketPath = join(scratchDir, 'cluster.sock');
  const r = await serve(slowApp, '--workers', '2', '--urls', `http://127.0.0.1:0;http://unix:${socketPath}`);
  try {
    const pids = await answeringPids('http://localhost/pid', 24, socketPath);
    assert.equal(pids, new Set(pidsIn(r.output())), 'both workers answer on the unix socket');
    r.child.kill('SIGTERM');
    assert.equal(await r.exited, { code: 0, signal: null }, r.output());
    assert.not.ok(existsSync(socketPath), 'the socket file was removed');
  } finally {
    await kill(r);
  }
});

test('runClustered from code: a crash loop is replaced with back-off and logged at error once per back-off step', async () => {
  const r = await startProcess([fromCode], /primary ready (\S+)/);
  try {
    const first = await answeringPids(`${r.url}/pid`, 12);
    assert.is(first.size, 2);
    // Three deaths in a row, faster than stableAfterMs: delays 20, 40 (the ceiling), 40 ms.
    const seen = new Set(first);
    for (let i = 1; i <= 3; i++) {
      await get(`${r.url}/crash`).catch(() => undefined);
      await until(`replacement ${i}`, async () => {
        // A request of ours that node:cluster was handing to the worker as it exited stays
        // unanswered (see cluster-load.test.ts): ask again.
        const now = await answeringPids(`${r.url}/pid`, 6).catch(() => new Set<number>());
        for (const pid of now) seen.add(pid);
        return now.size === 2 && seen.size === 2 + i;
      });
    }
    const errors = r.output().match(/^error: tiercel\.cluster: A worker died.*$/gm) ?? [];
    assert.is(errors.length, 2, `one error line for the 20 ms step, one for the 40 ms ceiling, none for the third death: ${r.output()}`);
    assert.match(errors[0]!, /"exit":"code 3".*"restartInMs":20/);
    assert.match(errors[1]!, /"restartInMs":40/);
  } finally {
    r.child.kill('SIGTERM');
    assert.equal(await r.exited, { code: 0, signal: null }, r.output());
    await kill(r);
  }
});

test('a worker that cannot start fails the start: exit code 1 with the reason', async () => {
  const busy = await serve('--workers', '1', '--urls', 'http://127.0.0.1:0');
  try {
    const child = spawn(process.execPath, [cli, 'serve', '--workers', '2', '--urls', busy.url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const [code] = await once(child, 'exit');
    assert.is(code, 1, out);
    assert.ok(out.includes('ERR_TIERCEL_ADDRESS_IN_USE'), out);
    assert.ok(out.includes('ERR_TIERCEL_CLUSTER_START'), out);
  } finally {
    await kill(busy);
  }
});

test('--workers refuses what is not a count', async () => {
  for (const value of ['0', '1.5']) {
    const child = spawn(process.execPath, [cli, 'serve', '--workers', value, '--urls', 'http://127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stderr!.on('data', (d) => (out += d));
    const [code] = await once(child, 'exit');
    assert.is(code, 1, out);
    assert.ok(out.includes('ERR_TIERCEL_CONFIG_INVALID: workers: must be a whole number'), out);
  }
});

test.run();
