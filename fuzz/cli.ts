// `npm run fuzz [-- target…]`: runs each fuzz target under Jazzer.js for TIERCEL_FUZZ_SECONDS
// (default 300) from its seeds and the corpus kept in node_modules/.cache/tiercel-fuzz/<target>/.
// An input that crashes a target is copied into fuzz/regressions/<target>/, where the replay in
// `npm test` runs it from then on. `npm run fuzz:runtime` only prepares the libraries Jazzer.js
// needs on Debian 12 (see runtime.ts).
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { repoRoot } from '../test/support/shared.js';
import { describeRun, runJazzer, writeSeeds } from './jazzer.js';
import { prepareRuntime, probeRuntime } from './runtime.js';
import { FUZZ_TARGETS } from './targets.js';

async function main(args: string[]): Promise<number> {
  if (args[0] === '--runtime') {
    let probe = probeRuntime();
    if (!probe.ok) {
      prepareRuntime();
      probe = probeRuntime();
    }
    console.log(probe.ok ? `fuzz runtime ready: ${probe.runtime.description}` : `fuzz runtime unusable: ${probe.reason}`);
    return probe.ok ? 0 : 1;
  }
  const unknown = args.filter((a) => !FUZZ_TARGETS.some((t) => t.name === a));
  if (unknown.length > 0) {
    console.error(`unknown target(s) ${unknown.join(', ')}; the targets are ${FUZZ_TARGETS.map((t) => t.name).join(', ')}`);
    return 2;
  }
  let probe = probeRuntime();
  if (!probe.ok) {
    console.log(`${probe.reason}\npreparing one now…`);
    prepareRuntime();
    probe = probeRuntime();
    if (!probe.ok) {
      console.error(probe.reason);
      return 1;
    }
  }
  const seconds = Number(process.env.TIERCEL_FUZZ_SECONDS ?? 300);
  const root = repoRoot();
  const cache = join(root, 'node_modules', '.cache', 'tiercel-fuzz');
  console.log(`fuzzing with ${probe.runtime.description}, ${seconds} s per target`);
  const summary: string[] = [];
  let findings = 0;
  for (const target of FUZZ_TARGETS.filter((t) => args.length === 0 || args.includes(t.name))) {
    const dir = join(cache, target.name);
    rmSync(join(dir, 'seeds'), { recursive: true, force: true });
    const seeds = writeSeeds(target, join(dir, 'seeds'));
    console.log(`\n== ${target.name}: ${seeds} seeds`);
    const result = await runJazzer(probe.runtime, target, join(dir, 'seeds'), {
      seconds,
      corpusDir: join(dir, 'corpus'),
      artifactDir: join(dir, 'artifacts'),
      onLine: (line) => {
        if (/^#\d+\s+(INITED|DONE|pulse)|^==\d+==|Error|Violation|Test unit written/.test(line)) console.log(line);
      },
    });
    for (const found of result.findings) {
      const kept = join(root, 'fuzz', 'regressions', target.name);
      mkdirSync(kept, { recursive: true });
      copyFileSync(found, join(kept, basename(found)));
      console.log(`kept ${found} as fuzz/regressions/${target.name}/${basename(found)}`);
      findings++;
    }
    if (result.findings.length > 0) console.log(result.tail);
    summary.push(describeRun(result));
  }
  console.log(`\n${summary.join('\n')}`);
  return findings === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
