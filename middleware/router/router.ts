import { createRequire } from 'node:module';
import type FindMyWay from 'find-my-way';
import { NextCalledTwiceError } from '../../connection/index.js';
import { HttpError, type HttpContext, type Middleware, type Next } from '../../pipeline/index.js';
import { RouterConfigError } from './router-errors.js';
import { resolveRouterOptions, type ResolvedRouterOptions, type RouterOptions } from './router-options.js';

/**
 * What a route runs: a handler `(ctx) => …`, or a middleware `(ctx, next) => …` that may call
 * `next()` to go on to the route's next handler (after the last one: the rest of the pipeline).
 */
export type RouteHandler = Middleware;

type FindMyWayMethod = FindMyWay.HTTPMethod;
type FindMyWayInstance = FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;

/** What the radix tree holds for each route: the template (for `ctx.route`) and the composed handlers. */
interface RouteStore {
  readonly template: string;
  readonly run: Middleware;
}

// find-my-way is CommonJS: required with the first Router, not imported. An ES `import` of a
// CommonJS package runs Node's export lexer over its source, which costs the process memory
// (RSS at start) whether or not it ever routes.
const require = createRequire(import.meta.url);
let findMyWay: typeof FindMyWay | undefined;

// The path reaches the router already split from its query: find-my-way parses nothing for it.
const NO_QUERY = Object.freeze({});

/**
 * Request routing on find-my-way (fastify's radix tree): parameters (`/users/:id`), constraints as
 * a regular expression per parameter (`/users/:id(^\\d+$)`, compiled once, at registration),
 * wildcards (`/files/*`, the rest in `params['*']`), one handler chain per method. A request
 * that matches sets `ctx.route` (template and parameters) and runs its route; one whose path
 * matches under other methods only gets a 405 with `Allow`; any other falls through to `next`.
 *
 * ```ts
 * const router = new Router();
 * router.get('/users/:id', (ctx) => ctx.response.json({ id: ctx.route!.params.id }));
 * app.use(router.middleware());
 * ```
 */
export class Router {
  readonly #options: ResolvedRouterOptions;
  readonly #tree: FindMyWayInstance;
  /** Every method some route answers, in registration order: the candidates for `Allow`. */
  readonly #methods: string[] = [];
  /** `template` of each HEAD route added beside a GET, which an explicit HEAD may replace. */
  readonly #impliedHeads = new Set<string>();

  constructor(options?: RouterOptions) {
    this.#options = resolveRouterOptions(options);
    findMyWay ??= require('find-my-way') as typeof FindMyWay;
    this.#tree = findMyWay({
      caseSensitive: this.#options.caseSensitive,
      ignoreTrailingSlash: this.#options.ignoreTrailingSlash,
      maxParamLength: this.#options.maxParamLength,
      querystringParser: () => NO_QUERY,
    });
  }

  /** Adds a route answering `method` (or each of `methods`) at `template`, running `handlers` in order. */
  on(method: string | readonly string[], template: string, ...handlers: RouteHandler[]): this {
    const methods = typeof method === 'string' ? [method] : method;
    if (methods.length === 0) throw new RouterConfigError(`A route needs at least one method (${template})`);
    if (typeof template !== 'string' || template.charCodeAt(0) !== 0x2f) {
      throw new RouterConfigError(`A route template starts with '/', not ${JSON.stringify(template)}`);
    }
    if (handlers.length === 0) throw new RouterConfigError(`The route ${template} needs a handler`);
    for (const h of handlers) if (typeof h !== 'function') throw new RouterConfigError(`The route ${template} was given a handler that is not a function`);
    const store: RouteStore = { template, run: chain(handlers) };
    for (const m of methods) {
      if (m === 'HEAD' && this.#impliedHeads.delete(template)) this.#tree.off('HEAD', template);
      this.#add(m, template, store);
      if (m === 'GET' && this.#options.exposeHeadRoutes && !this.#tree.hasRoute('HEAD', template)) {
        this.#add('HEAD', template, store);
        this.#impliedHeads.add(template);
      }
    }
    return this;
  }

  get(template: string, ...handlers: RouteHandler[]): this {
    return this.on('GET', template, ...handlers);
  }

  post(template: string, ...handlers: RouteHandler[]): this {
    return this.on('POST', template, ...handlers);
  }

  put(template: string, ...handlers: RouteHandler[]): this {
    return this.on('PUT', template, ...handlers);
  }

  patch(template: string, ...handlers: RouteHandler[]): this {
    return this.on('PATCH', template, ...handlers);
  }

  delete(template: string, ...handlers: RouteHandler[]): this {
    return this.on('DELETE', template, ...handlers);
  }

  head(template: string, ...handlers: RouteHandler[]): this {
    return this.on('HEAD', template, ...handlers);
  }

  options(template: string, ...handlers: RouteHandler[]): this {
    return this.on('OPTIONS', template, ...handlers);
  }

  /** The methods that have a route matching `path` (relative to `pathBase`), as `Allow` lists them. */
  allowedMethods(path: string): string[] {
    const routable = routablePath(path);
    const allowed: string[] = [];
    for (const m of this.#methods) if (this.#tree.find(m as FindMyWayMethod, routable) !== null) allowed.push(m);
    return allowed;
  }

  /**
   * The router as request middleware, for `app.use()`. Routes added later are seen too. The trees
   * are compiled into JavaScript now (find-my-way's `compile()`): 2–3× faster lookups than
   * walking them (116–182 ns against 285–662 ns for the 100-route table of bench/servers, in one
   * process), and a tree that changes later is compiled again on its next lookup.
   */
  middleware(): Middleware {
    const tree = this.#tree.compile();
    return (ctx: HttpContext, next: Next) => {
      const req = ctx.request;
      const path = routablePath(req.path);
      const found = tree.find(req.method as FindMyWayMethod, path);
      if (found === null) return this.#miss(ctx, path, next);
      const store = found.store as RouteStore;
      ctx.route = { template: store.template, params: found.params as Record<string, string> };
      return store.run(ctx, next);
    };
  }

  // Off the hot path: a request no route of its method takes.
  #miss(ctx: HttpContext, path: string, next: Next): void | Promise<void> {
    const method = ctx.request.method;
    let allow = '';
    for (const m of this.#methods) {
      if (m !== method && this.#tree.find(m as FindMyWayMethod, path) !== null) allow = allow === '' ? m : `${allow}, ${m}`;
    }
    if (allow === '') return next();
    throw new HttpError(405, undefined, { headers: { allow }, code: 'ERR_TIERCEL_METHOD_NOT_ALLOWED' });
  }

  #add(method: string, template: string, store: RouteStore): void {
    try {
      this.#tree.on(method as FindMyWayMethod, template, noHandler, store);
    } catch (err) {
      throw new RouterConfigError(`Cannot add ${method} ${template}: ${(err as Error).message}`);
    }
    if (!this.#methods.includes(method)) this.#methods.push(method);
  }
}

// find-my-way wants a handler; the route's own handlers are in its store.
function noHandler(): void {}

/**
 * The path as find-my-way expects it: still percent-encoded where decoding would change its
 * meaning. `request.path` is decoded already, so a `%`, `?` or `#` in it is data, and is escaped
 * again lest find-my-way decode it twice or cut the path there. Rare: three native scans otherwise.
 */
function routablePath(path: string): string {
  if (path === '') return '/';
  if (path.indexOf('%') < 0 && path.indexOf('?') < 0 && path.indexOf('#') < 0) return path;
  return path.replaceAll('%', '%25').replaceAll('?', '%3F').replaceAll('#', '%23');
}

/** The handlers of one route as one middleware; a lone handler is called as is (no closure per request). */
function chain(handlers: readonly Middleware[]): Middleware {
  if (handlers.length === 1) return handlers[0];
  return (ctx, next) => step(handlers, 0, ctx, next);
}

function step(handlers: readonly Middleware[], i: number, ctx: HttpContext, next: Next): void | Promise<void> {
  if (i === handlers.length) return next();
  let called = false;
  let downstream: void | Promise<void> = undefined;
  const result = handlers[i](ctx, () => {
    if (called) throw new NextCalledTwiceError();
    called = true;
    return (downstream = step(handlers, i + 1, ctx, next));
  });
  return result === undefined ? downstream : result;
}
