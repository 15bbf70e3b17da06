// Run by lazy-loading.test.ts in a fresh process: imports 'tiercel/middleware' and
// 'tiercel/observability' as an app would (the package's exports: bundle/) and prints one JSON
// line, which of the CommonJS packages the middleware and observability use (and node:crypto) are
// loaded after each step: the import, then the first use that needs each. Nothing of tiercel's is
// imported statically: that would load it first.
import { createRequire } from 'node:module';
import { sep } from 'node:path';

const PACKAGES = ['find-my-way', 'negotiator', 'cookie', 'proxy-addr', '@opentelemetry/api'];
const cache = createRequire(import.meta.url).cache;
function loaded(): string[] {
  const files = Object.keys(cache);
  const packages = PACKAGES.filter((p) => files.some((f) => f.includes(`${sep}node_modules${sep}${p.replace('/', sep)}${sep}`)));
  // Node's own record of the built-ins it has loaded (not in @types/node).
  const crypto = (process as unknown as { moduleLoadList: string[] }).moduleLoadList.includes('NativeModule crypto');
  return crypto ? [...packages, 'crypto'] : packages;
}

const stages: Record<string, string[]> = {};
const middleware = await import('tiercel/middleware');
const observability = await import('tiercel/observability');
const { ApplicationBuilder } = await import('tiercel/pipeline');
stages.import = loaded();

const router = new middleware.Router().get('/users/:id', (ctx) => ctx.response.send(ctx.route!.params.id));
stages.router = loaded();
middleware.forwardedHeaders({ trustedProxies: ['loopback'] });
stages.forwarded = loaded();
// With no OpenTelemetry SDK registered, ServerMetrics records into its own counters alone.
new observability.ServerMetrics().dispose();
stages.metrics = loaded();
observability.tracing();
stages.tracing = loaded();

const app = new ApplicationBuilder()
  .use(middleware.responseCompression({ thresholdBytes: 0 }))
  .use(middleware.cookies())
  .use(router.middleware())
  .run((ctx) => ctx.response.send(`cookie ${middleware.requestCookies(ctx).get('a') ?? 'none'}`));
const { TestServer } = await import('tiercel/hosting');
const ts = await TestServer.start(app);
try {
  const users = await ts.request('/users/7');
  if (users.text() !== '7') throw new Error(`GET /users/7 answered ${users.status} ${users.text()}`);
  stages.routed = loaded();
  const compressed = await ts.request({ path: '/', headers: { 'accept-encoding': 'gzip' } });
  if (compressed.headers['content-encoding'] !== 'gzip') throw new Error(`no gzip: ${JSON.stringify(compressed.headers)}`);
  stages.negotiated = loaded();
  const cookie = await ts.request({ path: '/', headers: { cookie: 'a=1' } });
  if (cookie.text() !== 'cookie 1') throw new Error(`the cookie was not read: ${cookie.text()}`);
  stages.cookie = loaded();
} finally {
  await ts.stop();
}
process.stdout.write(JSON.stringify(stages) + '\n');
