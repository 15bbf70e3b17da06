// Start-up costs, measured from the built dist/ (run `npm run build` first):
// - import: `await import('tiercel/hosting')` in a fresh process, against a bare `node -e ''`;
// - serve:  `tiercel serve` (the demo app) from process start to its "listening" line.
// Each command runs RUNS times, interleaved, so a busy machine slows all alike; the minimum is the
// least disturbed run. CPU time (user + system) is reported too: it moves less with the load.
//
//   node bench/startup.mjs            RUNS=20 (default)
import { spawn, spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env.RUNS ?? 20);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`RUNS must be a whole number of 1 or more (got ${process.env.RUNS})`);
const cpu = 'const u=process.cpuUsage();process.stdout.write(String((u.user+u.system)/1000))';

/** Wall and CPU ms of one short-lived process that prints its own CPU time at the end. */
function timed(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { wall, cpu: Number(r.stdout) };
}

/** Wall ms from spawning `tiercel serve` to its listening line; the process is then stopped. */
function serve() {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, ['dist/hosting/cli.js', 'serve', '--urls', 'http://127.0.0.1:0', '--log-level', 'warn'], { cwd: root });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tiercel serve did not start: ${out}`));
    }, 10_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (!out.includes('(Ctrl-C stops)')) return;
      const wall = Number(process.hrtime.bigint() - t0) / 1e6;
      clearTimeout(timer);
      child.once('exit', () => resolve({ wall, cpu: NaN }));
      child.kill('SIGINT');
    });
  });
}

const cases = {
  "node -e ''": () => timed(['-e', cpu]),
  "import('tiercel/hosting')": () => timed(['--input-type=module', '-e', `await import('./dist/hosting/index.js');${cpu}`]),
  'tiercel serve → listening': serve,
};
const results = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < runs; i++) for (const [name, run] of Object.entries(cases)) results[name].push(await run());

const stat = (values) => {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return v.length === 0 ? '—' : `${v[0].toFixed(0)} / ${v[v.length >> 1].toFixed(0)}`;
};
console.log(`${runs} runs each, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}`);
console.log('| | wall ms, min / median | CPU ms, min / median |\n|---|---|---|');
for (const [name, r] of Object.entries(results)) console.log(`| ${name} | ${stat(r.map((x) => x.wall))} | ${stat(r.map((x) => x.cpu))} |`);
