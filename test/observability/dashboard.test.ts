// The live dashboard over the in-memory transport (TestServer, ws clients, raw bytes) and over TCP:
// the page, the frames its WebSocket pushes, the viewer bound, a viewer that stops reading, and
// who may look (loopback, unix socket, another address of this machine).
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import type { WebSocket } from 'ws';
import { InvalidOptionError } from '../../connection/index.js';
import { Server, TestServer, TestWebSocketRefusedError } from '../../hosting/index.js';
import { demoApp } from '../../hosting/demo-app.js';
import { dashboard, DASHBOARD_DEFAULTS, ServerMetrics, type DashboardFrame, type DashboardOptions } from '../../observability/index.js';
import { ApplicationBuilder } from '../../pipeline/index.js';
import { MemoryTransport } from '../../transports/index.js';
import { testRequiring } from '../support/skip.js';
import { until } from './support.js';

function app(metrics: ServerMetrics, options: DashboardOptions = {}): ApplicationBuilder {
  return new ApplicationBuilder().use(dashboard(metrics, { intervalMs: 100, ...options })).run((ctx) => {
    if (ctx.request.path === '/teapot') ctx.response.status = 418;
    ctx.response.send('ok');
  });
}

async function withTestServer(options: DashboardOptions, fn: (ts: TestServer, metrics: ServerMetrics) => Promise<void>): Promise<void> {
  const metrics = new ServerMetrics();
  const ts = await TestServer.start(app(metrics, options), { server: { logLevel: 'silent' } });
  try {
    await fn(ts, metrics);
  } finally {
    await ts.stop();
    metrics.dispose();
  }
}

/** The frames `ws` receives, parsed, and a way to wait for one that satisfies a predicate. */
function frames(ws: WebSocket): { all: DashboardFrame[]; next(check: (f: DashboardFrame) => boolean, timeoutMs?: number): Promise<DashboardFrame> } {
  const all: DashboardFrame[] = [];
  ws.on('message', (data, isBinary) => {
    assert.not.ok(isBinary, 'frames are text');
    all.push(JSON.parse(String(data)) as DashboardFrame);
  });
  return {
    all,
    async next(check, timeoutMs = 3_000) {
      let found: DashboardFrame | undefined;
      await until('a matching dashboard frame', () => (found = all.find(check)) !== undefined, timeoutMs);
      return found!;
    },
  };
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) resolve(1006);
    else ws.once('close', (code) => resolve(code));
  });
}

test('the page is one self-contained document: HTML, no-store, a CSP that allows nothing from elsewhere, GET and HEAD only', () =>
  withTestServer({}, async (ts) => {
    const page = await ts.request('/_tiercel');
    assert.is(page.status, 200);
    assert.is(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.is(page.headers['cache-control'], 'no-store');
    assert.match(page.headers['content-security-policy'] ?? '', "default-src 'none'");
    const html = page.text();
    assert.match(html, /<title>tiercel dashboard<\/title>/);
    // Nothing fetched from anywhere: no src= or href= at all, no URL but the socket it builds.
    assert.not.match(html, /\s(src|href)=/);
    assert.not.match(html, /https?:\/\//);
    assert.is((await ts.request({ method: 'POST', path: '/_tiercel' })).status, 405);
    // Other paths go on to the app.
    assert.is((await ts.request('/_tiercel/other')).text(), 'ok');
    assert.is((await ts.request('/')).text(), 'ok');
  }));

test('the socket pushes a frame at once, then every tick: requests, their rate and percentiles, protocols, statuses, connections', () =>
  withTestServer({}, async (ts) => {
    for (let i = 0; i < 20; i++) assert.is((await ts.request('/')).status, 200);
    assert.is((await ts.request('/teapot')).status, 418);
    const ws = await ts.webSocket('/_tiercel/ws');
    const f = frames(ws);
    const first = await f.next(() => true);
    // The metrics count every tiercel server of the process, so at least what this test sent.
    assert.ok(first.requests.total >= 21, `total ${first.requests.total}`);
    assert.ok((first.requests.byProtocol['HTTP/1.1'] ?? 0) >= 21);
    assert.ok((first.requests.byStatusClass['2xx'] ?? 0) >= 20);
    assert.ok((first.requests.byStatusClass['4xx'] ?? 0) >= 1);
    const memory = first.connections.find((c) => c.transport === 'memory');
    assert.ok(memory, 'the in-memory endpoint is listed');
    assert.ok(memory!.active >= 1);
    assert.is(memory!.upgraded, 1, 'the dashboard socket itself');
    assert.ok(first.eventLoopDelayMs.max >= 0);
    // No tick has passed: no rate yet, rather than a rate over a few microseconds.
    assert.is(first.requests.perSecond, null);

    // Requests during a tick show in the next frame's rate and percentiles.
    const seen = f.all.length;
    for (let i = 0; i < 30; i++) await ts.request('/');
    const busy = await f.next((g) => f.all.indexOf(g) >= seen && (g.requests.perSecond ?? 0) > 0 && g.latencyMs !== null);
    assert.ok(busy.requests.total >= first.requests.total + 30);
    const l = busy.latencyMs!;
    assert.ok(l.p50 > 0 && l.p50 <= l.p90 && l.p90 <= l.p99, JSON.stringify(l));
    assert.ok(busy.intervalMs > 0);
    ws.close();
    await closed(ws);
  }));

test('rejections by reason reach the frames', () =>
  withTestServer({}, async (ts) => {
    const ws = await ts.webSocket('/_tiercel/ws');
    const f = frames(ws);
    const before = (await f.next(() => true)).rejectedRequests['invalid-request-line'] ?? 0;
    const socket = ts.connect();
    socket.on('data', () => {});
    // A request line with no version: RequestRejectionReason 'invalid-request-line'.
    socket.write('GET /\r\n\r\n');
    await f.next((g) => (g.rejectedRequests['invalid-request-line'] ?? 0) > before);
    socket.destroy();
    ws.close();
    await closed(ws);
  }));

test('at most maxViewers pages watch at once: one more gets 503 with Retry-After, and a place frees when one leaves', () =>
  withTestServer({ maxViewers: 1 }, async (ts) => {
    const first = await ts.webSocket('/_tiercel/ws');
    const refused = await ts.webSocket('/_tiercel/ws').then(
      () => assert.unreachable('a second viewer was let in'),
      (err: unknown) => err,
    );
    assert.instance(refused, TestWebSocketRefusedError);
    assert.is((refused as TestWebSocketRefusedError).status, 503);
    first.close();
    await closed(first);
    const again = await ts.webSocket('/_tiercel/ws');
    again.close();
    await closed(again);
    // A plain GET of the socket's path is not a handshake.
    assert.is((await ts.request('/_tiercel/ws')).status, 400);
  }));

test('a viewer that stops reading is dropped once maxViewerBacklogBytes is queued for it, and its place frees', () =>
  withTestServer({ maxViewers: 1, maxViewerBacklogBytes: 1024 }, async (ts) => {
    // A client end that holds little, so that what it does not read backs up to the server soon.
    const socket = ts.server.getTransport(MemoryTransport).connect('test', { maxReadBufferSize: 1024, maxWriteBufferSize: 1024 });
    const key = Buffer.from('0123456789abcdef').toString('base64');
    socket.write(`GET /_tiercel/ws HTTP/1.1\r\nHost: tiercel.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    const head = await new Promise<string>((resolve) => socket.once('data', (c: Buffer) => resolve(c.toString('latin1'))));
    assert.match(head, /^HTTP\/1\.1 101 /);
    // From here on the client reads nothing: frames pile up in the stream's buffers, then in the server's.
    socket.pause();
    socket.on('error', () => {});
    // While it is held, a second viewer is refused (maxViewers 1); once it is dropped, one gets in.
    const deadline = Date.now() + 5_000;
    let ws: WebSocket | undefined;
    let refusals = 0;
    while (ws === undefined) {
      try {
        ws = await ts.webSocket('/_tiercel/ws');
      } catch (err) {
        assert.instance(err, TestWebSocketRefusedError);
        assert.is((err as TestWebSocketRefusedError).status, 503);
        refusals++;
        if (Date.now() > deadline) assert.unreachable('the viewer that does not read was never dropped');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.ok(refusals > 0, 'the silent viewer held its place for a while');
    // Reading again, the dropped client finds the connection closed after the frames it was sent.
    const gone = new Promise<void>((resolve) => socket.once('end', () => resolve()));
    socket.resume();
    await gone;
    socket.destroy();
    // The viewer that got in does get frames.
    await frames(ws).next(() => true);
    ws.close();
    await closed(ws);
  }));

async function onTcp(host: string, options: DashboardOptions, fn: (url: string) => Promise<void>): Promise<void> {
  const metrics = new ServerMetrics();
  const server = new Server({ logLevel: 'silent' });
  server.useHttp(app(metrics, options));
  server.listen(`http://${host.includes(':') ? `[${host}]` : host}:0`);
  await server.start();
  try {
    await fn(server.urls[0]);
  } finally {
    await server.stop(500);
    metrics.dispose();
  }
}

test('loopback TCP peers see the page', () =>
  onTcp('127.0.0.1', {}, async (url) => {
    const res = await request(`${url}/_tiercel`);
    assert.is(res.statusCode, 200);
    await res.body.text();
  }));

testRequiring(test, process.platform === 'win32' ? 'unix-socket dashboard peers: no unix sockets on Windows' : undefined)('a unix socket is local: its peers see the page', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tiercel-dashboard-'));
  const metrics = new ServerMetrics();
  const server = new Server({ logLevel: 'silent' });
  server.useHttp(app(metrics));
  server.listen(`http://unix:${join(dir, 'dash.sock')}`);
  await server.start();
  try {
    const status = await new Promise<string>((resolve, reject) => {
      const s = connect(join(dir, 'dash.sock'));
      let text = '';
      s.on('data', (c) => (text += c.toString('latin1')));
      s.on('error', reject);
      s.on('close', () => resolve(text.slice(0, 12)));
      s.end('GET /_tiercel HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    assert.is(status, 'HTTP/1.1 200');
  } finally {
    await server.stop(500);
    metrics.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** An address of this machine that is not loopback, if it has one. */
const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && !a.internal && a.family === 'IPv4')?.address;

const remoteTest = testRequiring(test, external === undefined ? 'remote dashboard peers: this machine has no non-loopback IPv4 address to connect from' : undefined);

remoteTest('a peer on a non-loopback address gets 403 for the page and the socket, unless allowRemote', async () => {
  await onTcp('0.0.0.0', {}, async (url) => {
    const port = new URL(url).port;
    for (const path of ['/_tiercel', '/_tiercel/ws']) {
      const res = await request(`http://${external}:${port}${path}`);
      assert.is(res.statusCode, 403, path);
      await res.body.text();
    }
    // The app's own routes are not affected.
    const app = await request(`http://${external}:${port}/`);
    assert.is(app.statusCode, 200);
    await app.body.text();
  });
  await onTcp('0.0.0.0', { allowRemote: true }, async (url) => {
    const res = await request(`http://${external}:${new URL(url).port}/_tiercel`);
    assert.is(res.statusCode, 200);
    await res.body.text();
  });
});

test('options are checked when the dashboard is made, and it needs metrics with their own counters', () => {
  const metrics = new ServerMetrics();
  try {
    assert.equal(DASHBOARD_DEFAULTS, { path: '/_tiercel', intervalMs: 1000, maxViewers: 8, maxViewerBacklogBytes: 65536, allowRemote: false });
    const bad: [DashboardOptions, string][] = [
      [{ path: 'x' }, 'dashboard.path'],
      [{ path: '/' }, 'dashboard.path'],
      [{ path: '/dash/' }, 'dashboard.path'],
      [{ intervalMs: 10 }, 'dashboard.intervalMs'],
      [{ intervalMs: 1.5 }, 'dashboard.intervalMs'],
      [{ maxViewers: 0 }, 'dashboard.maxViewers'],
      [{ maxViewerBacklogBytes: 10 }, 'dashboard.maxViewerBacklogBytes'],
      [{ allowRemote: 'yes' as unknown as boolean }, 'dashboard.allowRemote'],
      [{ intervalMS: 100 } as unknown as DashboardOptions, 'dashboard.intervalMS'],
    ];
    for (const [options, option] of bad) {
      try {
        dashboard(metrics, options);
        assert.unreachable(JSON.stringify(options));
      } catch (err) {
        assert.instance(err, InvalidOptionError);
        assert.is((err as InvalidOptionError).option, option);
      }
    }
  } finally {
    metrics.dispose();
  }
  const bare = new ServerMetrics({ prometheus: false });
  try {
    assert.throws(() => dashboard(bare), (err: unknown) => err instanceof InvalidOptionError && err.option === 'prometheus');
  } finally {
    bare.dispose();
  }
});

test('the demo app serves the dashboard at /_tiercel only when asked', async () => {
  const metrics = new ServerMetrics();
  const on = await TestServer.start(demoApp(undefined, { metrics, dashboard: { intervalMs: 100 } }), { name: 'demo-on' });
  const off = await TestServer.start(demoApp(undefined, { metrics }), { name: 'demo-off' });
  try {
    assert.is((await on.request('/_tiercel')).status, 200);
    const ws = await on.webSocket('/_tiercel/ws');
    const first = await frames(ws).next(() => true);
    assert.ok(first.connections.some((c) => c.endpoint.includes('demo-on')), JSON.stringify(first.connections));
    ws.close();
    await closed(ws);
    assert.is((await off.request('/_tiercel')).status, 404);
    assert.is((await on.request('/plaintext')).text(), 'Hello, World!');
    assert.throws(() => demoApp(undefined, { dashboard: true }), (err: unknown) => err instanceof InvalidOptionError && err.option === 'dashboard');
  } finally {
    await on.stop();
    await off.stop();
    metrics.dispose();
  }
});

test.run();
