// Runs one of bench/'s harnesses (run.mjs, soak/soak.mjs) as the smoke tests do: a child Node process
// with extra environment, its output collected, SIGINT after `timeoutMs` (the harnesses stop their
// servers and load generators on it before they exit).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../support/shared.js';

export interface HarnessRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `script` is relative to bench/, which is also the working directory. */
export function runHarness(script: string, env: Record<string, string>, timeoutMs: number): Promise<HarnessRun> {
  const bench = join(repoRoot(), 'bench');
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  // Coverage is about tiercel's own tests; the harness and its servers need not write any.
  delete childEnv.NODE_V8_COVERAGE;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(bench, script)], { cwd: bench, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
