import type { HttpContext } from '../../pipeline/index.js';
import { CorsConfigError } from './cors-errors.js';

/**
 * Which origins may read responses: `'*'` (any), a list of exact origins
 * (`'https://app.example'`, compared as sent, case-sensitively), a pattern tested against the
 * Origin header, or a function deciding per request.
 */
export type CorsOrigins = '*' | readonly string[] | RegExp | ((origin: string, ctx: HttpContext) => boolean);

export interface CorsOptions {
  /** Required: there is no safe default for whom to let in. */
  origins: CorsOrigins;
  /** Methods a preflight allows. Default GET, HEAD, POST, PUT, PATCH, DELETE (the `cors` package's). */
  methods?: readonly string[];
  /**
   * Request headers a preflight allows. Default: those the preflight asks for
   * (`Access-Control-Request-Headers`, reflected), as the `cors` package does.
   */
  allowedHeaders?: readonly string[];
  /** Response headers scripts may read beyond the CORS-safelisted ones. Default none. */
  exposedHeaders?: readonly string[];
  /**
   * Whether the browser may send cookies and read the response with them
   * (`Access-Control-Allow-Credentials: true`). Default false. Not with `origins: '*'`.
   */
  credentials?: boolean;
  /**
   * How long a browser may cache a preflight's answer, in seconds (`Access-Control-Max-Age`).
   * Default 600: one preflight per ten minutes per URL instead of one per request; Chromium
   * caps it at 7200 anyway.
   */
  maxAgeSeconds?: number;
}

export interface ResolvedCorsOptions {
  readonly origins: CorsOrigins;
  readonly methods: string;
  readonly allowedHeaders: string | undefined;
  readonly exposedHeaders: string | undefined;
  readonly credentials: boolean;
  readonly maxAgeSeconds: number;
}

export const CORS_DEFAULTS = Object.freeze({
  methods: Object.freeze(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']),
  credentials: false,
  maxAgeSeconds: 600,
});

const OPTION_KEYS = ['origins', 'methods', 'allowedHeaders', 'exposedHeaders', 'credentials', 'maxAgeSeconds'];
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function tokenList(value: unknown, name: string): string {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && TOKEN.test(v))) {
    throw new CorsConfigError(`${name} must be a non-empty array of header names or methods (tokens)`);
  }
  return value.join(', ');
}

function checkOrigins(origins: unknown): CorsOrigins {
  if (origins === '*' || origins instanceof RegExp || typeof origins === 'function') return origins as CorsOrigins;
  if (Array.isArray(origins) && origins.every((o) => typeof o === 'string' && o !== '' && !o.endsWith('/'))) return Object.freeze([...origins]) as readonly string[];
  throw new CorsConfigError("origins must be '*', an array of origins (scheme://host[:port], no trailing '/'), a RegExp or a function (origin, ctx) => boolean");
}

/** Checks `options` and fills in the defaults; throws CorsConfigError stating the rule broken. */
export function resolveCorsOptions(options: CorsOptions): ResolvedCorsOptions {
  if (typeof options !== 'object' || options === null) throw new CorsConfigError('cors() needs options, at least { origins }');
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new CorsConfigError(`Unknown CORS option '${key}' (known: ${OPTION_KEYS.join(', ')})`);
  }
  const origins = checkOrigins(options.origins);
  const credentials = options.credentials ?? CORS_DEFAULTS.credentials;
  if (typeof credentials !== 'boolean') throw new CorsConfigError('credentials must be a boolean');
  // The Fetch standard refuses '*' with credentials; reflecting every origin instead would hand any site the user's session.
  if (credentials && origins === '*') throw new CorsConfigError("credentials: true cannot go with origins: '*': list the origins (or pass a function) that may send credentials");
  const maxAgeSeconds = options.maxAgeSeconds ?? CORS_DEFAULTS.maxAgeSeconds;
  if (!Number.isSafeInteger(maxAgeSeconds) || maxAgeSeconds < 0) throw new CorsConfigError(`maxAgeSeconds must be a non-negative integer, not ${String(maxAgeSeconds)}`);
  return {
    origins,
    methods: tokenList(options.methods ?? CORS_DEFAULTS.methods, 'methods'),
    allowedHeaders: options.allowedHeaders === undefined ? undefined : tokenList(options.allowedHeaders, 'allowedHeaders'),
    exposedHeaders: options.exposedHeaders === undefined ? undefined : tokenList(options.exposedHeaders, 'exposedHeaders'),
    credentials,
    maxAgeSeconds,
  };
}
