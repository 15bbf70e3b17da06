import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../support/shared.js';

export interface Ran {
  readonly code: number | null;
  /** stdout and stderr, interleaved as they came. */
  readonly output: string;
}

/**
 * Runs a command to its end, killed after `timeoutMs`. The child does not inherit
 * NODE_V8_COVERAGE: npm, tsc and a consumer's copy of tiercel are not the code under coverage, and
 * their coverage files would only slow c8's report down.
 */
export function run(command: string, args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<Ran> {
  const env = { ...process.env };
  delete env.NODE_V8_COVERAGE;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: code === null ? `${output}\n(killed after ${timeoutMs} ms)` : output });
    });
  });
}

/** Type-checks (or builds) the TypeScript project in `dir` with the repository's compiler. */
export function tsc(dir: string, timeoutMs?: number): Promise<Ran> {
  return run(process.execPath, [join(repoRoot(), 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir, '--pretty', 'false'], dir, timeoutMs);
}

/** What a consumer's strict tsconfig sets: `module: nodenext`, and the library's own types checked too. */
export const STRICT_CONSUMER_OPTIONS = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleDetection: 'force',
  strict: true,
  skipLibCheck: false,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
} as const;
