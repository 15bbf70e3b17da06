import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
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

test('bad arguments and bad URLs fail with a clear message and a non-zero exit', async () => {
  for (const [args, fragment] of [
    [['serve', '--urls', 'http://example.com:80'], 'ERR_TIERCEL_CONFIG_INVALID: --urls: "http://example.com:80" is not a listen URL'],
    [['serve', '--bogus'], 'unknown option --bogus'],
    [['frobnicate'], "unknown command 'frobnicate'"],
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
