import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CertDir, makeLeaf } from '../support/tls-certificates.js';

// A fresh process: in the test runner's own, other tests have long loaded everything.
const CHILD = fileURLToPath(new URL('./lazy-loading-child.js', import.meta.url));
const BUILTINS_CHILD = fileURLToPath(new URL('./lazy-builtins-child.js', import.meta.url));
const REPORT_LOADED = fileURLToPath(new URL('./fixtures/report-loaded.js', import.meta.url));
// The package's bin, as `npx tiercel` runs it: the bundle (from dist/test/hosting/, the root is three up).
const ROOT = new URL('../../../', import.meta.url);
const BIN = fileURLToPath(new URL((JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { bin: { tiercel: string } }).bin.tiercel, ROOT));

/**
 * `tiercel serve` (the demo app, one process) with REPORT_LOADED preloaded: once it listens,
 * `use(url)` runs, then Ctrl-C; what the process had loaded when it exited.
 */
async function serveDemo(use: (url: string) => Promise<void>): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', REPORT_LOADED, BIN, 'serve', '--urls', 'http://127.0.0.1:0', '--workers', '1', '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = once(child, 'exit');
  try {
    const deadline = Date.now() + 8_000;
    const serving = /serving the demo app on (\S+) \(Ctrl-C stops\)/;
    while (!serving.test(out)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`tiercel serve did not start: ${out}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await use(serving.exec(out)![1]);
  } finally {
    child.kill('SIGINT');
    await exited;
  }
  assert.is(child.exitCode, 0, out);
  const report = /loaded: (.*)/.exec(out);
  assert.ok(report !== null, `no report of what was loaded: ${out}`);
  return JSON.parse(report[1]) as string[];
}
const PACKAGES_CHILD = fileURLToPath(new URL('./lazy-packages-child.js', import.meta.url));

function runChild(child = CHILD, args: readonly string[] = []): Promise<Record<string, string[]>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [child, ...args], { timeout: 8_000 }, (err, stdout, stderr) => {
      if (err !== null) return reject(new Error(`${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout) as Record<string, string[]>);
    });
  });
}

test("import 'tiercel/hosting' loads none of tsyringe, ws, undici, selfsigned; each loads with the first use that needs it", async () => {
  const stages = await runChild();
  assert.equal(stages.import, [], 'nothing heavy at import');
  // A TestServer makes a container (tsyringe) and is a test client: undici (its fetch) loads with
  // it; ws is still not needed.
  assert.equal(stages.request, ['tsyringe', 'undici']);
  // The server's side of a WebSocket loads ws.
  assert.equal(stages.webSocket, ['tsyringe', 'ws', 'undici']);
  assert.equal(stages.devCertificate, ['tsyringe', 'ws', 'undici', 'selfsigned']);
});

test("node:http2 and node:tls load with the first HTTP/2 connection or HTTPS endpoint, not with 'tiercel/hosting' or HTTP/1.1; a stop during the load is honoured", async () => {
  // Made here: the child must not load node:crypto for its certificate.
  const dir = new CertDir();
  try {
    const pem = dir.writePem('leaf', await makeLeaf(['localhost']));
    const stages = await runChild(BUILTINS_CHILD, [pem.certFile, pem.keyFile]);
    assert.equal(stages.import, [], 'none at import');
    assert.equal(stages.http1, [], 'none for an http:// endpoint serving HTTP/1.1 (the HTTP/2 sniff included)');
    // node:http2 itself loads node:tls, so the HTTPS endpoint comes first.
    assert.equal(stages.https, ['tls', 'crypto'], 'an https:// endpoint loads TLS when the server starts');
    // The first h2c connection, with the server's stop requested before HTTP/2 had loaded for it:
    // HTTP/2 loads, and the connection gets its GOAWAY (7) and is closed, in time for the stop.
    assert.equal(stages.stopRequested, ['tls', 'crypto'], 'HTTP/2 had loaded before the stop: the test proved nothing');
    assert.ok(stages.framesAfterStop.includes('7'), `a GOAWAY before the close (frame types ${stages.framesAfterStop.join(', ')})`);
    assert.equal(stages.afterStop, ['http2', 'tls', 'crypto'], 'the first h2c connection loads HTTP/2');
    assert.equal(stages.http2, ['http2', 'tls', 'crypto']);
  } finally {
    dir.remove();
  }
});

test('tiercel serve listens without the demo routes\' middleware (router, compression, metrics API) nor built-ins it does not use yet; each loads with its first use', async () => {
  // Only the container: find-my-way, negotiator and zlib wait for their routes, the OpenTelemetry
  // API for an SDK (none is registered), cookie and proxy-addr for an app that uses them;
  // node:perf_hooks for the first connection the metrics time; fs streams, BlockList and
  // SocketAddress (which ES imports of node:fs and node:net would load) for nothing here.
  assert.equal(await serveDemo(async () => {}), ['tsyringe']);

  const used = await serveDemo(async (url) => {
    // Two first requests of one route at once: both wait for the same import, both are answered.
    const users = await Promise.all(['1', '2'].map(async (id) => (await fetch(`${url}/users/${id}`)).json()));
    assert.equal(users, [{ id: '1' }, { id: '2' }]);
    const big = await fetch(`${url}/big.json`, { headers: { 'accept-encoding': 'gzip' } });
    assert.is(big.headers.get('content-encoding'), 'gzip');
    assert.ok(((await big.json()) as unknown[]) !== null);
    const metrics = await fetch(`${url}/metrics`);
    assert.match(await metrics.text(), /http_server_request_duration_seconds_count\{[^}]*http_route="\/users\/:id"[^}]*\} 2/);
  });
  assert.equal(used, ['tsyringe', 'find-my-way', 'negotiator', 'node:zlib', 'node:perf_hooks']);
});

test("'tiercel/middleware' and 'tiercel/observability' load none of their CommonJS packages nor node:crypto at import; each loads with its first use", async () => {
  // Required, not imported: an ES import of CommonJS runs Node's export lexer over it, which left a
  // server ~5 MiB more RSS at start (bench/servers/tiercel.mjs) whether or not it routed a request.
  const stages = await runChild(PACKAGES_CHILD);
  assert.equal(stages.import, [], 'nothing at import');
  assert.equal(stages.router, ['find-my-way'], 'the first Router');
  assert.equal(stages.forwarded, ['find-my-way', 'proxy-addr'], 'the first forwardedHeaders()');
  assert.equal(stages.metrics, ['find-my-way', 'proxy-addr'], 'the first ServerMetrics, no SDK registered');
  assert.equal(stages.tracing, ['find-my-way', 'proxy-addr', '@opentelemetry/api'], 'the first tracing()');
  // The TestServer (its undici) may load node:crypto: the packages are what this stage checks.
  const packages = (stage: string[]): string[] => stage.filter((p) => p !== 'crypto');
  assert.equal(packages(stages.routed), ['find-my-way', 'proxy-addr', '@opentelemetry/api'], 'routing loads nothing more');
  assert.equal(packages(stages.negotiated), ['find-my-way', 'negotiator', 'proxy-addr', '@opentelemetry/api'], 'the first Accept-Encoding negotiated');
  assert.equal(packages(stages.cookie), ['find-my-way', 'negotiator', 'cookie', 'proxy-addr', '@opentelemetry/api'], 'the first Cookie header read');
});

test("import 'tiercel/hosting' loads neither node:os nor node:perf_hooks; 'auto' workers and the first event-loop check load each", async () => {
  // Built-ins outside Node's start-up snapshot are compiled when first loaded: an ES import of one
  // costs every start, used or not.
  const script = `
    const loaded = () => ['os', 'perf_hooks'].filter((b) => process.moduleLoadList.includes('NativeModule ' + b));
    const stages = {};
    const { resolveClusterOptions } = await import('tiercel/hosting');
    const { eventLoopDelayCheck } = await import('tiercel/middleware');
    stages.import = loaded();
    stages.workers = resolveClusterOptions({ workers: 'auto' }).workers;
    stages.auto = loaded();
    const loop = eventLoopDelayCheck({ thresholdMs: 1000, resolutionMs: 10 });
    stages.healthy = loop.check().status;
    loop.dispose();
    stages.check = loaded();
    process.stdout.write(JSON.stringify(stages));`;
  const stages = await new Promise<Record<string, unknown>>((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(ROOT), timeout: 8_000 }, (err, stdout, stderr) => {
      if (err !== null) return reject(new Error(`${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout) as Record<string, unknown>);
    });
  });
  assert.equal(stages.import, [], 'none at import');
  assert.ok(Number.isInteger(stages.workers) && (stages.workers as number) >= 1, `workers 'auto' is the cores (${String(stages.workers)})`);
  assert.equal(stages.auto, ['os'], "workers: 'auto' asks node:os");
  assert.is(stages.healthy, 'healthy');
  assert.equal(stages.check, ['os', 'perf_hooks'], 'the first event-loop check loads node:perf_hooks');
});

test.run();
