// Health checks through the public API: TestServer (real parser and pipeline on the in-memory
// transport) for the report, and a real TCP server for readiness during a graceful stop.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import { LifetimeFeature, type TcpEndpoint } from '../../../connection/index.js';
import { Server, TestServer } from '../../../hosting/index.js';
import { HealthChecks, useHealthChecks, type HealthOptions, type HealthReport } from '../../../middleware/index.js';
import { ApplicationBuilder } from '../../../pipeline/index.js';

async function withHealth(configure: (h: HealthChecks) => void, fn: (ts: TestServer, h: HealthChecks) => Promise<void>, options: HealthOptions = { eventLoopDelay: false }): Promise<void> {
  const app = new ApplicationBuilder();
  const health = useHealthChecks(app, options);
  configure(health);
  app.run((ctx) => ctx.response.send('app'));
  const ts = await TestServer.start(app, { server: { logLevel: 'silent' } });
  try {
    await fn(ts, health);
  } finally {
    health.dispose();
    await ts.stop();
  }
}

async function probe(ts: TestServer, path: string): Promise<{ status: number; report: HealthReport; type: string | undefined; cache: string | undefined }> {
  const res = await ts.request(path);
  return { status: res.status, report: res.json() as HealthReport, type: res.headers['content-type'], cache: res.headers['cache-control'] };
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

test('healthy: 200 with a JSON report of every check, its status and duration; other paths reach the app', () =>
  withHealth(
    (h) => {
      h.add({ name: 'db', check: async () => ({ status: 'healthy', description: 'pool ok', data: { open: 3 } }) });
      h.add({ name: 'cache', check: async () => 'healthy' });
    },
    async (ts) => {
      const { status, report, type, cache } = await probe(ts, '/readyz');
      assert.is(status, 200);
      assert.match(type ?? '', /^application\/json/);
      assert.is(cache, 'no-store');
      assert.is(report.status, 'healthy');
      assert.equal(Object.keys(report.checks), ['db', 'cache']);
      assert.is(report.checks.db.status, 'healthy');
      assert.is(report.checks.db.description, 'pool ok');
      assert.equal(report.checks.db.data, { open: 3 });
      assert.type(report.checks.db.durationMs, 'number');
      assert.type(report.totalDurationMs, 'number');
      assert.is((await ts.request('/other')).text(), 'app');
    },
  ));

test('a failing check: 503, unhealthy, with the error it threw; a check returning no status is unhealthy too', () =>
  withHealth(
    (h) => {
      h.add({ name: 'ok', check: async () => 'healthy' });
      h.add({ name: 'db', check: async () => Promise.reject(new Error('connection refused')) });
      h.add({ name: 'odd', check: (async () => ({ status: 'fine' })) as never });
    },
    async (ts) => {
      const { status, report } = await probe(ts, '/readyz');
      assert.is(status, 503);
      assert.is(report.status, 'unhealthy');
      assert.is(report.checks.ok.status, 'healthy');
      assert.is(report.checks.db.status, 'unhealthy');
      assert.is(report.checks.db.error, 'connection refused');
      assert.is(report.checks.odd.status, 'unhealthy');
      assert.match(report.checks.odd.error ?? '', /returned no status/);
    },
  ));

test('a check past its timeout is unhealthy, and its signal aborts with a coded error', async () => {
  let reason: unknown;
  await withHealth(
    (h) =>
      h.add({
        name: 'slow',
        timeoutMs: 30,
        check: async (signal) =>
          new Promise((resolve) =>
            signal.addEventListener('abort', () => {
              reason = signal.reason;
              resolve('healthy');
            }),
          ),
      }),
    async (ts) => {
      const { status, report } = await probe(ts, '/readyz');
      assert.is(status, 503);
      assert.is(report.checks.slow.status, 'unhealthy');
      assert.match(report.checks.slow.error ?? '', /'slow' did not finish within 30 ms/);
      assert.is((reason as { code?: string }).code, 'ERR_TIERCEL_HEALTH_CHECK_TIMEOUT');
    },
  );
});

test('degraded: 200, and the worst status wins the report', () =>
  withHealth(
    (h) => {
      h.add({ name: 'a', check: async () => 'healthy' });
      h.add({ name: 'b', check: async () => ({ status: 'degraded', description: 'replica lagging' }) });
    },
    async (ts) => {
      const { status, report } = await probe(ts, '/readyz');
      assert.is(status, 200);
      assert.is(report.status, 'degraded');
      assert.is(report.checks.b.description, 'replica lagging');
    },
  ));

test("liveness runs only the checks tagged 'live'; the paths are configurable; GET and HEAD only", () =>
  withHealth(
    (h) => {
      h.add({ name: 'process', tags: ['live'], check: async () => 'healthy' });
      h.add({ name: 'db', check: async () => 'unhealthy' });
    },
    async (ts) => {
      const live = await probe(ts, '/live');
      assert.is(live.status, 200);
      assert.equal(Object.keys(live.report.checks), ['process']);
      assert.is((await probe(ts, '/ready')).status, 503);
      assert.is((await ts.request('/healthz')).text(), 'app', 'the default paths are the app’s once others are configured');
      const post = await ts.request({ method: 'POST', path: '/ready' });
      assert.is(post.status, 405);
      assert.is(post.headers.allow, 'GET, HEAD');
      const head = await ts.request({ method: 'HEAD', path: '/live' });
      assert.is(head.status, 200);
      assert.is(head.body.length, 0);
    },
    { livenessPath: '/live', readinessPath: '/ready', eventLoopDelay: false },
  ));

test('liveness with no live check is 200: the process answers', () =>
  withHealth(
    (h) => h.add({ name: 'db', check: async () => 'unhealthy' }),
    async (ts) => {
      const { status, report } = await probe(ts, '/healthz');
      assert.is(status, 200);
      assert.equal(report, { status: 'healthy', totalDurationMs: report.totalDurationMs, checks: {} });
    },
  ));

test('the event-loop-delay check: healthy while the loop runs, unhealthy after it was blocked past the threshold', () =>
  withHealth(
    () => {},
    async (ts) => {
      const first = await probe(ts, '/readyz');
      assert.is(first.status, 200);
      assert.is(first.report.checks['event-loop'].status, 'healthy');
      // A turn of the histogram's timer after the reset (see event-loop-delay-check.ts), then
      // block the loop for well past the threshold.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const until = Date.now() + 150;
      while (Date.now() < until);
      // The histogram records the stall when its timer next fires; a probe over the network
      // arrives later than one over the in-memory transport, which can be answered first.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const blocked = await probe(ts, '/readyz');
      assert.is(blocked.status, 503);
      const entry = blocked.report.checks['event-loop'];
      assert.is(entry.status, 'unhealthy');
      assert.ok((entry.data?.maxDelayMs as number) > 20, `maxDelayMs ${String(entry.data?.maxDelayMs)}`);
      assert.is(entry.data?.thresholdMs, 20);
      // Read and reset: the next report covers only the time since.
      assert.is((await probe(ts, '/readyz')).report.checks['event-loop'].status, 'healthy');
    },
    { eventLoopDelay: { thresholdMs: 20, resolutionMs: 5 } },
  ));

test('configuration errors are coded and state the rule', () => {
  const codeOf = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (err) {
      return (err as { code?: string }).code;
    }
    return undefined;
  };
  const config = 'ERR_TIERCEL_HEALTH_CONFIG';
  assert.is(codeOf(() => new HealthChecks({ path: '/x' } as HealthOptions)), config);
  assert.is(codeOf(() => new HealthChecks({ livenessPath: 'healthz' })), config);
  assert.is(codeOf(() => new HealthChecks({ livenessPath: '/x', readinessPath: '/x' })), config);
  assert.is(codeOf(() => new HealthChecks({ timeoutMs: 0 })), config);
  assert.is(codeOf(() => new HealthChecks({ eventLoopDelay: { threshold: 5 } as never })), config);
  const h = new HealthChecks({ eventLoopDelay: false }).add({ name: 'a', check: async () => 'healthy' });
  assert.is(codeOf(() => h.add({ name: 'a', check: async () => 'healthy' })), config);
  assert.is(codeOf(() => h.add({ name: '', check: async () => 'healthy' })), config);
  assert.is(codeOf(() => h.add({ name: 'b', check: 'no' as never })), config);
  assert.is(codeOf(() => h.add({ name: 'c', check: async () => 'healthy', timeoutMs: 1.5 })), config);
});

test('readiness is 503 as soon as stop() begins, while a slow request keeps the server draining (real TCP)', async () => {
  const slowSeen = deferred();
  const slowGate = deferred();
  const checkEntered = deferred();
  let hold: Promise<void> | undefined;
  const app = new ApplicationBuilder();
  const health = useHealthChecks(app, { eventLoopDelay: false });
  health.add({
    name: 'gated',
    check: async () => {
      if (hold !== undefined) {
        checkEntered.resolve();
        await hold;
      }
      return 'healthy';
    },
  });
  app.run(async (ctx) => {
    slowSeen.resolve();
    await slowGate.promise;
    ctx.response.send('slow done');
  });
  const server = new Server({ logLevel: 'silent' });
  server.useHttp(app);
  const closeRequested = deferred();
  // Connection middleware of the test's own: it learns of the stop the way every protocol does.
  server.listen('http://127.0.0.1:0', (ep) =>
    ep.use((ctx, next) => {
      ctx.features.get(LifetimeFeature)?.onCloseRequested(() => closeRequested.resolve());
      return next();
    }),
  );
  await server.start();
  const port = (server.endpoints[0] as TcpEndpoint).port;
  const get = (path: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });
  try {
    assert.is((await get('/readyz')).status, 200, 'ready before the stop');
    const events: string[] = [];
    const slow = get('/slow').then((r) => events.push(`slow ${r.status}`));
    await slowSeen.promise;
    const release = deferred();
    hold = release.promise;
    const ready = get('/readyz');
    await checkEntered.promise;
    const stopped = server.stop(5_000).then(() => events.push('stopped'));
    await closeRequested.promise;
    release.resolve();
    const during = await ready;
    events.push(`readyz ${during.status}`);
    assert.is(during.status, 503);
    assert.equal(JSON.parse(during.body), { status: 'unhealthy', totalDurationMs: 0, stopping: true, checks: {} });
    assert.equal(events, ['readyz 503'], 'readiness failed while the slow request still held the server');
    slowGate.resolve();
    await Promise.all([slow, stopped]);
    assert.equal(events, ['readyz 503', 'slow 200', 'stopped']);
  } finally {
    slowGate.resolve();
    await server.stop(0);
  }
});

test.run();
