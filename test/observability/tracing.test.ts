// The tracing middleware through the real OpenTelemetry tracing SDK: spans read from an in-memory
// exporter after real requests over TCP. The caller's traceparent/tracestate is continued, and
// the app's outgoing undici request, made after an await, carries the server span's context: a
// diagnostics_channel subscriber injects the active context into it, as OpenTelemetry's undici
// instrumentation does, and the downstream server (node:http) records what it received.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import diagnosticsChannel from 'node:diagnostics_channel';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { SpanKind, SpanStatusCode, context, defaultTextMapSetter } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { InvalidOptionError } from '../../connection/index.js';
import { tracing } from '../../observability/index.js';
import { ApplicationBuilder, HttpError } from '../../pipeline/index.js';
import { startTcp } from './support.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

interface UndiciRequest {
  addHeader(name: string, value: string): unknown;
}

async function withTracing(fn: (env: { exporter: InMemorySpanExporter; downstream: string; received: http.IncomingHttpHeaders[]; url: string }) => Promise<void>): Promise<void> {
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const propagator = new W3CTraceContextPropagator();
  // What @opentelemetry/instrumentation-undici does for every request undici creates.
  const inject = (message: unknown): void => {
    const req = (message as { request: UndiciRequest }).request;
    const carrier: Record<string, string> = {};
    propagator.inject(context.active(), carrier, defaultTextMapSetter);
    for (const [name, value] of Object.entries(carrier)) req.addHeader(name, value);
  };
  diagnosticsChannel.subscribe('undici:request:create', inject);
  const received: http.IncomingHttpHeaders[] = [];
  const downstream = http.createServer((req, res) => {
    received.push(req.headers);
    res.end('downstream');
  });
  await new Promise<void>((r) => downstream.listen(0, '127.0.0.1', r));
  const downstreamUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}`;

  const app = new ApplicationBuilder()
    .use(tracing({ tracerProvider: provider, propagator }))
    .run(async (ctx) => {
      if (ctx.request.path === '/boom') throw new Error('boom');
      if (ctx.request.path === '/gone') throw new HttpError(410);
      // Past an await, the server span's context is still the active one.
      await new Promise((r) => setTimeout(r, 1));
      const res = await request(downstreamUrl);
      ctx.response.send(await res.body.text());
    });
  const s = await startTcp(app);
  try {
    await fn({ exporter, downstream: downstreamUrl, received, url: s.url });
  } finally {
    await s.stop();
    diagnosticsChannel.unsubscribe('undici:request:create', inject);
    await new Promise((r) => downstream.close(r));
    await provider.shutdown();
    context.disable();
  }
}

test('a server span continues the caller\'s trace, and the app\'s outgoing undici request joins it', () =>
  withTracing(async ({ exporter, received, url }) => {
    const res = await request(`${url}/work?x=1`, {
      headers: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01`, tracestate: 'vendor=abc', 'user-agent': 'tracing-test' },
    });
    assert.is(await res.body.text(), 'downstream');
    const spans = exporter.getFinishedSpans();
    assert.is(spans.length, 1);
    const span = spans[0];
    assert.is(span.kind, SpanKind.SERVER);
    assert.is(span.name, 'GET');
    assert.is(span.spanContext().traceId, TRACE_ID);
    assert.is(span.parentSpanContext?.spanId, CALLER_SPAN);
    assert.is(span.parentSpanContext?.isRemote, true);
    assert.is(span.attributes['http.request.method'], 'GET');
    assert.is(span.attributes['url.path'], '/work');
    assert.is(span.attributes['url.query'], 'x=1');
    assert.is(span.attributes['url.scheme'], 'http');
    assert.is(span.attributes['network.protocol.version'], '1.1');
    assert.is(span.attributes['user_agent.original'], 'tracing-test');
    assert.is(span.attributes['http.response.status_code'], 200);
    assert.is(span.status.code, SpanStatusCode.UNSET);
    // The downstream server got the same trace, with the server span as its parent.
    assert.is(received.length, 1);
    const [version, traceId, parentId, flags] = String(received[0].traceparent).split('-');
    assert.equal([version, traceId, parentId, flags], ['00', TRACE_ID, span.spanContext().spanId, '01']);
    assert.is(received[0].tracestate, 'vendor=abc');
  }));

test('without a traceparent the span starts a trace of its own; errors mark the span', () =>
  withTracing(async ({ exporter, received, url }) => {
    await (await request(`${url}/work`)).body.text();
    assert.is((await request(`${url}/boom`)).statusCode, 500);
    assert.is((await request(`${url}/gone`)).statusCode, 410);
    const [root, boom, gone] = exporter.getFinishedSpans();
    assert.is(root.parentSpanContext, undefined);
    assert.match(root.spanContext().traceId, /^[0-9a-f]{32}$/);
    assert.is.not(root.spanContext().traceId, TRACE_ID);
    assert.is(String(received[0].traceparent).split('-')[1], root.spanContext().traceId);
    assert.is(boom.attributes['http.response.status_code'], 500);
    assert.is(boom.status.code, SpanStatusCode.ERROR);
    assert.is(boom.attributes['error.type'], 'Error');
    assert.ok(boom.events.some((e) => e.name === 'exception'));
    // A 4xx is the client's: not an error of the server span.
    assert.is(gone.attributes['http.response.status_code'], 410);
    assert.is(gone.status.code, SpanStatusCode.UNSET);
  }));

test('a malformed traceparent is ignored (a new trace), never an error', () =>
  withTracing(async ({ exporter, url }) => {
    const res = await request(`${url}/work`, { headers: { traceparent: '00-zz-not-a-trace' } });
    assert.is(res.statusCode, 200);
    await res.body.text();
    const [span] = exporter.getFinishedSpans();
    assert.is(span.parentSpanContext, undefined);
  }));

test('tracing() checks its options', () => {
  assert.throws(() => tracing({ tracer: {} } as never), (e: unknown) => e instanceof InvalidOptionError && /known: tracerProvider, propagator/.test(e.message));
});

test.run();
