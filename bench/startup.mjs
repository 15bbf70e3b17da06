// Start-up costs, measured from the build (run `npm run build` first):
// - import: `await import('tiercel/hosting')` in a fresh process (the package's export: the
//           bundle/ that scripts/bundle.mjs makes of dist/), against a bare `node -e ''`;
// - serve:  `tiercel serve --workers 1` (the package's bin, bundle/hosting/cli.cjs, serving the demo app from one process: the cost of a server, not of a cluster) from
//           spawning the process to its listening line, against a bare node:http server
//           (bench/servers/node-http.mjs) from spawn to its listening line;
//   a server's CPU time is its own report as it prints that line (bench/lib/cpu-at-ready.cjs,
//   preloaded into every server alike), its VmRSS is read from /proc the moment the line arrives.
// The same two from tsc's unbundled dist/ (one ES module per source file, what the tests run)
// are interleaved with them, so the bundle's gain is measured in the same run.
// Each case runs RUNS times, interleaved, so a busy machine slows all alike. Wall time moves with
// the machine's load (2 shared cores here); CPU time (user + system) much less, so both are shown,
// as min / median / p90 over the runs (the p90 - min gap is the spread).
//
// BEFORE=<folder> adds the same two rows for another build of tiercel (a checkout of an earlier
// commit, built, its node_modules linked; its bundle/ if it has one, else its dist/), interleaved
// too: a before/after in one run.
//
//   node bench/startup.mjs            RUNS=30 (default)
//   BEFORE=/tmp/tiercel-before node bench/startup.mjs
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readCpuSeconds } from './lib/cpu.mjs';
import { readMemory } from './lib/processes.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env.RUNS ?? 30);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`RUNS must be a whole number of 1 or more (got ${process.env.RUNS})`);
// A short-lived process reports its own CPU time (µs precision); /proc's is in 10 ms ticks.
const cpu = 'const u=process.cpuUsage();process.stdout.write(String((u.user+u.system)/1000))';

/** Wall and CPU ms of one short-lived process that prints its own CPU time at the end. */
function timed(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { wall, cpu: Number(r.stdout), rss: NaN };
}

const CPU_AT_READY = fileURLToPath(new URL('./lib/cpu-at-ready.cjs', import.meta.url));
/** Wall ms from spawning a server to the line that says it listens, with its CPU ms and RSS (MiB) then; the server is then stopped. */
function server(args, ready) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--require', CPU_AT_READY, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CPU_AT_READY: ready } });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')} did not start: ${out}`));
    }, 10_000);
    child.stderr.on('data', (d) => (out += d));
    child.stdout.on('data', (d) => {
      out += d;
      if (!out.includes(ready)) return;
      const wall = Number(process.hrtime.bigint() - t0) / 1e6;
      // Its own report (µs); /proc's 10 ms ticks if it made none.
      const reported = /cpu-at-ready (\S+)/.exec(out);
      const cpuMs = reported !== null ? Number(reported[1]) : readCpuSeconds(child.pid) * 1000;
      const rss = (readMemory(child.pid)?.rssKiB ?? NaN) / 1024;
      clearTimeout(timer);
      child.once('exit', () => resolve({ wall, cpu: cpuMs, rss }));
      child.kill('SIGKILL');
    });
  });
}

const bin = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).bin.tiercel;
const SERVE = ['serve', '--urls', 'http://127.0.0.1:0', '--log-level', 'warn', '--workers', '1'];
const INSTALLED_PEERS = ['--require', 'reflect-metadata', '--require', 'tsyringe'];
const shipped = (name) => `./bundle/vendor/${readdirSync(join(root, 'bundle', 'vendor')).find((f) => f.startsWith(`${name}-`) && f.endsWith('.cjs'))}`;
const PEERS = ['--require', shipped('reflect-metadata'), '--require', shipped('tsyringe')];
const SERVE_CODE = pathToFileURL(join(root, 'bundle', 'hosting', 'demo-app.js')).href;
const cases = {
  "node -e ''": () => timed(['-e', cpu]),
  "import('tiercel/hosting')": () => timed(['--input-type=module', '-e', `await import('tiercel/hosting');${cpu}`]),
  'node:http → listening': () => server(['bench/servers/node-http.mjs', '0'], 'listening'),
  // The floor under `tiercel serve`, one component at a time on top of the bare node:http server,
  // each preloaded by require() as tiercel loads it: the peer dependencies (reflect-metadata and
  // tsyringe) as installed (35 files) and as the one-file copies the bundle ships (bundle/vendor/,
  // what tiercel uses); then also the code `tiercel serve` loads before it listens (the bundle's
  // demo-app entry: its chunks). tiercel serve minus the last is the CLI, the configuration, the
  // container, the app and start().
  'node:http + peers as installed → listening': () => server([...INSTALLED_PEERS, 'bench/servers/node-http.mjs', '0'], 'listening'),
  'node:http + peers as shipped → listening': () => server([...PEERS, 'bench/servers/node-http.mjs', '0'], 'listening'),
  "node:http + peers + tiercel's serve code → listening": () => server([...PEERS, '--import', SERVE_CODE, 'bench/servers/node-http.mjs', '0'], 'listening'),
  'tiercel serve → listening': () => server([bin, ...SERVE], '(Ctrl-C stops)'),
  "unbundled: import('dist/hosting/index.js')": () => timed(['--input-type=module', '-e', `await import('./dist/hosting/index.js');${cpu}`]),
  'unbundled: dist/hosting/cli.js serve → listening': () => server(['dist/hosting/cli.js', ...SERVE], '(Ctrl-C stops)'),
};
const before = process.env.BEFORE;
if (before !== undefined) {
  // What that build publishes: its bundle/ if it has one (built since the bundle landed), else tsc's dist/.
  const built = existsSync(join(before, 'bundle', 'hosting', 'cli.js')) ? 'bundle' : 'dist';
  const hosting = pathToFileURL(join(before, built, 'hosting', 'index.js')).href;
  cases[`BEFORE (${built}/): import('tiercel/hosting')`] = () => timed(['--input-type=module', '-e', `await import(${JSON.stringify(hosting)});${cpu}`]);
  // Its own bin (a CommonJS launcher since the code caches; cli.js before), from dist/ when it had no bundle.
  const beforeBin = built === 'bundle' ? JSON.parse(readFileSync(join(before, 'package.json'), 'utf8')).bin.tiercel : join('dist', 'hosting', 'cli.js');
  cases[`BEFORE (${built}/): tiercel serve → listening`] = () => server([join(before, beforeBin), ...SERVE], '(Ctrl-C stops)');
}
const results = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < runs; i++) for (const [name, run] of Object.entries(cases)) results[name].push(await run());

const sorted = (values) => values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
const median = (values) => sorted(values)[(sorted(values).length - 1) >> 1];
function stat(values, digits = 0) {
  const v = sorted(values);
  if (v.length === 0) return '—';
  const at = (q) => v[Math.min(v.length - 1, Math.floor(q * (v.length - 1)))].toFixed(digits);
  return `${at(0)} / ${at(0.5)} / ${at(0.9)}`;
}
const of = (name, field) => results[name].map((r) => r[field]);

console.log(`${runs} runs each, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}`);
console.log('\n| | wall ms, min / median / p90 | CPU ms, min / median / p90 | RSS MiB at listening, min / median / p90 |\n|---|---|---|---|');
for (const name of Object.keys(cases)) console.log(`| ${name} | ${stat(of(name, 'wall'))} | ${stat(of(name, 'cpu'))} | ${stat(of(name, 'rss'), 1)} |`);

const above = (field, name, base) => median(of(name, field)) - median(of(base, field));
console.log(
  `\nimport above bare node (medians): wall ${above('wall', "import('tiercel/hosting')", "node -e ''").toFixed(0)} ms, ` +
    `CPU ${above('cpu', "import('tiercel/hosting')", "node -e ''").toFixed(0)} ms (goal: ≤ 60 ms)`,
);
console.log(
  `unbundled import above bare node (medians): wall ${above('wall', "unbundled: import('dist/hosting/index.js')", "node -e ''").toFixed(0)} ms, ` +
    `CPU ${above('cpu', "unbundled: import('dist/hosting/index.js')", "node -e ''").toFixed(0)} ms`,
);
console.log(`tiercel serve to listening (median): wall ${median(of('tiercel serve → listening', 'wall')).toFixed(0)} ms (goal: < 150 ms)`);
console.log(
  `tiercel serve to listening above node:http (medians): wall ${above('wall', 'tiercel serve → listening', 'node:http → listening').toFixed(0)} ms, ` +
    `CPU ${above('cpu', 'tiercel serve → listening', 'node:http → listening').toFixed(0)} ms`,
);
const floor = [
  ['reflect-metadata + tsyringe, installed (35 files)', 'node:http + peers as installed → listening', 'node:http → listening'],
  ['reflect-metadata + tsyringe, shipped copies (2 files)', 'node:http + peers as shipped → listening', 'node:http → listening'],
  ["tiercel's serve code (loaded)", "node:http + peers + tiercel's serve code → listening", 'node:http + peers as shipped → listening'],
  ['the CLI, configuration, container, app and start()', 'tiercel serve → listening', "node:http + peers + tiercel's serve code → listening"],
];
console.log('tiercel serve above node:http, component by component:');
for (const [what, name, base] of floor) console.log(`  ${what}: wall ${above('wall', name, base).toFixed(0)} ms, CPU ${above('cpu', name, base).toFixed(0)} ms (medians)`);
console.log(`RSS at listening above node:http (medians): ${above('rss', 'tiercel serve → listening', 'node:http → listening').toFixed(1)} MiB (goal: ≤ 10 MiB)`);
