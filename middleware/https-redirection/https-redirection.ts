import type { HttpContext, Middleware, Next } from '../../pipeline/index.js';
import { resolveHstsOptions, resolveHttpsRedirectionOptions, type HstsOptions, type HttpsRedirectionOptions } from './https-redirection-options.js';

/**
 * Sends every http request to https: a redirect (307 by default) to the same host, path and query
 * on `httpsPort`. The scheme is `ctx.request.scheme`, so behind a TLS-terminating proxy put
 * forwardedHeaders() first. A request with no host, or an asterisk-form target, goes on unchanged:
 * there is nowhere to send it.
 */
export function httpsRedirection(options?: HttpsRedirectionOptions): Middleware {
  const { statusCode, httpsPort } = resolveHttpsRedirectionOptions(options);
  const portSuffix = httpsPort === 443 ? '' : `:${httpsPort}`;
  return (ctx: HttpContext, next: Next) => {
    const req = ctx.request;
    if (req.scheme === 'https') return next();
    const host = req.host;
    const target = pathAndQuery(req.rawTarget);
    if (host === undefined || host === '' || target === undefined) return next();
    ctx.response.redirect(`https://${hostName(host)}${portSuffix}${target}`, statusCode);
  };
}

/**
 * Strict-Transport-Security (RFC 6797) on every https response, before the rest of the pipeline
 * runs; never over http (§7.2: a browser ignores it there, and it would say nothing true), nor to
 * the excluded hosts (localhost by default).
 */
export function hsts(options?: HstsOptions): Middleware {
  const { value, excludedHosts } = resolveHstsOptions(options);
  return (ctx: HttpContext, next: Next) => {
    const req = ctx.request;
    if (req.scheme === 'https') {
      const host = req.host;
      if (host === undefined || !excludedHosts.has(hostName(host).toLowerCase())) ctx.response.headers.set('strict-transport-security', value);
    }
    return next();
  };
}

/** The host without its port: `example.com:8080` → `example.com`, `[::1]:8080` → `[::1]`. */
function hostName(host: string): string {
  if (host.charCodeAt(0) === 0x5b) {
    const close = host.indexOf(']');
    return close < 0 ? host : host.slice(0, close + 1);
  }
  const colon = host.indexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

/** The target's path and query as sent (still encoded), or undefined for the asterisk and authority forms. */
function pathAndQuery(target: string): string | undefined {
  if (target.charCodeAt(0) === 0x2f) return target;
  // absolute-form (RFC 9112 §3.2.2): what follows the authority.
  const scheme = target.indexOf('://');
  if (scheme < 0) return undefined;
  const slash = target.indexOf('/', scheme + 3);
  const query = target.indexOf('?', scheme + 3);
  if (slash < 0 || (query >= 0 && query < slash)) return query < 0 ? '/' : `/${target.slice(query)}`;
  return target.slice(slash);
}
