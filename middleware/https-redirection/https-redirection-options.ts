import { HttpsRedirectionConfigError } from './https-redirection-errors.js';

export interface HttpsRedirectionOptions {
  /**
   * The redirect's status. Default 307 (ASP.NET Core's): the method and body are kept, so a POST
   * sent over http by mistake is not silently turned into a GET. 308 once the redirect is for
   * good (browsers cache it); 301/302 for clients that know no better.
   */
  statusCode?: 301 | 302 | 307 | 308;
  /** The https port to send the client to. Default 443 (left out of the URL). */
  httpsPort?: number;
}

export interface HstsOptions {
  /**
   * How long the browser keeps to https for this host, in seconds. Default 2592000 (30 days,
   * ASP.NET Core's): long enough to matter, short enough to undo a mistake; raise it to a year
   * (31536000) for preload lists.
   */
  maxAgeSeconds?: number;
  /** Whether every subdomain is covered too. Default false: a subdomain that is still http would break. */
  includeSubDomains?: boolean;
  /** Adds `preload` (asks to be put on browsers' built-in lists; see hstspreload.org). Default false. */
  preload?: boolean;
  /**
   * Hosts never sent the header (a browser would then refuse http for them, for every port).
   * Default localhost, 127.0.0.1 and [::1], as ASP.NET Core's; compared without the port, ignoring case.
   */
  excludedHosts?: readonly string[];
}

export interface ResolvedHttpsRedirectionOptions {
  readonly statusCode: 301 | 302 | 307 | 308;
  readonly httpsPort: number;
}

export interface ResolvedHstsOptions {
  /** The header's value, built once. */
  readonly value: string;
  readonly excludedHosts: ReadonlySet<string>;
}

export const HTTPS_REDIRECTION_DEFAULTS: ResolvedHttpsRedirectionOptions = Object.freeze({ statusCode: 307, httpsPort: 443 });

export const HSTS_DEFAULTS = Object.freeze({
  maxAgeSeconds: 30 * 24 * 60 * 60,
  includeSubDomains: false,
  preload: false,
  excludedHosts: Object.freeze(['localhost', '127.0.0.1', '[::1]']),
});

function checkKeys(given: object, known: readonly string[], what: string): void {
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) throw new HttpsRedirectionConfigError(`Unknown ${what} option '${key}' (known: ${known.join(', ')})`);
  }
}

/** Checks `options` and fills in the defaults; throws HttpsRedirectionConfigError stating the rule broken. */
export function resolveHttpsRedirectionOptions(options: HttpsRedirectionOptions = {}): ResolvedHttpsRedirectionOptions {
  checkKeys(options, Object.keys(HTTPS_REDIRECTION_DEFAULTS), 'HTTPS redirection');
  const statusCode = options.statusCode ?? HTTPS_REDIRECTION_DEFAULTS.statusCode;
  if (![301, 302, 307, 308].includes(statusCode)) throw new HttpsRedirectionConfigError(`statusCode must be 301, 302, 307 or 308, not ${String(statusCode)}`);
  const httpsPort = options.httpsPort ?? HTTPS_REDIRECTION_DEFAULTS.httpsPort;
  if (!Number.isInteger(httpsPort) || httpsPort < 1 || httpsPort > 65535) throw new HttpsRedirectionConfigError(`httpsPort must be an integer from 1 to 65535, not ${String(httpsPort)}`);
  return { statusCode, httpsPort };
}

/** Checks `options` and builds the header; throws HttpsRedirectionConfigError stating the rule broken. */
export function resolveHstsOptions(options: HstsOptions = {}): ResolvedHstsOptions {
  checkKeys(options, Object.keys(HSTS_DEFAULTS), 'HSTS');
  const maxAge = options.maxAgeSeconds ?? HSTS_DEFAULTS.maxAgeSeconds;
  if (!Number.isSafeInteger(maxAge) || maxAge < 0) throw new HttpsRedirectionConfigError(`maxAgeSeconds must be a non-negative integer, not ${String(maxAge)}`);
  const flags: Record<string, unknown> = { includeSubDomains: options.includeSubDomains ?? false, preload: options.preload ?? false };
  for (const [name, flag] of Object.entries(flags)) if (typeof flag !== 'boolean') throw new HttpsRedirectionConfigError(`${name} must be a boolean`);
  const excluded = options.excludedHosts ?? HSTS_DEFAULTS.excludedHosts;
  if (!Array.isArray(excluded) || !excluded.every((h) => typeof h === 'string')) throw new HttpsRedirectionConfigError('excludedHosts must be an array of host names');
  let value = `max-age=${maxAge}`;
  if (flags.includeSubDomains === true) value += '; includeSubDomains';
  if (flags.preload === true) value += '; preload';
  return { value, excludedHosts: new Set(excluded.map((h) => h.toLowerCase())) };
}
