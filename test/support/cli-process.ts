// `tiercel serve` as a child process, for the tests of what the command line and the
// configuration file do: start it, wait for its start-up line, stop it with Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import { curl } from './clients.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'hosting', 'cli.js');

export interface CliRun {
  readonly child: ChildProcess;
  output(): string;
}

/** `tiercel …` in `cwd` with only `env` of the tiercel variables set (the test runner's own are dropped). */
export function runCli(cwd: string, args: string[], env: Record<string, string> = {}): CliRun {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TIERCEL_') && k !== 'PORT'));
  const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out };
}

/** Waits for the start-up line; the URLs it names. */
export async function started(r: CliRun): Promise<string[]> {
  const line = /serving .* on (.*) \(Ctrl-C stops\)/;
  const deadline = Date.now() + 10_000;
  while (!line.test(r.output())) {
    if (r.child.exitCode !== null || Date.now() > deadline) throw new Error(`tiercel did not start: ${r.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return line.exec(r.output())![1].split(', ');
}

/** Ctrl-C, and the process must exit with 0. */
export async function stop(r: CliRun): Promise<void> {
  r.child.kill('SIGINT');
  const [code] = await once(r.child, 'exit');
  assert.is(code, 0, r.output());
}

/** The body of a GET by curl, which must succeed. */
export async function body(url: string, ...args: string[]): Promise<string> {
  const res = await curl(['-sS', ...args, url]);
  assert.is(res.code, 0, res.stderr);
  return res.stdout.toString();
}
