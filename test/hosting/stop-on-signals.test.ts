import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../support/shared.js';

// A real process that serves over TCP and calls stopOnSignals; the test sends it real signals.
// `/slow` answers only once the process has received SIGTERM, so it is in flight when the stop
// begins; `/hang` never answers.
const dist = join(repoRoot(), 'dist');
const script = join(mkdtempSync(join(tmpdir(), 'tiercel-signals-')), 'app.mjs');
writeFileSync(
  script,
  `import { Server, stopOnSignals } from ${JSON.stringify(pathToFileURL(join(dist, 'hosting', 'index.js')).href)};
import { ApplicationBuilder } from ${JSON.stringify(pathToFileURL(join(dist, 'pipeline', 'index.js')).href)};

const [mode = 'exit', timeoutMs = '60000'] = process.argv.slice(2);
const terminated = new Promise((resolve) => process.once('SIGTERM', resolve));
const app = new ApplicationBuilder().run(async (ctx) => {
  console.log('in flight ' + ctx.request.path);
  if (ctx.request.path === '/hang') await new Promise(() => {});
  await terminated;
  ctx.response.send('finished after SIGTERM');
});
const server = new Server({ logLevel: 'info' });
server.useHttp(app);
server.listen('http://127.0.0.1:0');
await server.start();
const remove = stopOnSignals(server, {
  timeoutMs: Number(timeoutMs),
  exit: mode !== 'stay',
  onStopped: (signal) => {
    console.log('onStopped ' + signal);
    if (mode === 'failing') throw new Error('cleanup failed');
  },
});
if (mode === 'removed') remove();
console.log('ready ' + server.urls[0]);
`,
);

interface Child {
  child: ChildProcess;
  url: string;
  output: () => string;
  waitFor: (text: string) => Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startChild(...args: string[]): Promise<Child> {
  const child = spawn(process.execPath, [script, ...args], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters: Array<() => void> = [];
  const onData = (d: Buffer): void => {
    out += d;
    for (const w of waiters.splice(0)) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const waitFor = async (text: string): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!out.includes(text)) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the child exited before '${text}': ${out}`);
      if (Date.now() > deadline) throw new Error(`no '${text}' within 10 s: ${out}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  await waitFor('ready ');
  const url = /ready (\S+)/.exec(out)![1];
  return { child, url, output: () => out, waitFor, exited };
}

/** Sends a GET and settles with the response body, or with the error that ended the exchange. */
function get(url: string): { req: ClientRequest; result: Promise<{ status: number; body: string } | Error> } {
  const req = request(url, { agent: false });
  const result = new Promise<{ status: number; body: string } | Error>((resolve) => {
    req.on('response', (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', resolve);
    });
    req.on('error', resolve);
  });
  req.end();
  return { req, result };
}

test('SIGTERM stops gracefully: the request in flight finishes, new connections are refused, exit code 0', async () => {
  const c = await startChild();
  const inFlight = get(`${c.url}/slow`);
  await c.waitFor('in flight /slow');
  c.child.kill('SIGTERM');
  const response = await inFlight.result;
  assert.equal(response, { status: 200, body: 'finished after SIGTERM' }, c.output());
  const exit = await c.exited;
  assert.equal(exit, { code: 0, signal: null }, c.output());
  assert.ok(c.output().includes('SIGTERM: stopping gracefully'), c.output());
  assert.ok(c.output().includes('onStopped SIGTERM'), c.output());
  const after = await get(`${c.url}/slow`).result;
  assert.instance(after, Error);
  assert.is((after as NodeJS.ErrnoException).code, 'ECONNREFUSED');
});

test('a second signal during the graceful stop exits at once with code 1, dropping the request that would not end', async () => {
  const c = await startChild();
  const hung = get(`${c.url}/hang`);
  await c.waitFor('in flight /hang');
  c.child.kill('SIGTERM');
  await c.waitFor('stopping gracefully');
  c.child.kill('SIGINT');
  const exit = await c.exited;
  assert.equal(exit, { code: 1, signal: null }, c.output());
  assert.ok(c.output().includes('SIGINT: stopping at once'), c.output());
  assert.not.ok(c.output().includes('onStopped'), 'exit: true leaves at once, without onStopped');
  const result = await hung.result;
  assert.instance(result, Error, 'the hung request got no response');
});

test('with exit: false a second signal aborts every connection, onStopped runs and the process ends by itself', async () => {
  const c = await startChild('stay');
  const hung = get(`${c.url}/hang`);
  await c.waitFor('in flight /hang');
  c.child.kill('SIGINT');
  await c.waitFor('stopping gracefully');
  c.child.kill('SIGINT');
  const result = await hung.result;
  assert.instance(result, Error, 'the hung request got no response');
  assert.equal(await c.exited, { code: 0, signal: null }, c.output());
  assert.ok(c.output().includes('onStopped SIGINT'), c.output());
  assert.ok(c.output().includes('Stopping at once: aborting 1 connection(s)'), c.output());
  assert.not.ok(c.output().includes('Shutdown timeout'), 'ended by the second signal, not by the 60 s timeout');
});

test('the graceful stop aborts what outlives timeoutMs, a failing onStopped exits with 1, and the returned function gives the signals back to Node', async () => {
  const c = await startChild('exit', '50');
  const hung = get(`${c.url}/hang`);
  await c.waitFor('in flight /hang');
  c.child.kill('SIGTERM');
  assert.instance(await hung.result, Error);
  assert.equal(await c.exited, { code: 0, signal: null }, c.output());
  assert.ok(c.output().includes('Shutdown timeout: aborting 1 connection(s)'), c.output());

  const failing = await startChild('failing');
  failing.child.kill('SIGTERM');
  assert.equal(await failing.exited, { code: 1, signal: null }, 'a failed onStopped makes the exit code 1');
  assert.ok(failing.output().includes('onStopped failed'), failing.output());

  const removed = await startChild('removed');
  removed.child.kill('SIGINT');
  assert.equal(await removed.exited, { code: null, signal: 'SIGINT' }, removed.output());
  assert.not.ok(removed.output().includes('stopping gracefully'));
});

test.run();
