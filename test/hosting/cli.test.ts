import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'hosting', 'cli.js');

interface Running {
  child: ChildProcess;
  urls: string[];
  output: () => string;
}

/** Starts `tiercel …` and waits for its startup line; returns the URLs it says it serves. */
async function start(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 10_000;
  while (!/serving .* on (.*) \(Ctrl-C stops\)/.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`tiercel did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const urls = /serving .* on (.*) \(Ctrl-C stops\)/.exec(out)![1].split(', ');
  return { child, urls, output: () => out };
}

async function stop(r: Running): Promise<number | null> {
  r.child.kill('SIGINT');
  const [code] = await once(r.child, 'exit');
  return code as number | null;
}

test('tiercel serve runs the demo app where --urls says, and Ctrl-C stops it cleanly', async () => {
  const r = await start(['serve', '--urls', 'http://127.0.0.1:0', '--log-level', 'info']);
  try {
    assert.is(r.urls.length, 1);
    const base = r.urls[0];
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
    const plain = await fetch(`${base}/plaintext`);
    assert.is(plain.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.is(await plain.text(), 'Hello, World!');
    assert.equal(await (await fetch(`${base}/json`)).json(), { message: 'Hello, World!' });
    assert.is(((await (await fetch(`${base}/healthz`)).json()) as { status: string }).status, 'healthy');
    const echo = await fetch(`${base}/echo`, { method: 'POST', body: 'ping', headers: { 'content-type': 'application/x-test' } });
    assert.is(echo.headers.get('content-type'), 'application/x-test');
    assert.is(await echo.text(), 'ping');
    assert.is((await fetch(`${base}/echo`)).status, 405);
    assert.is((await fetch(`${base}/missing`)).status, 404);
  } finally {
    assert.is(await stop(r), 0, r.output());
  }
  assert.ok(r.output().includes('stopping gracefully'));
});

test('tiercel serve --dashboard serves the live page at /_tiercel; without it /_tiercel is a 404', async () => {
  const on = await start(['serve', '--urls', 'http://127.0.0.1:0', '--log-level', 'warn', '--dashboard']);
  try {
    const page = await fetch(`${on.urls[0]}/_tiercel`);
    assert.is(page.status, 200);
    assert.match(await page.text(), /<title>tiercel dashboard<\/title>/);
  } finally {
    assert.is(await stop(on), 0, on.output());
  }
  const off = await start(['serve', '--urls', 'http://127.0.0.1:0', '--log-level', 'warn']);
  try {
    assert.is((await fetch(`${off.urls[0]}/_tiercel`)).status, 404);
  } finally {
    assert.is(await stop(off), 0, off.output());
  }
});

test('TIERCEL_URLS (semicolon-separated) and a user module', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tiercel-cli-'));
  const app = join(dir, 'app.mjs');
  writeFileSync(app, `export default (app) => app.run((ctx) => ctx.response.send('mine ' + ctx.request.path));\n`);
  const sock = join(dir, 'app.sock');
  const r = await start(['serve', app, '--log-level', 'warn'], { TIERCEL_URLS: `http://127.0.0.1:0; http://unix:${sock}` });
  try {
    assert.is(r.urls.length, 2);
    assert.is(r.urls[1], `http://unix:${sock}`);
    assert.is(await (await fetch(`${r.urls[0]}/x`)).text(), 'mine /x');
  } finally {
    assert.is(await stop(r), 0);
  }
});

test('tiercel dev-certs writes a localhost certificate that an https:// URL then serves (HTTP/2 by ALPN)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tiercel-devcert-'));
  const env = { TIERCEL_DEV_CERT_DIR: dir };
  const child = spawn(process.execPath, [cli, 'dev-certs'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const [code] = await once(child, 'exit');
  assert.is(code, 0, out);
  assert.ok(out.includes('created the development certificate'), out);
  const certFile = join(dir, 'localhost.crt');
  assert.is(statSync(join(dir, 'localhost.key')).mode & 0o777, 0o600);
  const r = await start(['serve', '--urls', 'https://127.0.0.1:0', '--log-level', 'warn'], env);
  try {
    assert.match(r.urls[0], /^https:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(r.urls[0].split(':').pop());
    const result = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
      execFile(
        'curl',
        ['-sS', '-v', '--http2', '--cacert', certFile, '--resolve', `localhost:${port}:127.0.0.1`, `https://localhost:${port}/json`],
        (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve({ stdout, stderr })),
      ),
    );
    assert.is(result.stdout, '{"message":"Hello, World!"}');
    assert.match(result.stderr, /^< HTTP\/2 200/m);
  } finally {
    assert.is(await stop(r), 0);
  }
  // The same files given with --cert/--key serve even under NODE_ENV=production.
  const prod = await start(['serve', '--urls', 'https://127.0.0.1:0', '--cert', certFile, '--key', join(dir, 'localhost.key'), '--log-level', 'warn'], {
    NODE_ENV: 'production',
  });
  try {
    const port = Number(prod.urls[0].split(':').pop());
    const out = await new Promise<string>((resolve, reject) =>
      execFile('curl', ['-sS', '--cacert', certFile, '--resolve', `localhost:${port}:127.0.0.1`, `https://localhost:${port}/healthz`], (err, stdout, stderr) =>
        err ? reject(new Error(stderr)) : resolve(stdout),
      ),
    );
    assert.is((JSON.parse(out) as { status: string }).status, 'healthy');
  } finally {
    assert.is(await stop(prod), 0);
  }
});

/** Every line of a JSON-format run, parsed: a line that is not one JSON object fails the test. */
function records(r: Running): Record<string, unknown>[] {
  return r
    .output()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON record: ${l}`);
      }
    });
}

/** Sends `request` on `count` connections, `batch` at a time, each read until the server closes it. */
async function sendOnConnections(port: number, request: string, count: number, batch = 25): Promise<string[]> {
  const answers: string[] = [];
  for (let i = 0; i < count; i += batch) {
    const round = Array.from({ length: Math.min(batch, count - i) }, async () => {
      const socket = net.connect(port, '127.0.0.1');
      let text = '';
      socket.on('data', (d) => (text += d));
      socket.on('error', () => {});
      socket.end(request);
      await once(socket, 'close');
      return text;
    });
    answers.push(...(await Promise.all(round)));
  }
  return answers;
}

test('--log-format json: one JSON record per line; at debug a bad request shows its connection accepted, rejected with its reason, and closed', async () => {
  const r = await start(['serve', '--urls', 'http://127.0.0.1:0', '--log-format', 'json', '--log-level', 'info,tiercel.connections=debug,tiercel.bad-requests=debug']);
  const port = Number(r.urls[0].split(':').pop());
  try {
    const [answer] = await sendOnConnections(port, 'GET / HTTP/1.1\nHost: x\r\n\r\n', 1);
    assert.match(answer, /^HTTP\/1\.1 400 /);
    await waitUntil(() => records(r).some((x) => x.event === 'ConnectionClosed'));
  } finally {
    assert.is(await stop(r), 0);
  }
  const all = records(r);
  const listening = all.find((x) => x.event === 'Listening')!;
  assert.equal(Object.keys(listening).slice(0, 6), ['time', 'level', 'category', 'eventId', 'event', 'msg']);
  assert.is(listening.category, 'tiercel.server');
  assert.is(listening.eventId, 21);
  assert.ok(all.some((x) => x.category === 'tiercel.cli' && String(x.msg).includes('(Ctrl-C stops)')), 'the CLI\'s own line is a record too');
  const mine = all.filter((x) => x.connectionId !== undefined);
  assert.equal(
    mine.map((x) => `${x.level} ${x.category} ${x.event} ${x.reason ?? ''}`),
    ['debug tiercel.connections ConnectionAccepted ', 'debug tiercel.bad-requests RequestRejected bare-lf', 'debug tiercel.connections ConnectionClosed bad-request'],
  );
  assert.is(new Set(mine.map((x) => x.connectionId)).size, 1, 'one connection id on the three');
});

test('a flood of bad requests at the default level writes no line; NODE_ENV=production makes the format json', async () => {
  // One process: the start-up lines counted below are one server's.
  const r = await start(['serve', '--urls', 'http://127.0.0.1:0', '--workers', '1'], { NODE_ENV: 'production' });
  const port = Number(r.urls[0].split(':').pop());
  let answers: string[];
  try {
    const before = records(r).length;
    answers = await sendOnConnections(port, 'GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n', 300);
    // A request after the flood: whatever the flood logged has been written by the time it is answered.
    assert.is((await fetch(`${r.urls[0]}/plaintext`)).status, 200);
    assert.is(records(r).length, before, 'no record for 300 bad requests');
  } finally {
    assert.is(await stop(r), 0);
  }
  assert.ok(answers.every((a) => a.startsWith('HTTP/1.1 400 ')), 'each bad request was answered 400');
  // Start-up (Listening, the CLI's line) and shutdown: a handful of lines, all JSON.
  assert.ok(records(r).length <= 4, r.output());
});

async function waitUntil(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('bad arguments and bad URLs fail with a clear message and a non-zero exit', async () => {
  for (const [args, fragment] of [
    [['serve', '--urls', 'http://example.com:80'], 'ERR_TIERCEL_CONFIG_INVALID: --urls: "http://example.com:80" is not a listen URL'],
    [['serve', '--bogus'], 'unknown option --bogus'],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['serve', '--log-format', 'yaml'], 'ERR_TIERCEL_CONFIG_INVALID: logFormat: must be one of "text", "json", "auto" (got "yaml") (in the command line)'],
    [['serve', '--log-level', 'info,tiercel.bad-requests=loud'], "ERR_TIERCEL_CONFIG_INVALID: logLevel['tiercel.bad-requests']: must be one of debug, info, warn, error, silent"],
    [['serve', 'app.mjs', '--dashboard'], '--dashboard is for the demo app'],
  ] as [string[], string][]) {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const [code] = await once(child, 'exit');
    assert.ok((code as number) > 0, `exit code for ${args.join(' ')}`);
    assert.ok(out.includes(fragment), out);
  }
});

test.run();
