// Real tiercel processes for the cluster tests: `tiercel serve` (or a script) started and waited
// for, GETs on new connections (so each may reach another worker), wrk with its summary parsed.
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { delay } from './streams.js';

export const cli = fileURLToPath(new URL('../../hosting/cli.js', import.meta.url));
export const scratchDir = mkdtempSync(join(tmpdir(), 'tiercel-cluster-'));

/** An app module for `tiercel serve`: every path answers the pid of the process that took it; /slow after 300 ms. */
export function writeSlowApp(): string {
  const path = join(scratchDir, 'slow-app.mjs');
  writeFileSync(
    path,
    `export default (app) => app.run(async (ctx) => {
  if (ctx.request.path === '/slow') await new Promise((r) => setTimeout(r, 300));
  ctx.response.send(String(process.pid));
});
`,
  );
  return path;
}

export interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a node script and waits for `ready` (a regex whose group 1 is the URL). */
export async function startProcess(args: string[], ready: RegExp): Promise<Running> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const deadline = Date.now() + 10_000;
  while (!ready.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`did not start: ${out}`);
    }
    await delay(20);
  }
  return { child, url: ready.exec(out)![1], output: () => out, exited };
}

export function serve(...args: string[]): Promise<Running> {
  return startProcess([cli, 'serve', '--log-level', 'info', ...args], /serving .* on (\S+?),? .*\(Ctrl-C stops\)/);
}

/** Ends the process tree: the primary's SIGKILL leaves its workers without their channel, and they exit. */
export async function kill(r: Running): Promise<void> {
  if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
  await r.exited;
  // The workers go when they see their channel to the primary close.
  for (const pid of pidsIn(r.output())) await until(`worker ${pid} to exit`, () => !alive(pid));
}

export function pidsIn(output: string): number[] {
  return [...output.matchAll(/"pids":\[([\d,]+)\]/g)].flatMap((m) => m[1].split(',').map(Number));
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A GET on a new connection (so each one may reach another worker): status and body. */
export function get(url: string, options: { socketPath?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, socketPath: options.socketPath, timeout: 2_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('no response within 2 s')));
    req.end();
  });
}

/** The pids that answer `path`, over `tries` new connections. */
export async function answeringPids(url: string, tries = 24, socketPath?: string): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < tries; i++) {
    const { status, body } = await get(url, { socketPath });
    assert.is(status, 200, body);
    pids.add(body.startsWith('{') ? (JSON.parse(body) as { pid: number }).pid : Number(body));
  }
  return pids;
}

export interface WrkResult {
  requests: number;
  non2xx: number;
  socketErrors: number;
  text: string;
}

/** Runs wrk against `url` for `seconds`; the counts are parsed from its summary. */
export function wrk(url: string, seconds: number, connections = 16): { result: Promise<WrkResult>; child: ChildProcess } {
  const child = spawn('wrk', ['-t2', `-c${connections}`, `-d${seconds}s`, url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const result = once(child, 'exit').then(() => {
    const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
    const requests = /(\d+) requests in/.exec(text);
    if (requests === null) throw new Error(`wrk gave no summary: ${text}`);
    return {
      requests: Number(requests[1]),
      non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0),
      socketErrors: errors === null ? 0 : errors.slice(1).reduce((sum, n) => sum + Number(n), 0),
      text,
    };
  });
  return { result, child };
}

export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

