// systemd socket activation, end to end: Debian's systemd-socket-activate (it sets LISTEN_FDS,
// LISTEN_PID and LISTEN_FDNAMES exactly as systemd does, and starts the service on the first
// connection, as a socket unit does) hands `tiercel serve` a TCP and a unix listening socket.
// Without --urls it serves both; --urls picks them by name or number, over TLS too; a URL naming
// a descriptor that was not passed stops the start with ERR_TIERCEL_FD_NOT_PASSED. A child process
// of the server inherits neither the sockets nor the variables. Skipped, loudly, without the tool.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { curl } from '../support/clients.js';
import { freePort } from '../support/daemon.js';
import { repoRoot } from '../support/shared.js';
import { testRequiring } from '../support/skip.js';
import { CertDir, makeCa, makeLeaf } from '../support/tls-certificates.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', '..', 'hosting', 'cli.js');
const app = join(here, 'fixtures', 'activation-app.js');

const tool = spawnSync('systemd-socket-activate', ['--version'], { encoding: 'utf8' });
const missing = tool.status === 0 ? undefined : 'systemd-socket-activate is not installed (apt-get install systemd; .ci/run installs it)';
const it = testRequiring(test, missing);

// systemd-socket-activate passes on only the variables it is told to (as systemd does): the
// coverage directory of `npm test`, when there is one, so the server's code is measured too.
const coverage = process.env.NODE_V8_COVERAGE === undefined ? [] : ['-E', 'NODE_V8_COVERAGE'];

interface Activated {
  readonly child: ChildProcess;
  readonly port: number;
  readonly socketPath: string;
  output(): string;
  /** Sends SIGTERM (systemd's stop) and resolves with the exit code. */
  stop(): Promise<number | null>;
}

let dir: string;
test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tiercel-activation-'));
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

let sockets = 0;
/**
 * `systemd-socket-activate` listening on 127.0.0.1 and a unix socket (named `web` and `local` unless `names` says otherwise),
 * starting `tiercel serve <fixture app> …args`; resolves once both sockets listen (the server
 * itself starts on the first connection).
 */
async function activate(args: readonly string[], names = 'web:local'): Promise<Activated> {
  const port = await freePort();
  const socketPath = join(dir, `s${++sockets}.sock`);
  const child = spawn(
    'systemd-socket-activate',
    ['-l', `127.0.0.1:${port}`, '-l', socketPath, `--fdname=${names}`, ...coverage, process.execPath, cli, 'serve', app, '--log-level', 'debug', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const kill = (): boolean => child.kill('SIGKILL');
  process.once('exit', kill);
  const deadline = Date.now() + 10_000;
  while ((out.match(/Listening on /g) ?? []).length < 2) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`systemd-socket-activate did not listen: ${out}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    child,
    port,
    socketPath,
    output: () => out,
    stop: async () => {
      process.off('exit', kill);
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}

async function getJson(args: readonly string[]): Promise<Record<string, unknown>> {
  const r = await curl(['-sS', '--fail', ...args]);
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout.toString()) as Record<string, unknown>;
}

it('tiercel serve without --urls serves every socket passed (TCP and unix): the client is seen as itself, over the fd transport', async () => {
  const a = await activate([]);
  try {
    // The first connection starts the server; it waits in the socket's backlog meanwhile.
    const tcp = await getJson(['--local-port', '0', `http://127.0.0.1:${a.port}/whoami`]);
    assert.equal([tcp.remoteAddress, tcp.transport, tcp.host], ['127.0.0.1', 'fd', `127.0.0.1:${a.port}`], a.output());
    assert.ok(typeof tcp.remotePort === 'number' && tcp.remotePort > 0);
    const unix = await getJson(['--unix-socket', a.socketPath, 'http://localhost/whoami']);
    assert.equal([unix.remoteAddress, unix.transport, unix.protocol], [null, 'fd', 'HTTP/1.1']);
    assert.match(a.output(), /serving .* on http:\/\/fd:3, http:\/\/fd:4 \(Ctrl-C stops\)/);
  } finally {
    assert.is(await a.stop(), 0, a.output());
  }
});

it('a child process of the server inherits neither the sockets (close-on-exec) nor the LISTEN_* variables (unset once read)', async () => {
  const a = await activate([]);
  try {
    const seen = await getJson([`http://127.0.0.1:${a.port}/inherited`]);
    // Node marks every descriptor it inherits close-on-exec as it starts; tiercel relies on it.
    assert.equal(seen.closeOnExec, [true, true], a.output());
    assert.match(String(seen.passed), /^socket:\[\d+\],socket:\[\d+\]$/);
    assert.is(seen.childHasPassed, 0, JSON.stringify(seen));
    assert.is(seen.childEnv, 'LISTEN=unset/unset/unset');
    assert.equal(seen.env, [null, null, null]);
  } finally {
    assert.is(await a.stop(), 0, a.output());
  }
});

it('--urls picks passed sockets by name and by number, and one may be HTTPS (https://fd:web)', async () => {
  const certs = new CertDir();
  try {
    const ca = await makeCa();
    const { certFile, keyFile } = certs.writePem('localhost', await makeLeaf(['localhost'], { ca }));
    const caFile = certs.write('ca.pem', ca.cert);
    const a = await activate(['--urls', 'https://fd:web;http://fd:4', '--cert', certFile, '--key', keyFile]);
    try {
      const secure = await getJson(['--cacert', caFile, '--resolve', `localhost:${a.port}:127.0.0.1`, `https://localhost:${a.port}/whoami`]);
      assert.equal([secure.scheme, secure.tls, secure.transport, secure.remoteAddress], ['https', true, 'fd', '127.0.0.1'], a.output());
      const unix = await getJson(['--unix-socket', a.socketPath, 'http://localhost/whoami']);
      assert.equal([unix.scheme, unix.transport], ['http', 'fd']);
      assert.match(a.output(), /on https:\/\/fd:web, http:\/\/fd:4 /);
    } finally {
      assert.is(await a.stop(), 0, a.output());
    }
  } finally {
    certs.remove();
  }
});

it("examples/systemd's units as they are: the sockets tiercel.socket names, served with tiercel.service's --urls", async () => {
  const unit = (name: string): string => readFileSync(join(repoRoot(), 'examples', 'systemd', name), 'utf8');
  const socketUnit = unit('tiercel.socket');
  const listens = socketUnit.match(/^ListenStream=.+$/gm) ?? [];
  const name = /^FileDescriptorName=(.+)$/m.exec(socketUnit)![1];
  // A TCP port and a unix socket there; here a free port and a path of the test's own.
  assert.equal(listens.length, 2);
  const service = /^ExecStart=.* serve \S+ (.+)$/m.exec(unit('tiercel.service'))![1].split(' ');
  assert.equal(service, ['--urls', `http://fd:${name}`]);
  const a = await activate(service, `${name}:${name}`);
  try {
    const tcp = await getJson([`http://127.0.0.1:${a.port}/whoami`]);
    assert.equal([tcp.remoteAddress, tcp.transport], ['127.0.0.1', 'fd'], a.output());
    const unix = await getJson(['--unix-socket', a.socketPath, 'http://localhost/whoami']);
    assert.is(unix.transport, 'fd');
    assert.match(a.output(), /serving .* on http:\/\/fd:web \(Ctrl-C stops\)/);
  } finally {
    assert.is(await a.stop(), 0, a.output());
  }
});

it('a URL naming a socket that was not passed fails the start: exit code 1, ERR_TIERCEL_FD_NOT_PASSED naming what was passed', async () => {
  const a = await activate(['--urls', 'http://fd:web;http://fd:admin']);
  // The server starts on a first connection, fails, and the client's connection is closed unanswered.
  const s = net.connect(a.port, '127.0.0.1');
  s.on('error', () => {});
  const [code] = (await once(a.child, 'exit')) as [number | null];
  s.destroy();
  assert.is(code, 1, a.output());
  assert.match(a.output(), /ERR_TIERCEL_FD_NOT_PASSED: Cannot serve fd:admin: it was not passed \(passed: 3 'web', 4 'local'\)/);
});

test('without socket activation, a URL naming a descriptor fails the start the same way', async () => {
  const child = spawn(process.execPath, [cli, 'serve', '--urls', 'http://fd:3'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LISTEN_PID: '1', LISTEN_FDS: '1' } });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.is(code, 1, out);
  // LISTEN_PID names another process (1): the variables are not this one's.
  assert.match(out, /ERR_TIERCEL_FD_NOT_PASSED: Cannot serve fd:3: no sockets were passed to this process/);
});

test.run();
