// Rate limiting through the public API over HTTP/1.1 and HTTP/2, time moved by a ManualClock:
// each algorithm's limit and Retry-After, partitions, bounded memory, and the client's address
// as the default partition over real TCP connections from two loopback addresses.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import { ManualClock } from '../../../hosting/index.js';
import { problemDetails, rateLimit, RateLimitConfigError, RATE_LIMIT_DEFAULTS, type RateLimitOptions } from '../../../middleware/index.js';
import { ApplicationBuilder } from '../../../pipeline/index.js';
import { overBoth, withH2, type Client } from '../support.js';

let clock = new ManualClock(0);

function limited(options: Omit<RateLimitOptions, 'clock'>): () => ApplicationBuilder {
  return () => {
    clock = new ManualClock(0);
    return new ApplicationBuilder()
      .use(problemDetails())
      .use(rateLimit({ partitionBy: (ctx) => ctx.request.headers.get('x-client') ?? 'anonymous', ...options, clock }))
      .run((ctx) => ctx.response.send('ok'));
  };
}

async function statuses(c: Client, n: number, client = 'a'): Promise<string> {
  const got: number[] = [];
  for (let i = 0; i < n; i++) got.push((await c.request('/', { headers: { 'x-client': client } })).status);
  return got.join(' ');
}

test('fixed window: the permits, then 429 with Retry-After as a problem; a new window lets requests in again', () =>
  overBoth(limited({ limiter: { kind: 'fixed-window', permits: 3, windowMs: 2_000 } }), async (c) => {
    assert.is(await statuses(c, 4), '200 200 200 429');
    clock.advance(500);
    const refused = await c.request('/', { headers: { 'x-client': 'a' } });
    assert.is(refused.status, 429);
    assert.is(refused.headers['retry-after'], '2');
    assert.is(refused.headers['content-type'], 'application/problem+json');
    assert.is(refused.json<{ code: string }>().code, 'ERR_TIERCEL_RATE_LIMITED');
    clock.advance(1_500);
    assert.is(await statuses(c, 4), '200 200 200 429');
  }));

test('sliding window: the previous window still counts in part, so its burst cannot repeat at once', () =>
  overBoth(limited({ limiter: { kind: 'sliding-window', permits: 4, windowMs: 1_000 } }), async (c) => {
    assert.is(await statuses(c, 5), '200 200 200 200 429');
    clock.advance(1_000);
    // A fixed window would allow 4 more now; the sliding estimate is still 4.
    const refused = await c.request('/', { headers: { 'x-client': 'a' } });
    assert.is(refused.status, 429);
    assert.is(refused.headers['retry-after'], '1');
    clock.advance(250);
    assert.is(await statuses(c, 2), '200 429');
    clock.advance(2_000);
    assert.is(await statuses(c, 1, 'b'), '200');
    assert.is(await statuses(c, 5), '200 200 200 200 429');
  }));

test('token bucket: a burst of capacity, then one request per refill period', () =>
  overBoth(limited({ limiter: { kind: 'token-bucket', capacity: 2, tokensPerPeriod: 1, periodMs: 3_000 } }), async (c) => {
    assert.is(await statuses(c, 3), '200 200 429');
    const refused = await c.request('/', { headers: { 'x-client': 'a' } });
    assert.is(refused.headers['retry-after'], '3');
    clock.advance(3_000);
    assert.is(await statuses(c, 2), '200 429');
    clock.advance(60_000);
    // A new key sweeps the partitions at rest ('a', full again): forgotten, 'a' is as before.
    assert.is(await statuses(c, 1, 'b'), '200');
    assert.is(await statuses(c, 3), '200 200 429');
  }));

test('partitions are separate; a key function answering undefined leaves the request unlimited', () =>
  overBoth(
    () => {
      clock = new ManualClock(0);
      return new ApplicationBuilder()
        .use(rateLimit({ limiter: { kind: 'fixed-window', permits: 1, windowMs: 1_000 }, partitionBy: (ctx) => ctx.request.headers.get('x-client'), clock }))
        .run((ctx) => ctx.response.send('ok'));
    },
    async (c) => {
      assert.is(await statuses(c, 2, 'a'), '200 429');
      assert.is(await statuses(c, 2, 'b'), '200 429');
      const free: number[] = [];
      for (let i = 0; i < 3; i++) free.push((await c.request('/')).status);
      assert.equal(free, [200, 200, 200]);
    },
  ));

test('bounded memory: past maxPartitions the least recently seen partition is forgotten', () =>
  overBoth(limited({ limiter: { kind: 'fixed-window', permits: 1, windowMs: 60_000 }, maxPartitions: 2 }), async (c) => {
    assert.is(await statuses(c, 2, 'a'), '200 429');
    assert.is(await statuses(c, 2, 'b'), '200 429');
    // 'a' was seen before 'b': a third key evicts it, and 'a' starts afresh.
    assert.is(await statuses(c, 2, 'c'), '200 429');
    assert.is(await statuses(c, 1, 'a'), '200');
    // 'b' was evicted for 'a'; 'c' is still remembered.
    assert.is(await statuses(c, 1, 'c'), '429');
  }));

test('concurrency: one request in flight per partition, the next refused until it finishes', async () => {
  let release: () => void = () => undefined;
  let started: () => void = () => undefined;
  const build = (): ApplicationBuilder =>
    new ApplicationBuilder()
      .use(rateLimit({ limiter: { kind: 'concurrency', permits: 1 }, partitionBy: (ctx) => ctx.request.headers.get('x-client') ?? 'x', maxPartitions: 1 }))
      .run(async (ctx) => {
        if (ctx.request.path === '/slow') {
          started();
          await new Promise<void>((r) => (release = r));
        }
        ctx.response.send('ok');
      });
  await overBoth(build, async (c) => {
    const inHandler = new Promise<void>((r) => (started = r));
    const slow = c.request('/slow', { headers: { 'x-client': 'a' } });
    await inHandler;
    const refused = await c.request('/', { headers: { 'x-client': 'a' } });
    assert.is(refused.status, 429);
    assert.is(refused.headers['retry-after'], '1');
    // The only partition is busy: a new key cannot evict it, and is refused too.
    assert.is((await c.request('/', { headers: { 'x-client': 'b' } })).status, 429);
    release();
    assert.is((await slow).status, 200);
    assert.is((await c.request('/', { headers: { 'x-client': 'a' } })).status, 200);
    assert.is((await c.request('/', { headers: { 'x-client': 'b' } })).status, 200);
  });
});

function getFrom(port: number, localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/', localAddress, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

test('by default, requests are partitioned by the client address (two loopback addresses over TCP)', () =>
  withH2(new ApplicationBuilder().use(rateLimit({ limiter: { kind: 'fixed-window', permits: 2, windowMs: 60_000 } })).run((ctx) => ctx.response.send('ok')), async (_c, port) => {
    const one = [await getFrom(port, '127.0.0.1'), await getFrom(port, '127.0.0.1'), await getFrom(port, '127.0.0.1')];
    const two = [await getFrom(port, '127.0.0.2'), await getFrom(port, '127.0.0.2'), await getFrom(port, '127.0.0.2')];
    assert.equal(one, [200, 200, 429]);
    assert.equal(two, [200, 200, 429]);
  }));

test('configuration errors are refused at once, with a code', () => {
  const bad: unknown[] = [
    undefined,
    {},
    { limiter: { kind: 'leaky' } },
    { limiter: { kind: 'fixed-window', permits: 0, windowMs: 1000 } },
    { limiter: { kind: 'fixed-window', permits: 1, windowMs: 1.5 } },
    { limiter: { kind: 'token-bucket', capacity: 1, tokensPerPeriod: 1 } },
    { limiter: { kind: 'concurrency', permits: 1, windowMs: 5 } },
    { limiter: { kind: 'concurrency', permits: 1 }, maxPartitions: 0 },
    { limiter: { kind: 'concurrency', permits: 1 }, partitionBy: 'ip' },
    { limiter: { kind: 'concurrency', permits: 1 }, partition: () => 'x' },
  ];
  for (const options of bad) {
    try {
      rateLimit(options as RateLimitOptions);
      assert.unreachable(JSON.stringify(options));
    } catch (err) {
      assert.instance(err, RateLimitConfigError, JSON.stringify(options));
      assert.is((err as RateLimitConfigError).code, 'ERR_TIERCEL_RATE_LIMIT_CONFIG');
    }
  }
  assert.is(RATE_LIMIT_DEFAULTS.maxPartitions, 10_000);
});

test.run();
