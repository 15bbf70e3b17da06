import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { curl } from '../../support/clients.js';
import { body, runCli, started, stop, type CliRun } from '../../support/cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'tiercel-config-cli-'));
const run = (args: string[], env: Record<string, string> = {}): CliRun => runCli(dir, args, env);

test('tiercel serve --config: the file names the endpoints (a TCP port and a unix socket) and the log level', async () => {
  const sock = join(dir, 'app.sock');
  writeFileSync(
    join(dir, 'tiercel.json'),
    JSON.stringify({ endpoints: { web: { url: 'http://127.0.0.1:0' }, local: { url: `http://unix:${sock}`, protocols: 'http1' } }, logLevel: 'warn' }),
  );
  const r = run(['serve', '--config', 'tiercel.json']);
  const urls = await started(r);
  try {
    assert.is(urls.length, 2);
    assert.is(urls[1], `http://unix:${sock}`);
    assert.is(await body(`${urls[0]}/plaintext`), 'Hello, World!');
    const overSocket = await curl(['-sS', '--unix-socket', sock, 'http://x/plaintext']);
    assert.is(overSocket.stdout.toString(), 'Hello, World!');
    // logLevel warn: the info line "Now listening on" is not written.
    assert.not.ok(r.output().includes('Now listening on'), r.output());
  } finally {
    await stop(r);
  }
});

test('precedence on the command line: --urls over TIERCEL_URLS over PORT over the file', async () => {
  writeFileSync(join(dir, 'port.json'), JSON.stringify({ endpoints: { web: { url: 'http://127.0.0.1:1' } }, logLevel: 'warn' }));
  // PORT alone overrides the file (http://*:PORT: every address).
  const byPort = run(['serve', '--config', 'port.json'], { PORT: '0' });
  const portUrls = await started(byPort);
  try {
    assert.is(portUrls.length, 1);
    assert.not.ok(portUrls[0].endsWith(':1'), portUrls[0]);
    const port = /:(\d+)$/.exec(portUrls[0])![1];
    assert.is(await body(`http://127.0.0.1:${port}/plaintext`), 'Hello, World!');
  } finally {
    await stop(byPort);
  }
  const byUrls = run(['serve', '--config', 'port.json'], { PORT: '1', TIERCEL_URLS: 'http://127.0.0.1:0' });
  assert.match((await started(byUrls))[0], /^http:\/\/127\.0\.0\.1:\d+$/);
  await stop(byUrls);
  const sock = join(dir, 'flag.sock');
  const byFlag = run(['serve', '--config', 'port.json', '--urls', `http://unix:${sock}`, '--log-level', 'warn'], { TIERCEL_URLS: 'http://127.0.0.1:1' });
  assert.equal(await started(byFlag), [`http://unix:${sock}`]);
  await stop(byFlag);
});

test('tiercel serve --config with a bad file exits with code 1 and the key on stderr', async () => {
  const cases: [string, string][] = [
    ['{ "endpoints": { "api": { "url": "http://example.com:80" } } }', 'endpoints.api.url: "http://example.com:80" is not a listen URL'],
    ['{ "limits": { "http": { "maxRequestBodySize": -1 } } }', 'limits.http.maxRequestBodySize: must be a whole number above 0'],
    ['{ "endpoints": { "api": { "url": "https://127.0.0.1:0", "certificate": "main" } } }', 'endpoints.api.certificate: no certificate is named "main"'],
    ['{ "logLevel": "info", }', 'ERR_TIERCEL_CONFIG_FILE'],
  ];
  for (const [text, message] of cases) {
    writeFileSync(join(dir, 'bad.json'), text);
    const r = run(['serve', '--config', 'bad.json']);
    let stderr = '';
    r.child.stderr!.on('data', (d) => (stderr += d));
    const [code] = await once(r.child, 'exit');
    assert.is(code, 1, r.output());
    assert.ok(stderr.includes(message), stderr);
    assert.ok(stderr.startsWith('tiercel: ERR_TIERCEL_CONFIG_'), stderr);
  }
  const watchless = run(['serve', '--watch-config']);
  const [code] = await once(watchless.child, 'exit');
  assert.is(code, 2);
  assert.ok(watchless.output().includes('--watch-config needs --config'), watchless.output());
});

test('tiercel serve --watch-config: a new endpoint in the file starts listening, a broken file is refused at warn', async () => {
  const first = join(dir, 'first.sock');
  const second = join(dir, 'second.sock');
  const file = join(dir, 'watched.json');
  const config = (endpoints: Record<string, { url: string }>): string => JSON.stringify({ endpoints, logLevel: 'info' });
  writeFileSync(file, config({ first: { url: `http://unix:${first}` } }));
  const r = run(['serve', '--config', 'watched.json', '--watch-config']);
  await started(r);
  const waitForOutput = async (text: string): Promise<void> => {
    const deadline = Date.now() + 5_000;
    while (!r.output().includes(text)) {
      if (Date.now() > deadline) throw new Error(`no '${text}' in: ${r.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  try {
    writeFileSync(file, '{ "endpoints": { "first": { "url": 5 } } }');
    await waitForOutput('endpoints.first.url: must be a non-empty string');
    assert.match(r.output(), /warn.*was not applied; the running one stays/);
    writeFileSync(file, config({ first: { url: `http://unix:${first}` }, second: { url: `http://unix:${second}` } }));
    await waitForOutput('endpoint second added');
    for (const sock of [first, second]) {
      const res = await curl(['-sS', '--unix-socket', sock, 'http://x/plaintext']);
      assert.is(res.stdout.toString(), 'Hello, World!', res.stderr);
    }
  } finally {
    await stop(r);
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
