// Output caching through the public API over HTTP/1.1 and HTTP/2, time moved by a ManualClock:
// hits and the TTL, the key (query, headers), what is never stored, the byte bounds (per entry and
// LRU over the total), coalesced misses, HEAD from a GET's entry, and compression in front of it.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { brotliDecompressSync } from 'node:zlib';
import { ManualClock } from '../../../hosting/index.js';
import { cors, outputCache, OutputCacheConfigError, OUTPUT_CACHE_DEFAULTS, responseCompression, Router, type OutputCacheOptions } from '../../../middleware/index.js';
import { ApplicationBuilder, type HttpContext } from '../../../pipeline/index.js';
import { overBoth, type Client } from '../support.js';

let clock = new ManualClock(0);
let runs = 0;

/** `/page` answers with how many times the route ran, so a cached answer shows an old count. */
function page(ctx: HttpContext): void {
  runs++;
  const q = ctx.request.queryString;
  const res = ctx.response;
  const h = res.headers;
  if (q.includes('status=404')) res.status = 404;
  if (q.includes('cookie')) h.set('set-cookie', 'sid=1');
  if (q.includes('private')) h.set('cache-control', 'private, max-age=60');
  if (q.includes('nostore')) h.set('cache-control', 'no-store');
  if (q.includes('varyall')) h.set('vary', '*');
  if (q.includes('varylang')) h.set('vary', 'accept-language');
  h.set('x-route', 'page');
  res.send(`run ${runs} ${q} ${ctx.request.headers.get('accept-language') ?? ''}`);
}

function cached(options: Omit<OutputCacheOptions, 'clock'> = {}, handler: (ctx: HttpContext) => void | Promise<void> = page): () => ApplicationBuilder {
  return () => {
    clock = new ManualClock(0);
    runs = 0;
    const router = new Router();
    router.get('/page', outputCache({ ...options, clock }), handler);
    router.post('/page', outputCache({ ...options, clock }), handler);
    router.get('/plain', handler);
    return new ApplicationBuilder().use(router.middleware());
  };
}

const text = async (c: Client, path: string, headers: Record<string, string> = {}): Promise<string> => (await c.request(path, { headers })).text();

test('a hit: the same bytes and route headers with an Age, without running the route; a new entry after the TTL', () =>
  overBoth(cached({ ttlMs: 5_000 }), async (c) => {
    const first = await c.request('/page');
    assert.is(first.status, 200);
    assert.is(first.text(), 'run 1  ');
    assert.is(first.headers.age, undefined);
    clock.advance(2_500);
    const second = await c.request('/page');
    assert.is(second.text(), 'run 1  ');
    assert.is(second.headers['x-route'], 'page');
    assert.is(second.headers['content-type'], 'text/plain; charset=utf-8');
    assert.is(second.headers['content-length'], String(second.body.length));
    assert.is(second.headers.age, '2');
    assert.is(runs, 1);
    clock.advance(2_500);
    assert.is(await text(c, '/page'), 'run 2  ');
    assert.is(await text(c, '/page'), 'run 2  ');
    // A route without outputCache() is not cached.
    assert.is(await text(c, '/plain'), 'run 3  ');
    assert.is(await text(c, '/plain'), 'run 4  ');
  }));

test('the key: the whole query by default; only the listed parameters with varyByQuery; the listed headers', async () => {
  await overBoth(cached(), async (c) => {
    assert.is(await text(c, '/page?a=1'), 'run 1 ?a=1 ');
    assert.is(await text(c, '/page?a=2'), 'run 2 ?a=2 ');
    assert.is(await text(c, '/page?a=1'), 'run 1 ?a=1 ');
    assert.is(await text(c, '/page'), 'run 3  ');
  });
  await overBoth(cached({ varyByQuery: ['page'], varyByHeaders: ['Accept-Language'] }), async (c) => {
    assert.is(await text(c, '/page?page=1&utm=a'), 'run 1 ?page=1&utm=a ');
    assert.is(await text(c, '/page?utm=b&page=1'), 'run 1 ?page=1&utm=a ');
    assert.is(await text(c, '/page?page=2'), 'run 2 ?page=2 ');
    assert.is(await text(c, '/page?page='), 'run 3 ?page= ');
    assert.is(await text(c, '/page'), 'run 4  ');
    assert.is(await text(c, '/page?page=1', { 'accept-language': 'fr' }), 'run 5 ?page=1 fr');
    assert.is(await text(c, '/page?page=1', { 'accept-language': 'fr' }), 'run 5 ?page=1 fr');
    assert.is(await text(c, '/page?page=1'), 'run 1 ?page=1&utm=a ');
    // The route's own Vary names a header in the key: stored.
    assert.is(await text(c, '/page?page=3&varylang', { 'accept-language': 'de' }), 'run 6 ?page=3&varylang de');
    assert.is(await text(c, '/page?page=3&x', { 'accept-language': 'de' }), 'run 6 ?page=3&varylang de');
  });
});

test('never stored: POST, a status other than 200, Set-Cookie, Cache-Control private or no-store, a Vary outside the key', () =>
  overBoth(cached(), async (c) => {
    for (const q of ['status=404', 'cookie', 'private', 'nostore', 'varyall', 'varylang']) {
      const first = await c.request(`/page?${q}`);
      const again = await c.request(`/page?${q}`);
      assert.is.not(again.text(), first.text(), q);
      assert.is(again.headers.age, undefined, q);
    }
    const post1 = await c.request('/page', { method: 'POST' });
    const post2 = await c.request('/page', { method: 'POST' });
    assert.is.not(post2.text(), post1.text());
    // A POST left nothing behind that a GET would be answered from.
    const get1 = await text(c, '/page');
    assert.is(await text(c, '/page'), get1);
  }));

test('Authorization bypasses the cache (neither served nor stored) unless allowAuthorized', async () => {
  await overBoth(cached(), async (c) => {
    const anonymous = await text(c, '/page');
    const auth = { authorization: 'Bearer a' };
    assert.is.not(await text(c, '/page', auth), anonymous);
    const runsBefore = runs;
    await text(c, '/page', auth);
    assert.is(runs, runsBefore + 1);
    assert.is(await text(c, '/page'), anonymous);
  });
  await overBoth(cached({ allowAuthorized: true }), async (c) => {
    const first = await text(c, '/page', { authorization: 'Bearer a' });
    assert.is(await text(c, '/page', { authorization: 'Bearer b' }), first);
    assert.is(runs, 1);
  });
});

test('HEAD is answered from a GET entry (headers and content-length, no body) and never fills one', () =>
  overBoth(cached(), async (c) => {
    const head1 = await c.request('/page', { method: 'HEAD' });
    assert.is(head1.status, 200);
    assert.is(head1.body.length, 0);
    assert.is(runs, 1);
    const get = await c.request('/page');
    assert.is(get.text(), 'run 2  ');
    const head2 = await c.request('/page', { method: 'HEAD' });
    assert.is(head2.headers['content-length'], String(get.body.length));
    assert.is(head2.headers['x-route'], 'page');
    assert.is(head2.headers.age, '0');
    assert.is(head2.body.length, 0);
    assert.is(runs, 2);
  }));

test('per-entry bound: a body past maxEntryBytes is sent whole, as written, and not stored', () =>
  overBoth(
    cached({ maxEntryBytes: 1_000, maxBytes: 10_000 }, async (ctx) => {
      runs++;
      const whole = ctx.request.query.get('send');
      if (whole !== null) return ctx.response.send(String(runs % 10).repeat(Number(whole)));
      const n = Number(ctx.request.query.get('n'));
      for (let i = 0; i < n; i++) {
        const wait = ctx.response.write(String(runs % 10).repeat(100));
        if (wait) await wait;
      }
      ctx.response.end();
    }),
    async (c) => {
      const big = await text(c, '/page?n=25');
      assert.is(big, '1'.repeat(2_500));
      assert.is(await text(c, '/page?n=25'), '2'.repeat(2_500));
      // Exactly the bound is stored (written in ten chunks, replayed as one body).
      assert.is(await text(c, '/page?n=10'), '3'.repeat(1_000));
      assert.is(await text(c, '/page?n=10'), '3'.repeat(1_000));
      // One send() past the bound: sent whole with its length, not stored.
      const sent = await c.request('/page?send=1001');
      assert.is(sent.text(), '4'.repeat(1_001));
      assert.is(sent.headers['content-length'], '1001');
      assert.is(await text(c, '/page?send=1001'), '5'.repeat(1_001));
      assert.is(runs, 5);
    },
  ));

test('total bound: least recently used entries are evicted once the bytes would pass maxBytes', () =>
  overBoth(
    cached({ maxEntryBytes: 1_000, maxBytes: 2_500 }, (ctx) => {
      runs++;
      ctx.response.send(`${runs}`.padEnd(900, '.'));
    }),
    async (c) => {
      const first = (p: string) => text(c, p).then((t) => t.slice(0, t.indexOf('.')));
      // Each entry is ~900 body bytes plus header text and key: two fit in 2,500, not three.
      assert.is(await first('/page?a'), '1');
      assert.is(await first('/page?b'), '2');
      assert.is(await first('/page?a'), '1'); // a is now the most recently used
      assert.is(await first('/page?c'), '3'); // evicts b
      assert.is(await first('/page?a'), '1');
      assert.is(await first('/page?c'), '3');
      assert.is(await first('/page?b'), '4');
    },
  ));

test('concurrent misses for one key run the route once; the waiters get the same bytes; a failure lets each run its own', async () => {
  let open: () => void = () => undefined;
  let gate = Promise.resolve();
  let fail = false;
  const slow = async (ctx: HttpContext): Promise<void> => {
    const n = ++runs;
    await gate;
    if (fail && n === 1) throw new Error('the route failed');
    ctx.response.send(`run ${n} ` + 'x'.repeat(5_000));
  };
  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
  const arrive = async (): Promise<void> => {
    while (runs === 0) await tick();
    // Time for the others to arrive and find the miss in flight.
    for (let i = 0; i < 20; i++) await tick();
  };
  const build = (): ApplicationBuilder => {
    gate = new Promise((resolve) => (open = resolve));
    return cached({}, slow)();
  };
  fail = false;
  await overBoth(build, async (c) => {
    const replies = Array.from({ length: 5 }, () => c.request('/page'));
    // A failed assertion below stops the server under them: that is not a second failure.
    for (const r of replies) r.catch(() => undefined);
    await arrive();
    assert.is(runs, 1);
    open();
    const bodies = (await Promise.all(replies)).map((r) => r.text());
    for (const b of bodies) assert.is(b, bodies[0]);
    assert.ok(bodies[0].startsWith('run 1 '));
    assert.is(runs, 1);
  });
  fail = true;
  await overBoth(build, async (c) => {
    const replies = Array.from({ length: 3 }, () => c.request('/page'));
    for (const r of replies) r.catch(() => undefined);
    await arrive();
    assert.is(runs, 1);
    open();
    // The leader's 500 frees the waiters, which run the route themselves (each its own miss).
    const statuses = (await Promise.all(replies)).map((r) => r.status).sort();
    assert.equal(statuses, [200, 200, 500]);
    assert.is(runs, 3);
  });
});

test('behind responseCompression and cors: the identity body is stored and compressed per client; upstream headers are set afresh', () =>
  overBoth(
    () => {
      clock = new ManualClock(0);
      runs = 0;
      const router = new Router();
      router.get('/doc', outputCache({ clock }), (ctx) => {
        runs++;
        ctx.response.json({ run: runs, items: Array.from({ length: 200 }, (_, i) => ({ i, name: `item ${i}` })) });
      });
      return new ApplicationBuilder()
        .use(responseCompression())
        .use(cors({ origins: ['https://a.example', 'https://b.example'] }))
        .use(router.middleware());
    },
    async (c) => {
      const br = await c.request('/doc', { headers: { 'accept-encoding': 'br', origin: 'https://a.example' } });
      assert.is(br.headers['content-encoding'], 'br');
      assert.is(br.headers['access-control-allow-origin'], 'https://a.example');
      assert.is(br.headers.vary, 'Origin, accept-encoding');
      const plain = await c.request('/doc', { headers: { origin: 'https://b.example' } });
      assert.is(plain.headers['content-encoding'], undefined);
      assert.is(plain.headers['access-control-allow-origin'], 'https://b.example');
      assert.is(plain.headers.vary, 'Origin, accept-encoding');
      assert.is(plain.headers.age, '0');
      assert.is(brotliDecompressSync(br.body).toString(), plain.text());
      assert.is(plain.json<{ run: number }>().run, 1);
      assert.is(runs, 1);
    },
  ));

test('configuration errors are typed and state the rule', () => {
  const bad: unknown[] = [
    { ttl: 1 },
    { ttlMs: 0 },
    { maxBytes: 1.5 },
    { maxEntryBytes: 2_000, maxBytes: 1_000 },
    { varyByQuery: 'page' },
    { varyByHeaders: ['bad header'] },
    { allowAuthorized: 'yes' },
  ];
  for (const options of bad) {
    try {
      outputCache(options as OutputCacheOptions);
      assert.unreachable(JSON.stringify(options));
    } catch (err) {
      assert.instance(err, OutputCacheConfigError);
      assert.is((err as OutputCacheConfigError).code, 'ERR_TIERCEL_OUTPUT_CACHE_CONFIG');
    }
  }
  assert.is(OUTPUT_CACHE_DEFAULTS.ttlMs, 60_000);
  assert.is(OUTPUT_CACHE_DEFAULTS.maxBytes, 32 * 1024 * 1024);
  assert.is(OUTPUT_CACHE_DEFAULTS.maxEntryBytes, 1024 * 1024);
});

test.run();
