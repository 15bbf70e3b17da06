import type { HttpContext, Middleware, Next } from '../../pipeline/index.js';
import { appendVary } from '../shared/index.js';
import { resolveCorsOptions, type CorsOptions, type ResolvedCorsOptions } from './cors-options.js';

/**
 * Cross-origin resource sharing (the Fetch standard's CORS protocol). A preflight (`OPTIONS` with
 * `Origin` and `Access-Control-Request-Method`) is answered here with 204 and never reaches the
 * app; any other request goes on, with `Access-Control-Allow-Origin` (and the rest) set when its
 * origin is allowed. A disallowed origin gets no CORS headers, so the browser withholds the
 * response; the request itself is not refused (CORS protects the reader, not the server).
 * Place it before the routes it covers, and problem details after it, so error answers keep the
 * headers (an error reaching the pipeline is answered with fresh headers).
 */
export function cors(options: CorsOptions): Middleware {
  const o = resolveCorsOptions(options);
  // With any origin and no credentials, the answer is the same for everyone: no Vary needed.
  const varies = o.origins !== '*';
  return (ctx: HttpContext, next: Next) => {
    const req = ctx.request;
    const headers = ctx.response.headers;
    if (varies) appendVary(headers, 'Origin');
    const origin = req.headers.get('origin');
    if (origin === undefined) return next();
    const allowed = isAllowed(o, origin, ctx);
    if (req.method === 'OPTIONS' && req.headers.has('access-control-request-method')) {
      preflight(ctx, o, allowed ? origin : undefined);
      return;
    }
    if (allowed) {
      headers.set('access-control-allow-origin', o.origins === '*' ? '*' : origin);
      if (o.credentials) headers.set('access-control-allow-credentials', 'true');
      if (o.exposedHeaders !== undefined) headers.set('access-control-expose-headers', o.exposedHeaders);
    }
    return next();
  };
}

function isAllowed(o: ResolvedCorsOptions, origin: string, ctx: HttpContext): boolean {
  const origins = o.origins;
  if (origins === '*') return true;
  if (typeof origins === 'function') return origins(origin, ctx) === true;
  if (origins instanceof RegExp) {
    // A global or sticky pattern keeps state between tests; start each one at the beginning.
    origins.lastIndex = 0;
    return origins.test(origin);
  }
  return origins.includes(origin);
}

function preflight(ctx: HttpContext, o: ResolvedCorsOptions, origin: string | undefined): void {
  const res = ctx.response;
  const headers = res.headers;
  if (o.allowedHeaders === undefined) appendVary(headers, 'Access-Control-Request-Headers');
  if (origin !== undefined) {
    headers.set('access-control-allow-origin', o.origins === '*' ? '*' : origin);
    if (o.credentials) headers.set('access-control-allow-credentials', 'true');
    headers.set('access-control-allow-methods', o.methods);
    const wanted = o.allowedHeaders ?? ctx.request.headers.get('access-control-request-headers');
    if (wanted !== undefined && wanted !== '') headers.set('access-control-allow-headers', wanted);
    headers.set('access-control-max-age', o.maxAgeSeconds);
  }
  res.status = 204;
  res.end();
}
