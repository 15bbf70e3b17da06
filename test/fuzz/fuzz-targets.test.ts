// The fuzz targets in `npm test`: every seed and every input a fuzzer ever found
// (fuzz/regressions/<target>/) is replayed through its target in this process, then each target
// runs under Jazzer.js for TIERCEL_FUZZ_CI_SECONDS (default 10 s; 0 turns it off), from fresh seeds,
// and a finding fails the test. Where Jazzer.js cannot run (its addon needs glibc 2.38: see
// fuzz/runtime.ts and `npm run fuzz:runtime`) the time-boxed runs are reported skipped.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FUZZ_TARGETS } from '../../fuzz/targets.js';
import { conformanceCases } from '../../fuzz/seeds.js';
import { describeRun, runJazzer, writeSeeds } from '../../fuzz/jazzer.js';
import { probeRuntime } from '../../fuzz/runtime.js';
import { repoRoot } from '../support/shared.js';

const cases = conformanceCases();

function regressionInputs(target: string): [string, Buffer][] {
  const dir = join(repoRoot(), 'fuzz', 'regressions', target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))]);
}

for (const target of FUZZ_TARGETS) {
  test(`${target.name}: every seed and every kept finding passes the target`, async () => {
    const { fuzz } = (await import(`../../fuzz/${target.module}`)) as { fuzz: (data: Buffer) => void };
    const seeds = target.seeds(cases).map((s, i): [string, Buffer] => [`seed ${i}`, s]);
    const kept = regressionInputs(target.name);
    assert.ok(seeds.length > 0, 'the target has seeds');
    for (const [name, input] of [...seeds, ...kept]) {
      try {
        fuzz(input);
      } catch (err) {
        assert.unreachable(`${name} (base64 ${input.toString('base64')}): ${(err as Error).stack}`);
      }
    }
  });
}

const seconds = Number(process.env.TIERCEL_FUZZ_CI_SECONDS ?? 10);
const probe = seconds > 0 ? probeRuntime() : ({ ok: false, reason: 'TIERCEL_FUZZ_CI_SECONDS=0' } as const);
if (!probe.ok) console.warn(`\n!!! SKIPPING the time-boxed fuzz runs: ${probe.reason}\n`);

for (const target of FUZZ_TARGETS) {
  const name = `${target.name}: ${seconds} s of coverage-guided fuzzing under Jazzer.js finds nothing`;
  if (!probe.ok) {
    test.skip(name);
    continue;
  }
  test(name, async () => {
    const dir = mkdtempSync(join(tmpdir(), `tiercel-fuzz-${target.name}-`));
    try {
      writeSeeds(target, join(dir, 'seeds'));
      const result = await runJazzer(probe.runtime, target, join(dir, 'seeds'), {
        seconds,
        corpusDir: join(dir, 'corpus'),
        artifactDir: join(dir, 'artifacts'),
        seed: 1,
      });
      console.log(`  ${describeRun(result)}`);
      if (result.findings.length > 0) {
        const input = readFileSync(result.findings[0]);
        assert.unreachable(
          `${describeRun(result)}\ninput (base64): ${input.toString('base64')}\n${result.tail}\n` +
            `Keep it as a regression case: copy it into fuzz/regressions/${target.name}/ (npm run fuzz does).`,
        );
      }
      assert.is(result.exitCode, 0, `jazzer exited with ${result.exitCode}:\n${result.tail}`);
      assert.ok(result.executions > 0 && result.edges > 0, `jazzer ran no input:\n${result.tail}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
