// tiercel's demo app with an OpenTelemetry SDK behind its metrics and a server span per request:
// the SDK's MeterProvider (a periodic reader every 10 s), a BasicTracerProvider with a batch span
// processor, the AsyncLocalStorage context manager and the W3C propagator, as an app would set
// them up. The exporters take every batch and drop it, so the row measures the SDK's cost in the
// server process, not a collector's network. The root devDependencies provide the SDK packages.
// Usage: node servers/tiercel-otel.mjs <port>   (prints "listening" when ready)
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Server } from '../../bundle/hosting/index.js';
import { demoApp } from '../../bundle/hosting/demo-app.js';
import { ApplicationBuilder } from '../../bundle/pipeline/index.js';
import { ServerMetrics, tracing } from '../../bundle/observability/index.js';

const SUCCESS = { code: 0 };
const dropMetrics = { export: (_batch, done) => done(SUCCESS), forceFlush: async () => {}, shutdown: async () => {} };
const dropSpans = { export: (_spans, done) => done(SUCCESS), shutdown: async () => {} };

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropSpans)] }));
const meterProvider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: dropMetrics, exportIntervalMillis: 10_000 })] });

const port = Number(process.argv[2] ?? 3000);
const server = new Server({ logLevel: 'warn' });
server.useHttp(demoApp(new ApplicationBuilder().use(tracing()), { metrics: new ServerMetrics({ meterProvider }) }));
server.listen(`http://127.0.0.1:${port}`);
await server.start();
console.log('listening');
