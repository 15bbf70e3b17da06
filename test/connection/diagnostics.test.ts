// The diagnostics_channel events of connection/diagnostics.ts and protocols/http/http-diagnostics.ts,
// subscribed to as any APM agent would, over real TCP connections: connections opened and closed
// (with the protocol's end reason), rejected, upgraded (a real WebSocket), TLS handshakes (a real
// TLS client, and one that sends garbage), requests (start/finish and the TracingChannel, whose
// bound store the app sees) and requests refused by the parser.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AsyncLocalStorage } from 'node:async_hooks';
import diagnosticsChannel from 'node:diagnostics_channel';
import http2 from 'node:http2';
import { connect } from 'node:net';
import { request } from 'undici';
import WebSocket from 'ws';
import {
  DiagnosticChannels,
  type ConnectionMessage,
  type ConnectionRejectedMessage,
  type ConnectionUpgradeMessage,
  type TcpEndpoint,
  type TlsHandshakeMessage,
} from '../../connection/index.js';
import { HttpDiagnosticChannels, type HttpRequestMessage, type HttpRequestRejectedMessage } from '../../protocols/http/index.js';
import { httpsMiddleware } from '../../protocols/tls/index.js';
import { ApplicationBuilder } from '../../pipeline/index.js';
import { makeLeaf } from '../support/tls-certificates.js';
import { tlsConnect } from '../support/tls-server.js';
import { exchange, http2Get, startTcp, until } from '../observability/support.js';

/** Records every message of `names` as [channel, message] while `fn` runs. */
async function recording(names: readonly string[], fn: (events: [string, unknown][]) => Promise<void>): Promise<void> {
  const events: [string, unknown][] = [];
  const subscribers = names.map((name) => [name, (message: unknown) => events.push([name, message])] as const);
  for (const [name, fn] of subscribers) diagnosticsChannel.subscribe(name, fn);
  try {
    await fn(events);
  } finally {
    for (const [name, fn] of subscribers) diagnosticsChannel.unsubscribe(name, fn);
  }
}

const C = DiagnosticChannels;
const H = HttpDiagnosticChannels;
const hello = (): ApplicationBuilder => new ApplicationBuilder().run((ctx) => ctx.response.send('hi'));

test('connection opened and closed: one message, the listener endpoint, the keep-alive end reason', () =>
  recording([C.connectionOpened, C.connectionClosed], async (events) => {
    const s = await startTcp(hello());
    try {
      assert.match(await exchange(s.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 200/);
      await until('closed', () => events.length === 2);
      const [[first, opened], [second, closed]] = events as [string, ConnectionMessage][];
      assert.equal([first, second], [C.connectionOpened, C.connectionClosed]);
      assert.is(opened, closed);
      assert.equal(closed.endpoint, { kind: 'tcp', host: '127.0.0.1', port: s.port } satisfies TcpEndpoint);
      assert.is(closed.endReason, 'client-close');
      assert.is(closed.closeKind, 'end');
      assert.type(closed.startTime, 'number');
      // An idle keep-alive connection ends with the server's stop.
      const idle = connect(s.port, '127.0.0.1');
      idle.on('error', () => {});
      const answered = new Promise((r) => idle.once('data', r));
      idle.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await answered;
      await until('opened', () => events.length === 3);
      await s.stop();
      await until('closed by the stop', () => events.length === 4);
      assert.is((events[3][1] as ConnectionMessage).endReason, 'server-shutdown');
      idle.destroy();
    } finally {
      await s.stop();
    }
  }));

test('an HTTP/2 connection: its end reason too (the server stops)', () =>
  recording([C.connectionClosed], async (events) => {
    const s = await startTcp(hello());
    try {
      const staying = http2.connect(s.url);
      staying.on('error', () => {});
      await http2Get(staying);
      await s.stop();
      await until('the session closed by the stop', () => events.length === 1);
      assert.is((events[0][1] as ConnectionMessage).endReason, 'server-shutdown');
      staying.destroy();
    } finally {
      await s.stop();
    }
  }));

test('connection rejected at maxConcurrentConnections', () =>
  recording([C.connectionRejected], async (events) => {
    const s = await startTcp(hello(), { maxConcurrentConnections: 1 });
    const held = connect(s.port, '127.0.0.1');
    try {
      await until('the first accepted', () => s.server.stats.active === 1);
      assert.is(await exchange(s.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'), '');
      assert.is(events.length, 1);
      const m = events[0][1] as ConnectionRejectedMessage;
      assert.is(m.reason, 'max-concurrent-connections');
      assert.is((m.endpoint as TcpEndpoint).port, s.port);
    } finally {
      held.destroy();
      await s.stop();
    }
  }));

test('a request refused by the parser: its rejection reason and status', () =>
  recording([H.requestRejected, H.requestStart], async (events) => {
    const s = await startTcp(hello());
    try {
      assert.match(await exchange(s.port, 'GET / HTTP/1.1\r\nHost: x\r\nBad : header\r\n\r\n'), /^HTTP\/1\.1 400/);
      assert.match(await exchange(s.port, 'GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'), /^HTTP\/1\.1 501/);
      assert.equal(
        events.map(([name, m]) => [name, (m as HttpRequestRejectedMessage).reason, (m as HttpRequestRejectedMessage).status]),
        [
          [H.requestRejected, 'whitespace-before-colon', 400],
          [H.requestRejected, 'unsupported-transfer-encoding', 501],
        ],
      );
    } finally {
      await s.stop();
    }
  }));

test('request start, the TracingChannel around the app (its bound store active in the app), response finish', async () => {
  const store = new AsyncLocalStorage<string>();
  const tracing = diagnosticsChannel.tracingChannel(H.requestTracing);
  tracing.start.bindStore(store, (m) => `request ${(m as HttpRequestMessage).request.target}`);
  const seen: (string | undefined)[] = [];
  const app = new ApplicationBuilder().run(async (ctx) => {
    await new Promise((r) => setImmediate(r));
    seen.push(store.getStore());
    if (ctx.request.path === '/fail') throw new Error('app failure');
    ctx.response.send('ok');
  });
  const names = [H.requestStart, H.responseFinish, ...['start', 'end', 'asyncStart', 'asyncEnd', 'error'].map((e) => `tracing:${H.requestTracing}:${e}`)];
  try {
    await recording(names, async (events) => {
      const s = await startTcp(app);
      try {
        await (await request(`${s.url}/a?q=1`)).body.text();
        assert.equal(seen, ['request /a?q=1']);
        const short = events.map(([name]) => name.replace(`tracing:${H.requestTracing}:`, 'tracing:'));
        assert.equal(short, [H.requestStart, 'tracing:start', 'tracing:end', 'tracing:asyncStart', 'tracing:asyncEnd', H.responseFinish]);
        const message = events[0][1] as HttpRequestMessage;
        for (const [, m] of events) assert.is(m, message, 'one message for the whole request');
        assert.is(message.request.method, 'GET');
        assert.is(message.response.statusCode, 200);
        assert.is(message.socket, message.connection.transport);
        events.length = 0;
        // The pipeline turns the app's error into a 500 itself, so the app as the protocol sees it does not fail.
        assert.is((await request(`${s.url}/fail`)).statusCode, 500);
        assert.is((events.at(-1)![1] as HttpRequestMessage).response.statusCode, 500);
      } finally {
        await s.stop();
      }
    });
  } finally {
    tracing.start.unbindStore(store);
  }
});

test('an app that throws: error on the TracingChannel, then the finish', () =>
  recording([`tracing:${H.requestTracing}:error`, H.responseFinish], async (events) => {
    const { Server } = await import('../../hosting/index.js');
    const server = new Server({ logLevel: 'silent' });
    server.useHttp({
      handle() {
        throw new Error('raw app failure');
      },
    });
    server.listen('http://127.0.0.1:0');
    await server.start();
    try {
      const port = (server.endpoints[0] as TcpEndpoint).port;
      assert.match(await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 500/);
      assert.equal(events.map(([n]) => n), [`tracing:${H.requestTracing}:error`, H.responseFinish]);
      assert.is(((events[0][1] as HttpRequestMessage).error as Error).message, 'raw app failure');
    } finally {
      await server.stop(1_000);
    }
  }));

test('an upgraded connection (a WebSocket): upgraded, then upgrade-closed with the same message', () =>
  recording([C.connectionUpgraded, C.connectionUpgradeClosed], async (events) => {
    const app = new ApplicationBuilder().run(async (ctx) => {
      const ws = await ctx.webSockets.accept();
      ws.on('message', (data) => ws.send(data));
    });
    const s = await startTcp(app);
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${s.port}/`);
      await new Promise((r, j) => ws.once('open', r).once('error', j));
      ws.send('x');
      await new Promise((r) => ws.once('message', r));
      assert.equal(events.map(([n]) => n), [C.connectionUpgraded]);
      ws.close();
      await until('upgrade closed', () => events.length === 2);
      assert.is(events[1][0], C.connectionUpgradeClosed);
      assert.is(events[0][1], events[1][1]);
      assert.ok((events[0][1] as ConnectionUpgradeMessage).connection.id);
    } finally {
      await s.stop();
    }
  }));

test('TLS handshakes: start and end with the TLS version; a failed one with its reason', async () => {
  const leaf = await makeLeaf(['localhost', '127.0.0.1']);
  await recording([C.tlsHandshakeStart, C.tlsHandshakeEnd], async (events) => {
    const tls = httpsMiddleware({ certificate: leaf });
    const { Server } = await import('../../hosting/index.js');
    const server = new Server({ logLevel: 'silent' });
    server.useHttp(hello());
    server.listen('http://127.0.0.1:0', (ep) => ep.use(tls.middleware));
    await server.start();
    const port = (server.endpoints[0] as TcpEndpoint).port;
    try {
      const socket = await tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false });
      const version = socket.getProtocol();
      assert.match(String(version), /^TLSv1\.[23]$/);
      await until('the handshake ended', () => events.length === 2);
      socket.destroy();
      assert.equal(events.map(([n]) => n), [C.tlsHandshakeStart, C.tlsHandshakeEnd]);
      const ok = events[1][1] as TlsHandshakeMessage;
      assert.is(ok, events[0][1]);
      assert.is(ok.protocol, version);
      assert.is(ok.error, undefined);
      events.length = 0;
      await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await until('the failed handshake', () => events.length === 2);
      const failed = events[1][1] as TlsHandshakeMessage;
      assert.is((failed.error as Error & { reason?: string }).reason, 'protocol');
      assert.is(failed.protocol, undefined);
    } finally {
      tls.dispose();
      await server.stop(1_000);
    }
  });
});

test('nobody subscribed: no message is built (the request channels report no subscribers)', async () => {
  const start = diagnosticsChannel.channel(H.requestStart);
  const tracing = diagnosticsChannel.tracingChannel(H.requestTracing);
  assert.is(start.hasSubscribers, false);
  assert.is(tracing.start.hasSubscribers, false);
  const s = await startTcp(hello());
  try {
    assert.is(await (await request(s.url)).body.text(), 'hi');
  } finally {
    await s.stop();
  }
});

test.run();
