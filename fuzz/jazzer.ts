// Runs one fuzz target under Jazzer.js (libFuzzer) for a while and reads libFuzzer's report.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from '../test/support/shared.js';
import type { FuzzRuntime } from './runtime.js';
import type { FuzzTarget } from './targets.js';
import { conformanceCases } from './seeds.js';

export interface FuzzRunOptions {
  seconds: number;
  /** libFuzzer's working corpus: read at the start, and where new inputs are saved. */
  corpusDir: string;
  /** Where a crashing (or hanging) input is written. */
  artifactDir: string;
  /** libFuzzer's -seed; 0 lets it choose. */
  seed?: number;
  /** Each line of jazzer's output, as it comes. */
  onLine?: (line: string) => void;
}

export interface FuzzRunResult {
  target: string;
  /** How long libFuzzer ran (less than asked when it stopped at a finding). */
  seconds: number;
  /** Inputs run, and per second (libFuzzer's final stats). */
  executions: number;
  execsPerSecond: number;
  /** Coverage edges reached and features (edges with hit counts, compare hooks) at the end. */
  edges: number;
  features: number;
  corpusUnits: number;
  /** Paths of the inputs that crashed or hung the target (libFuzzer stops at the first). */
  findings: string[];
  exitCode: number | null;
  /** The end of jazzer's output, to show with a finding. */
  tail: string;
}

/** Writes the target's seeds (hand-written and from the conformance corpus) into `dir`. */
export function writeSeeds(target: FuzzTarget, dir: string): number {
  mkdirSync(dir, { recursive: true });
  const seeds = target.seeds(conformanceCases());
  seeds.forEach((s, i) => writeFileSync(join(dir, `seed-${String(i).padStart(4, '0')}`), s));
  return seeds.length;
}

const require = createRequire(import.meta.url);

/** Runs `target` for `options.seconds` from its seeds in `seedDir` and the corpus. */
export function runJazzer(runtime: FuzzRuntime, target: FuzzTarget, seedDir: string, options: FuzzRunOptions): Promise<FuzzRunResult> {
  const root = repoRoot();
  const dist = join(root, 'dist');
  mkdirSync(options.corpusDir, { recursive: true });
  mkdirSync(options.artifactDir, { recursive: true });
  const cli = require.resolve('@jazzer.js/core/dist/cli.js');
  const args = [
    ...runtime.prefix,
    process.execPath,
    cli,
    join(dist, 'fuzz', target.module),
    options.corpusDir,
    seedDir,
    '--sync',
    ...target.instrument.flatMap((dir) => ['-i', join(dist, dir)]),
    '--',
    `-max_total_time=${options.seconds}`,
    `-max_len=${target.maxLen}`,
    ...(target.dictionary === undefined ? [] : [`-dict=${join(root, 'fuzz', target.dictionary)}`]),
    '-timeout=10',
    '-rss_limit_mb=2048',
    `-seed=${options.seed ?? 0}`,
    `-artifact_prefix=${options.artifactDir}/`,
    '-print_final_stats=1',
  ];
  // Under c8 the child would write V8 coverage of instrumented code into the test run's report.
  const env = { ...process.env };
  delete env.NODE_V8_COVERAGE;
  const before = new Set(readdirSync(options.artifactDir));
  return new Promise((resolve, reject) => {
    const child = spawn(runtime.command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    // libFuzzer's own deadline is -max_total_time; this one catches a target stuck in one input.
    const deadline = setTimeout(() => child.kill('SIGKILL'), (options.seconds + 120) * 1000);
    const lines: string[] = [];
    let pending = '';
    const onData = (d: Buffer): void => {
      pending += d.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        lines.push(line);
        if (lines.length > 400) lines.splice(0, 200);
        options.onLine?.(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(deadline);
      if (pending.length > 0) lines.push(pending);
      const text = lines.join('\n');
      const stat = (name: string): number => Number(new RegExp(`stat::${name}:\\s*(\\d+)`).exec(text)?.[1] ?? 0);
      const last = [...text.matchAll(/cov: (\d+) ft: (\d+) corp: (\d+)/g)].pop();
      const findings = readdirSync(options.artifactDir)
        .filter((f) => !before.has(f))
        .map((f) => join(options.artifactDir, f));
      resolve({
        target: target.name,
        seconds: Number(/Done \d+ runs in (\d+) second/.exec(text)?.[1] ?? options.seconds),
        // libFuzzer's final stats are sometimes missing from the pipe when the child exits (seen on
        // the busiest targets); its last status line (`#<executions>\t…`) still counts the inputs run.
        executions: stat('number_of_executed_units') || Number([...text.matchAll(/^#(\d+)\t/gm)].pop()?.[1] ?? 0),
        execsPerSecond: stat('average_exec_per_sec'),
        edges: Number(last?.[1] ?? 0),
        features: Number(last?.[2] ?? 0),
        corpusUnits: Number(last?.[3] ?? 0),
        findings,
        exitCode: code,
        tail: lines.slice(-60).join('\n'),
      });
    });
  });
}

/** One line for a run: what libFuzzer reports, as the README and the commit messages quote it. */
export function describeRun(r: FuzzRunResult): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  return (
    `${r.target}: ${n(r.executions)} executions in ${r.seconds} s (${n(r.execsPerSecond)}/s), ` +
    `${n(r.edges)} edges, ${n(r.features)} features, corpus ${n(r.corpusUnits)}, ` +
    `${r.findings.length === 0 ? 'no finding' : `FINDING ${r.findings.join(', ')}`}`
  );
}
