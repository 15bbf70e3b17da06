// ServerMetrics through the real OpenTelemetry metrics SDK: a MeterProvider with a reader the test
// collects from, values read after real requests over TCP (HTTP/1.1 with undici and raw sockets,
// HTTP/2 with node:http2).
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import { connect } from 'node:net';
import { request } from 'undici';
import { metrics as otelMetrics } from '@opentelemetry/api';
import { MeterProvider, type Histogram } from '@opentelemetry/sdk-metrics';
import { TestReader, collect, points } from './otel-reader.js';
import { ServerMetrics, transportTag } from '../../observability/index.js';
import { ApplicationBuilder, HttpError } from '../../pipeline/index.js';
import { Router } from '../../middleware/index.js';
import { InvalidOptionError } from '../../connection/index.js';
import { exchange, http2Get, startTcp, until } from './support.js';

function app(): ApplicationBuilder {
  return new ApplicationBuilder().run(async (ctx) => {
    if (ctx.request.path === '/boom') throw new Error('boom');
    if (ctx.request.path === '/teapot') throw new HttpError(418);
    await new Promise((r) => setImmediate(r));
    ctx.response.send('ok');
  });
}

function withMetrics(fn: (metrics: ServerMetrics, reader: TestReader) => Promise<void>): () => Promise<void> {
  return async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const metrics = new ServerMetrics({ meterProvider: provider, prometheus: false });
    try {
      await fn(metrics, reader);
    } finally {
      metrics.dispose();
      await provider.shutdown();
    }
  };
}

test(
  'http.server.request.duration and active_requests after real HTTP/1.1 and HTTP/2 requests',
  withMetrics(async (_metrics, reader) => {
    const s = await startTcp(app());
    try {
      for (let i = 0; i < 3; i++) {
        const res = await request(`${s.url}/ok`);
        assert.is(await res.body.text(), 'ok');
      }
      assert.is((await request(`${s.url}/boom`)).statusCode, 500);
      assert.is((await request(`${s.url}/teapot`)).statusCode, 418);
      const session = http2.connect(s.url);
      await http2Get(session, '/ok');
      session.close();
    } finally {
      await s.stop();
    }
    const m = await collect(reader);
    const duration = points<Histogram>(m.get('http.server.request.duration'));
    assert.is(m.get('http.server.request.duration')!.descriptor.unit, 's');
    const find = (status: number, version: string) =>
      duration.find((p) => p.attributes['http.response.status_code'] === status && p.attributes['network.protocol.version'] === version);
    const ok1 = find(200, '1.1');
    assert.ok(ok1);
    assert.is(ok1!.value.count, 3);
    assert.equal(
      { ...ok1!.attributes },
      { 'http.request.method': 'GET', 'http.response.status_code': 200, 'url.scheme': 'http', 'network.protocol.name': 'http', 'network.protocol.version': '1.1' },
    );
    const sum = ok1!.value.sum ?? 0;
    assert.ok(sum > 0 && sum < 10, `durations in seconds: ${sum}`);
    // The semantic conventions' advised buckets reach the SDK.
    assert.equal(ok1!.value.buckets.boundaries.slice(0, 3), [0.005, 0.01, 0.025]);
    assert.is(find(200, '2')?.value.count, 1);
    const boom = find(500, '1.1');
    assert.is(boom?.value.count, 1);
    assert.is(boom?.attributes['error.type'], '500');
    assert.is(find(418, '1.1')?.value.count, 1);
    const active = points<number>(m.get('http.server.active_requests'));
    assert.ok(active.length > 0);
    for (const p of active) assert.is(p.value, 0, 'every request that started has finished');
  }),
);

test(
  'http.route: the full template a Router matched (pathBase + template under map()); none without a match',
  withMetrics(async (_metrics, reader) => {
    const routed = new ApplicationBuilder()
      .map('/api', (b) => b.use(new Router().get('/users/:id', (ctx) => ctx.response.json({ id: ctx.route!.params.id })).middleware()))
      .run((ctx) => ctx.response.send('fallback'));
    const s = await startTcp(routed);
    try {
      for (const id of ['1', '2', '3']) assert.equal(await (await request(`${s.url}/api/users/${id}`)).body.json(), { id });
      assert.is(await (await request(`${s.url}/elsewhere`)).body.text(), 'fallback');
    } finally {
      await s.stop();
    }
    const duration = points<Histogram>((await collect(reader)).get('http.server.request.duration'));
    const withRoute = duration.filter((p) => p.attributes['http.route'] !== undefined);
    assert.equal(withRoute.map((p) => [p.attributes['http.route'], p.value.count]), [['/api/users/:id', 3]]);
    assert.is(duration.find((p) => p.attributes['http.route'] === undefined)?.value.count, 1);
  }),
);

test(
  'tiercel.active_connections and connection.duration with the keep-alive end reason; rejected_requests by reason',
  withMetrics(async (_metrics, reader) => {
    const s = await startTcp(app());
    const endpoint = `127.0.0.1:${s.port}`;
    try {
      const closed = await exchange(s.port, 'GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      assert.match(closed, /^HTTP\/1\.1 200/);
      const bad = await exchange(s.port, 'GET /ok HTTP/1.1\r\nHost: x\r\nBad : header\r\n\r\n');
      assert.match(bad, /^HTTP\/1\.1 400/);
      // One connection still open when the metrics are read.
      const open = connect(s.port, '127.0.0.1');
      open.on('error', () => {});
      await new Promise((r) => open.once('connect', r));
      await until('the open connection counted', () => s.server.stats.active === 1);
      let m = await collect(reader);
      const activeNow = points<number>(m.get('tiercel.active_connections'));
      // The open connection has sent nothing, so it has no protocol yet; the two HTTP/1.1 ones closed.
      assert.equal(activeNow.map((p) => ({ ...p.attributes, value: p.value })), [
        { 'network.transport': 'tcp', 'tiercel.endpoint': endpoint, value: 1 },
        { 'network.transport': 'tcp', 'tiercel.endpoint': endpoint, 'network.protocol.name': 'http', 'network.protocol.version': '1.1', value: 0 },
      ]);
      open.destroy();
      await until('the connection closed', () => s.server.stats.active === 0);
      m = await collect(reader);
      const durations = points<Histogram>(m.get('tiercel.connection.duration'));
      const byReason = (reason: string) => durations.find((p) => p.attributes['tiercel.connection.end_reason'] === reason);
      assert.is(byReason('client-close')?.value.count, 1);
      assert.is(byReason('bad-request')?.value.count, 1);
      assert.is(byReason('client-close')?.attributes['network.transport'], 'tcp');
      assert.is(byReason('client-close')?.attributes['tiercel.endpoint'], endpoint);
      assert.is(byReason('client-close')?.attributes['network.protocol.version'], '1.1');
      for (const p of points<number>(m.get('tiercel.active_connections'))) assert.is(p.value, 0);
      const rejected = points<number>(m.get('tiercel.rejected_requests'));
      assert.equal(
        rejected.map((p) => [p.attributes['tiercel.rejection_reason'], p.attributes['http.response.status_code'], p.value]),
        [['whitespace-before-colon', 400, 1]],
      );
    } finally {
      await s.stop();
    }
  }),
);

test(
  'tiercel.rejected_connections counts connections refused at maxConcurrentConnections',
  withMetrics(async (_metrics, reader) => {
    const s = await startTcp(app(), { maxConcurrentConnections: 1 });
    try {
      const first = connect(s.port, '127.0.0.1');
      await until('the first connection accepted', () => s.server.stats.active === 1);
      const refused = await exchange(s.port, 'GET /ok HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.is(refused, '');
      first.destroy();
      const m = await collect(reader);
      const rejected = points<number>(m.get('tiercel.rejected_connections'));
      assert.equal(rejected.map((p) => ({ ...p.attributes, value: p.value })), [{ 'network.transport': 'tcp', 'tiercel.endpoint': `127.0.0.1:${s.port}`, value: 1 }]);
    } finally {
      await s.stop();
    }
  }),
);

test('after dispose nothing more is counted; options are checked', async () => {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  const metrics = new ServerMetrics({ meterProvider: provider });
  metrics.dispose();
  const s = await startTcp(app());
  try {
    await (await request(`${s.url}/ok`)).body.text();
  } finally {
    await s.stop();
  }
  const m = await collect(reader);
  assert.is(m.get('http.server.request.duration'), undefined);
  assert.throws(() => new ServerMetrics({ meterProvider: provider, prometheus: 'yes' as unknown as boolean }), (e: unknown) => e instanceof InvalidOptionError);
  assert.throws(() => new ServerMetrics({ meter: provider } as never), (e: unknown) => e instanceof InvalidOptionError && /known: meterProvider, prometheus/.test(e.message));
  assert.throws(() => new ServerMetrics({ prometheus: false }).prometheusText(), (e: unknown) => e instanceof InvalidOptionError);
  await provider.shutdown();
});

test('a request that began before the metrics were made is not counted when it ends; one that began after is', async () => {
  // The metrics keep when they subscribed on process.hrtime and compare it with the messages'
  // performance.now() times (converted with the first message, so that start-up loads no
  // node:perf_hooks): a conversion that is off counts the held request, or misses the one that
  // began after the metrics were made.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let arrived!: () => void;
  const inApp = new Promise<void>((resolve) => (arrived = resolve));
  const s = await startTcp(
    new ApplicationBuilder().run(async (ctx) => {
      if (ctx.request.path === '/held') {
        arrived();
        await held;
      }
      ctx.response.send('ok');
    }),
  );
  // Subscribed from the start: the held request's messages exist (they are made only for subscribers).
  const early = new ServerMetrics();
  let late: ServerMetrics | undefined;
  const counted = (m: ServerMetrics): number =>
    [...m.prometheusText().matchAll(/^http_server_request_duration_seconds_count\{[^}]*\} (\d+)$/gm)].reduce((sum, c) => sum + Number(c[1]), 0);
  try {
    const first = request(`${s.url}/held`);
    await inApp;
    late = new ServerMetrics();
    // The next request's start is the first message `late` sees: its subscription time is
    // converted then, and must still lie before that request's start.
    assert.is(await (await request(`${s.url}/after`)).body.text(), 'ok');
    release();
    assert.is(await (await first).body.text(), 'ok');
    assert.is(counted(early), 2, 'subscribed before both');
    assert.is(counted(late), 1, 'the request that began before it subscribed is not counted; the next one is');
    assert.not.match(late.prometheusText(), /^http_server_active_requests\{[^}]*\} -/m, 'never below zero');
  } finally {
    early.dispose();
    late?.dispose();
    await s.stop();
  }
});

test('without meterProvider: the global provider registered when the metrics are made records; before any is registered, nothing does (the API\'s no-op)', async () => {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  // Made before the SDK is registered: no-op instruments, as @opentelemetry/api's would be (its
  // metrics API has no proxy), while tiercel's own counters still count.
  const early = new ServerMetrics();
  assert.ok(otelMetrics.setGlobalMeterProvider(provider), 'registered the global meter provider');
  const late = new ServerMetrics({ prometheus: false });
  const s = await startTcp(app());
  try {
    await (await request(`${s.url}/ok`)).body.text();
    const m = await collect(reader);
    // One request, recorded once: by `late` alone.
    const durations = points<Histogram>(m.get('http.server.request.duration'));
    assert.is(durations.length, 1);
    assert.is(durations[0].value.count, 1);
    assert.match(early.prometheusText(), /http_server_request_duration_seconds_count\{[^}]*\} 1/);
  } finally {
    early.dispose();
    late.dispose();
    otelMetrics.disable();
    await s.stop();
    await provider.shutdown();
  }
});

test('transportTag: tcp, unix, pipe, memory, a custom kind', () => {
  assert.is(transportTag({ kind: 'tcp', host: '127.0.0.1', port: 1 }), 'tcp');
  assert.is(transportTag({ kind: 'pipe', path: '/run/app.sock' }), 'unix');
  assert.is(transportTag({ kind: 'pipe', path: '\\\\.\\pipe\\app' }), 'pipe');
  assert.is(transportTag({ kind: 'memory', name: 'app' }), 'memory');
  assert.is(transportTag({ kind: 'loop', name: 'x' }), 'loop');
});

test.run();
