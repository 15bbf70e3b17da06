// tiercel's demo app with its metrics on and no OpenTelemetry SDK: what `tiercel serve` runs
// (the diagnostics_channel events, the no-op OTel instruments and the Prometheus counters behind
// GET /metrics). The bench's `metrics` row compares it with servers/tiercel.mjs (metrics off).
// Usage: node servers/tiercel-metrics.mjs <port>   (prints "listening" when ready)
import { Server } from '../../bundle/hosting/index.js';
import { demoApp } from '../../bundle/hosting/demo-app.js';
import { ServerMetrics } from '../../bundle/observability/index.js';

const port = Number(process.argv[2] ?? 3000);
const server = new Server({ logLevel: 'warn' });
server.useHttp(demoApp(undefined, { metrics: new ServerMetrics() }));
server.listen(`http://127.0.0.1:${port}`);
await server.start();
console.log('listening');
