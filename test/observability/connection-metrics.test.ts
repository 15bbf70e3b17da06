// The connection metrics added after the first round: tiercel.queued_connections (in-memory connects
// queued on a listener with no consumer yet), connections per protocol and TLS
// version on tiercel.active_connections (undici, node:http2 cleartext and over TLS, a WebSocket),
// a 101 recorded with its status but shown as 'upgraded', and the end reasons of HTTP/2
// connections (a node:http2 client's GOAWAY, a reset) and of connections no protocol took.
// Read through the OTel metrics SDK, the Prometheus text and snapshot().
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import diagnosticsChannel from 'node:diagnostics_channel';
import http2 from 'node:http2';
import { connect } from 'node:net';
import { request } from 'undici';
import WebSocket from 'ws';
import { MeterProvider, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { TestReader, collect, points } from './otel-reader.js';
import { CONNECTION_END_REASONS, DiagnosticChannels, type ConnectionContext, type ConnectionMessage, type TcpEndpoint } from '../../connection/index.js';
import { MemoryTransport } from '../../transports/index.js';
import { Server } from '../../hosting/index.js';
import { ServerMetrics } from '../../observability/index.js';
import { ApplicationBuilder } from '../../pipeline/index.js';
import { makeLeaf } from '../support/tls-certificates.js';
import { parseExposition, valueOf } from './exposition-parser.js';
import { exchange, http2Get, startTcp, until } from './support.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/shared.js';

/** Both sinks at once: the OTel SDK (through `reader`) and tiercel's own counters. */
function withMetrics(fn: (metrics: ServerMetrics, reader: TestReader) => Promise<void>): () => Promise<void> {
  return async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const metrics = new ServerMetrics({ meterProvider: provider });
    try {
      await fn(metrics, reader);
    } finally {
      metrics.dispose();
      await provider.shutdown();
    }
  };
}

const hello = (): ApplicationBuilder => new ApplicationBuilder().run((ctx) => ctx.response.send('hi'));

test(
  'tiercel.queued_connections: connections waiting for their listener\'s consumer, per endpoint; back to 0 once taken',
  withMetrics(async (metrics, reader) => {
    // A listener with no consumer yet, as a custom transport's between its accept() calls: the
    // server's own listeners hand each connection over as it comes (acceptEach), so with a server
    // behind them nothing waits.
    const memory = new MemoryTransport();
    const listener = await memory.bind({ kind: 'memory', name: 'queued' });
    const taken: ConnectionContext[] = [];
    const clients = [0, 1, 2, 3].map(() => memory.connect('queued'));
    try {
      const labels = { network_transport: 'memory', tiercel_endpoint: 'memory:queued' };
      assert.is(valueOf(parseExposition(metrics.prometheusText()), 'tiercel_queued_connections', labels), 4);
      assert.is(metrics.snapshot().connections.find((c) => c.transport === 'memory')?.queued, 4);
      taken.push((await listener.accept())!);
      assert.is(valueOf(parseExposition(metrics.prometheusText()), 'tiercel_queued_connections', labels), 3);
      listener.acceptEach!((ctx) => ctx !== null && taken.push(ctx));
      assert.is(taken.length, 4);
      assert.is(valueOf(parseExposition(metrics.prometheusText()), 'tiercel_queued_connections', labels), 0);
      const queued = points<number>((await collect(reader)).get('tiercel.queued_connections'));
      assert.equal(queued.map((p) => ({ ...p.attributes, value: p.value })), [{ 'network.transport': 'memory', 'tiercel.endpoint': 'memory:queued', value: 0 }]);
    } finally {
      for (const c of clients) c.destroy();
      for (const ctx of taken) ctx.abort();
      await listener.dispose();
    }
  }),
);

test(
  'tiercel.active_connections per protocol and TLS version: HTTP/1.1, HTTP/2 cleartext, HTTP/2 over TLS; a WebSocket as upgraded',
  withMetrics(async (metrics, reader) => {
    const leaf = await makeLeaf(['localhost', '127.0.0.1']);
    const app = new ApplicationBuilder().run(async (ctx) => {
      if (ctx.request.path === '/ws') {
        const ws = await ctx.webSockets.accept();
        ws.on('message', (data) => ws.send(data));
        return;
      }
      ctx.response.send('hi');
    });
    const server = new Server({ logLevel: 'silent' });
    server.useHttp(app);
    server.listen('http://127.0.0.1:0');
    server.listen('https://127.0.0.1:0', (ep) => ep.useHttps({ certificate: { cert: leaf.cert, key: leaf.key } }));
    await server.start();
    const [plain, secure] = server.endpoints as TcpEndpoint[];
    const h2c = http2.connect(`http://127.0.0.1:${plain.port}`);
    const h2 = http2.connect(`https://127.0.0.1:${secure.port}`, { ca: leaf.cert, servername: 'localhost' });
    h2.on('error', () => {});
    let ws: WebSocket | undefined;
    try {
      assert.is(await (await request(`http://127.0.0.1:${plain.port}/`)).body.text(), 'hi');
      await http2Get(h2c);
      await http2Get(h2);
      ws = new WebSocket(`ws://127.0.0.1:${plain.port}/ws`);
      await new Promise((r, j) => ws!.once('open', r).once('error', j));

      // The channels are process-wide: only this server's endpoints are looked at (another test's
      // server may be running in the same process).
      const snapshot = metrics.snapshot();
      const plainNow = snapshot.connections.find((c) => c.endpoint === `127.0.0.1:${plain.port}`)!;
      const secureNow = snapshot.connections.find((c) => c.endpoint === `127.0.0.1:${secure.port}`)!;
      // undici's keep-alive connection and the WebSocket's are HTTP/1.1.
      assert.equal(plainNow.protocols.sort((a, b) => a.protocol.localeCompare(b.protocol)), [
        { protocol: 'HTTP/1.1', tls: '', active: 2 },
        { protocol: 'HTTP/2', tls: '', active: 1 },
      ]);
      assert.is(secureNow.protocols.length, 1);
      const tlsVersion = secureNow.protocols[0].tls;
      assert.match(tlsVersion, /^TLSv1\.[23]$/);
      assert.equal(secureNow.protocols[0], { protocol: 'HTTP/2', tls: tlsVersion, active: 1 });
      assert.is(plainNow.upgraded, 1);
      // The endpoint's total is every protocol's added up; the process-wide sum has them too.
      assert.is(plainNow.active, 3);
      assert.ok((snapshot.protocols.find((p) => p.protocol === 'HTTP/2' && p.tls === tlsVersion)?.active ?? 0) >= 1);

      const m = await collect(reader);
      const ours = (p: DataPoint<unknown>): boolean => p.attributes['tiercel.endpoint'] === `127.0.0.1:${plain.port}` || p.attributes['tiercel.endpoint'] === `127.0.0.1:${secure.port}`;
      const byProtocol = points<number>(m.get('tiercel.active_connections')).filter((p) => ours(p) && p.value > 0);
      const tls = byProtocol.find((p) => p.attributes['tls.protocol.version'] !== undefined);
      assert.equal({ ...tls!.attributes, value: tls!.value }, {
        'network.transport': 'tcp',
        'tiercel.endpoint': `127.0.0.1:${secure.port}`,
        'network.protocol.name': 'http',
        'network.protocol.version': '2',
        'tls.protocol.version': tlsVersion,
        value: 1,
      });
      const h1 = byProtocol.find((p) => p.attributes['network.protocol.version'] === '1.1');
      assert.is(h1?.value, 2);
      assert.is(h1?.attributes['tls.protocol.version'], undefined);

      // The 101 keeps its status in http.server.request.duration (the span's and the metric's, as
      // the semantic conventions say), and is 'upgraded', not a finished 1xx, in the snapshot.
      const upgraded = points<Histogram>(m.get('http.server.request.duration')).find((p) => p.attributes['http.response.status_code'] === 101);
      // (Only this test upgrades, so the process-wide counts below are this server's.)
      assert.is(upgraded?.value.count, 1);
      assert.is(snapshot.requests.byStatusClass.upgraded, 1);
      assert.is(snapshot.requests.byStatusClass['1xx'], undefined);
    } finally {
      ws?.close();
      h2c.close();
      h2.close();
      await server.stop(1_000);
    }
    // Closed, each protocol series is back to 0 and connection.duration carries the protocol.
    const m = await collect(reader);
    const ours = (p: DataPoint<unknown>): boolean => p.attributes['tiercel.endpoint'] === `127.0.0.1:${plain.port}` || p.attributes['tiercel.endpoint'] === `127.0.0.1:${secure.port}`;
    for (const p of points<number>(m.get('tiercel.active_connections')).filter(ours)) assert.is(p.value, 0, JSON.stringify(p.attributes));
    const durations = points<Histogram>(m.get('tiercel.connection.duration')).filter(ours);
    const h2Tls = durations.filter((p) => p.attributes['network.protocol.version'] === '2' && p.attributes['tls.protocol.version'] !== undefined);
    assert.is(h2Tls.reduce((n, p) => n + p.value.count, 0), 1);
  }),
);

/** Records `tiercel:connection.closed` of the connections to `port()` while `fn` runs. */
async function closedConnections(port: () => number, fn: (closed: ConnectionMessage[]) => Promise<void>): Promise<void> {
  const closed: ConnectionMessage[] = [];
  const listener = (m: unknown): void => {
    const message = m as ConnectionMessage;
    if (message.endpoint.kind === 'tcp' && (message.endpoint as TcpEndpoint).port === port()) closed.push(message);
  };
  diagnosticsChannel.subscribe(DiagnosticChannels.connectionClosed, listener);
  try {
    await fn(closed);
  } finally {
    diagnosticsChannel.unsubscribe(DiagnosticChannels.connectionClosed, listener);
  }
}

test('HTTP/2 end reasons: the client\'s GOAWAY (session.close()) is client-goaway; a reset is transport-closed', async () => {
  const s = await startTcp(hello());
  await closedConnections(() => s.port, async (closed) => {
    try {
      const session = http2.connect(s.url);
      await http2Get(session);
      session.close();
      await until('the GOAWAY connection closed', () => closed.length === 1);
      assert.is(closed[0].endReason, 'client-goaway');

      const reset = http2.connect(s.url);
      reset.on('error', () => {});
      await http2Get(reset);
      (reset.socket as unknown as { resetAndDestroy(): void }).resetAndDestroy();
      await until('the reset connection closed', () => closed.length === 2);
      assert.is(closed[1].endReason, 'transport-closed');
    } finally {
      await s.stop();
    }
  });
});

test('end reasons before any protocol: no HTTP/2 preface on an HTTP/2-only endpoint is no-protocol; a client gone before a byte is client-end', async () => {
  const s = await startTcp(hello(), {}, { protocols: 'http2' });
  await closedConnections(() => s.port, async (closed) => {
    try {
      await exchange(s.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await until('the refused connection closed', () => closed.length === 1);
      assert.is(closed[0].endReason, 'no-protocol');
      const quiet = connect(s.port, '127.0.0.1');
      await new Promise((r) => quiet.once('connect', r));
      quiet.end();
      await until('the quiet connection closed', () => closed.length === 2);
      assert.is(closed[1].endReason, 'client-end');
      quiet.destroy();
    } finally {
      await s.stop();
    }
    for (const c of closed) assert.ok((CONNECTION_END_REASONS as readonly string[]).includes(c.endReason!), c.endReason);
  });
});

test('a failed TLS handshake ends the connection with tls-handshake-failed', async () => {
  const leaf = await makeLeaf(['localhost', '127.0.0.1']);
  const server = new Server({ logLevel: 'silent' });
  server.useHttp(hello());
  server.listen('https://127.0.0.1:0', (ep) => ep.useHttps({ certificate: { cert: leaf.cert, key: leaf.key } }));
  await server.start();
  const port = (server.endpoints[0] as TcpEndpoint).port;
  await closedConnections(() => port, async (closed) => {
    try {
      // Plaintext HTTP to a TLS endpoint: not a ClientHello.
      await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await until('the connection closed', () => closed.length === 1);
      assert.is(closed[0].endReason, 'tls-handshake-failed');
    } finally {
      await server.stop(1_000);
    }
  });
});

test('docs/logging.md lists every connection end reason', () => {
  const docs = readFileSync(join(repoRoot(), 'docs', 'logging.md'), 'utf8');
  for (const reason of CONNECTION_END_REASONS) assert.match(docs, new RegExp(`^\\| \`${reason}\` \\|`, 'm'), `docs/logging.md has no row for ${reason}`);
});

test.run();
