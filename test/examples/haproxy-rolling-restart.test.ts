// A rolling restart behind a real HAProxy (the Debian package), run as an operator would: HAProxy
// with examples/haproxy/haproxy.cfg as it is (TCP mode, send-proxy-v2, HTTP checks of /readyz),
// two instances of examples/haproxy/server.js (tiercel with the PROXY protocol middleware and
// health checks), wrk keeping 32 keep-alive connections busy through HAProxy. Each instance in
// turn gets SIGTERM (readiness 503 at once, HAProxy marks it down, its connections drain), is
// started again, and HAProxy is waited on until it sees it up; wrk must count no non-2xx response
// and no socket error. HAProxy's admin socket (a second config file, the test's own) tells the
// servers' states. Skipped, loudly, without haproxy or wrk.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { curl } from '../support/clients.js';
import { Daemon, freePort } from '../support/daemon.js';
import { repoRoot } from '../support/shared.js';
import { testRequiring } from '../support/skip.js';
import { pollUntil } from '../support/tls-server.js';

const serverScript = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'haproxy', 'server.js');
const haproxyConfig = join(repoRoot(), 'examples', 'haproxy', 'haproxy.cfg');

const absent = ['haproxy', 'wrk'].filter((tool) => spawnSync(tool, ['-v']).error !== undefined);
const missing = absent.length === 0 ? undefined : `${absent.join(' and ')} not installed (apt-get install ${absent.join(' ')}; .ci/run installs them)`;
const it = testRequiring(test, missing);

/** One `node examples/haproxy/server.js` process. */
class Instance {
  output = '';
  private constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    process.once('exit', () => child.kill('SIGKILL'));
  }

  static async start(port: number): Promise<Instance> {
    const child = spawn(process.execPath, [serverScript, '--url', `http://127.0.0.1:${port}`, '--trust', '127.0.0.1/32'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const instance = new Instance(child);
    await pollUntil(`an instance listening on ${port}`, () => instance.output.includes('Now listening on') || child.exitCode !== null, 30_000);
    assert.is(child.exitCode, null, instance.output);
    return instance;
  }

  /** SIGTERM, as systemd or Docker stops a service; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    const exited = once(this.child, 'exit') as Promise<[number | null]>;
    this.child.kill('SIGTERM');
    return (await exited)[0];
  }
}

let dir: string;
let lb: number;
const ports = { a: 0, b: 0 };
const instances: Partial<Record<'a' | 'b', Instance>> = {};
let haproxy: Daemon | undefined;
let adminSocket: string;

/**
 * Starts both instances and HAProxy, once, from the first test that needs them (a failure in a
 * `before` hook would be hidden: uvu reports its suite as not run, without the error).
 */
let started: Promise<void> | undefined;
function setUp(): Promise<void> {
  started ??= (async () => {
    dir = mkdtempSync(join(tmpdir(), 'tiercel-rolling-'));
    adminSocket = join(dir, 'admin.sock');
    const extra = join(dir, 'admin.cfg');
    writeFileSync(extra, `global\n  stats socket ${adminSocket} level admin\n`);
    [lb, ports.a, ports.b] = [await freePort(), await freePort(), await freePort()];
    instances.a = await Instance.start(ports.a);
    instances.b = await Instance.start(ports.b);
    const env = { TIERCEL_LB: `127.0.0.1:${lb}`, TIERCEL_A: `127.0.0.1:${ports.a}`, TIERCEL_B: `127.0.0.1:${ports.b}` };
    haproxy = await Daemon.start('haproxy', ['-db', '-f', haproxyConfig, '-f', extra], lb, env);
    await waitFor('a', 'UP');
    await waitFor('b', 'UP');
  })();
  return started;
}

test.after(async () => {
  if (started === undefined) return;
  await started.catch(() => {});
  await haproxy?.stop('SIGTERM');
  await Promise.all(Object.values(instances).map((i) => i.stop()));
  rmSync(dir, { recursive: true, force: true });
});

/** HAProxy's view of a server of the `tiercel` backend: 'UP', 'DOWN', 'UP 1/2' (rising)… */
async function serverStatus(name: 'a' | 'b'): Promise<string> {
  const socket = net.connect(adminSocket);
  socket.end('show stat\n');
  let csv = '';
  for await (const chunk of socket) csv += String(chunk);
  const [header, ...rows] = csv.trim().split('\n');
  const column = header.replace(/^# /, '').split(',').indexOf('status');
  const row = rows.map((r) => r.split(',')).find((r) => r[0] === 'tiercel' && r[1] === name);
  return row?.[column] ?? 'absent';
}

function waitFor(name: 'a' | 'b', status: 'UP' | 'DOWN'): Promise<void> {
  return pollUntil(`HAProxy to see ${name} ${status}`, async () => (await serverStatus(name)) === status, 30_000).catch((err: Error) => {
    throw new Error(`${err.message}\nhaproxy: ${haproxy?.output}`);
  });
}

interface WrkResult {
  readonly requests: number;
  readonly non2xx: number;
  readonly socketErrors: { connect: number; read: number; write: number; timeout: number };
  readonly text: string;
}

/** wrk's summary: requests, `Non-2xx or 3xx responses` (absent when 0), `Socket errors` (absent when none). */
function parseWrk(text: string): WrkResult {
  const requests = Number(/(\d+) requests in/.exec(text)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const e = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const [connect, read, write, timeout] = e === null ? [0, 0, 0, 0] : e.slice(1).map(Number);
  return { requests, non2xx, socketErrors: { connect, read, write, timeout }, text };
}

it('/whoami through HAProxy shows the real client (127.0.0.2), not HAProxy', async () => {
  await setUp();
  const r = await curl(['-sS', '--fail', '--interface', '127.0.0.2', `http://127.0.0.1:${lb}/whoami`]);
  assert.is(r.code, 0, `${r.stderr}\nhaproxy: ${haproxy!.output}`);
  const body = JSON.parse(r.stdout.toString()) as { client: string };
  assert.match(body.client, /^127\.0\.0\.2:\d+$/);
});

it('a rolling restart of both instances under wrk load: no non-2xx response, no socket error', async () => {
  await setUp();
  // wrk runs until told to stop (SIGINT prints its summary), however long the restart takes here.
  // A latency past wrk's default 2 s timeout on a busy host is not an error of the restart's.
  const wrk = spawn('wrk', ['-t2', '-c32', '-d60s', '--timeout', '10s', `http://127.0.0.1:${lb}/`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  wrk.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  wrk.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const wrkExited = once(wrk, 'exit');
  const steps: string[] = [];
  try {
    await new Promise((r) => setTimeout(r, 500));
    for (const name of ['a', 'b'] as const) {
      const old = instances[name]!;
      const stopped = old.stop();
      await waitFor(name, 'DOWN');
      assert.is(await stopped, 0, old.output);
      steps.push(`${name} stopped`);
      instances[name] = await Instance.start(ports[name]);
      await waitFor(name, 'UP');
      steps.push(`${name} up again`);
    }
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    wrk.kill('SIGINT');
    await wrkExited;
  }
  const result = parseWrk(out);
  const context = `${steps.join(', ')}\n${out}\nhaproxy: ${haproxy!.output}`;
  console.log(`  rolling restart behind HAProxy: ${result.requests} requests, ${result.non2xx} non-2xx, socket errors ${JSON.stringify(result.socketErrors)}`);
  assert.ok(result.requests > 1_000, context);
  assert.is(result.non2xx, 0, context);
  assert.equal(result.socketErrors, { connect: 0, read: 0, write: 0, timeout: 0 }, context);
});

test.run();
