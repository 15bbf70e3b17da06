import type { HttpContext, Middleware, Next } from '../../pipeline/index.js';
import { runWrapped } from '../shared/index.js';
import { CachingBody, type CapturedResponse } from './caching-body.js';
import { resolveOutputCacheOptions, type OutputCacheOptions, type ResolvedOutputCacheOptions } from './output-cache-options.js';
import { OutputCacheStore, type CachedResponse } from './output-cache-store.js';

/**
 * Output caching for the routes that opt in (ASP.NET Core's OutputCache): a GET answered 200 is
 * kept, whole, for `ttlMs`, and the same request (scheme, host, path, the query and the headers
 * the options name) is answered from memory with an `Age` field, without running the route. HEAD
 * is answered from a GET's entry. Concurrent misses for one key run the route once: the others
 * wait for it and get the same bytes (or, when its response cannot be stored, run the route
 * themselves). Not stored: another status, `Set-Cookie`, `Cache-Control: private` or `no-store`,
 * a `Vary` outside the key, a body past `maxEntryBytes`; a request with `Authorization` bypasses
 * the cache unless `allowAuthorized`. Only the fields the route set are stored: those set before
 * it (CORS, a request id) are set afresh for every request. Each outputCache() has its own store,
 * bounded by `maxBytes`, least recently used evicted first; reuse one to share it.
 *
 * ```ts
 * router.get('/products', outputCache({ ttlMs: 10_000, varyByQuery: ['page'] }), listProducts);
 * ```
 *
 * Behind responseCompression() it stores the identity body, compressed per client as it is sent.
 */
export function outputCache(options?: OutputCacheOptions): Middleware {
  const o = resolveOutputCacheOptions(options);
  const store = new OutputCacheStore(o.maxBytes);
  // The misses being run, by key: a later request for one waits for its answer instead of running the route too.
  const inFlight = new Map<string, Promise<CachedResponse | undefined>>();

  const fill = (ctx: HttpContext, next: Next, key: string): void | Promise<void> => {
    const response = ctx.response;
    let settle!: (entry: CachedResponse | undefined) => void;
    const answer = new Promise<CachedResponse | undefined>((resolve) => (settle = resolve));
    inFlight.set(key, answer);
    const onDone = (captured: CapturedResponse | undefined): void => {
      if (inFlight.get(key) === answer) inFlight.delete(key);
      const entry = captured === undefined ? undefined : toEntry(key, captured, o);
      if (entry !== undefined) store.set(key, entry);
      settle(entry);
    };
    const body = new CachingBody(ctx.exchange, response.bodyFeature, response.headers.snapshot(), o, onDone);
    response.bodyFeature = body;
    return runWrapped(next, body);
  };

  return (ctx: HttpContext, next: Next) => {
    const req = ctx.request;
    const method = req.method;
    if ((method !== 'GET' && method !== 'HEAD') || (!o.allowAuthorized && req.headers.has('authorization'))) return next();
    const key = keyOf(ctx, o);
    const hit = store.get(key, o.clock.now());
    if (hit !== undefined) return serve(ctx, hit, o);
    const pending = inFlight.get(key);
    if (pending !== undefined) return pending.then((entry) => (entry === undefined ? next() : serve(ctx, entry, o)));
    // A HEAD's body is not the route's to give: it is answered from a GET's entry, never fills one.
    if (method === 'HEAD') return next();
    return fill(ctx, next, key);
  };
}

function toEntry(key: string, captured: CapturedResponse, o: ResolvedOutputCacheOptions): CachedResponse {
  let size = captured.body.length + key.length;
  for (const f of captured.fields) size += f.length;
  const now = o.clock.now();
  return { fields: captured.fields, body: captured.body, storedAt: now, expiresAt: now + o.ttlMs, size };
}

function keyOf(ctx: HttpContext, o: ResolvedOutputCacheOptions): string {
  const req = ctx.request;
  const parts: (string | readonly string[] | null)[] = [req.scheme, req.host ?? '', req.pathBase + req.path];
  if (o.varyByQuery === undefined) {
    parts.push(req.queryString);
  } else {
    const query = req.query;
    for (const name of o.varyByQuery) parts.push(query.getAll(name));
  }
  for (const name of o.varyByHeaders) parts.push(req.headers.get(name) ?? null);
  return JSON.stringify(parts);
}

function serve(ctx: HttpContext, entry: CachedResponse, o: ResolvedOutputCacheOptions): void {
  const res = ctx.response;
  res.status = 200;
  const h = res.headers;
  const f = entry.fields;
  for (let i = 0; i < f.length; i += 2) h.append(f[i], f[i + 1]);
  h.set('age', Math.floor((o.clock.now() - entry.storedAt) / 1000));
  // Through the current body feature: a responseCompression() in front still compresses for this client.
  res.end(entry.body);
}
