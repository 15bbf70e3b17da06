import { RouterConfigError } from './router-errors.js';

export interface RouterOptions {
  /**
   * Whether `/Users` and `/users` are different routes. Default true, as fastify and find-my-way:
   * a case-insensitive router has to lower-case every path it looks up. Parameter values keep
   * their case either way.
   */
  caseSensitive?: boolean;
  /** Whether `/users/` matches `/users` (and the reverse). Default false: they are different resources. */
  ignoreTrailingSlash?: boolean;
  /**
   * The longest value a parameter may take, in characters; a longer one does not match (the
   * request falls through as a 404). Default 100, find-my-way's: it bounds what a client can make
   * the router copy into `params` and a constraint's regular expression scan.
   */
  maxParamLength?: number;
  /** Register `HEAD` beside every `GET` route that has no `HEAD` of its own. Default true (RFC 9110 §9.3.2). */
  exposeHeadRoutes?: boolean;
}

export interface ResolvedRouterOptions {
  readonly caseSensitive: boolean;
  readonly ignoreTrailingSlash: boolean;
  readonly maxParamLength: number;
  readonly exposeHeadRoutes: boolean;
}

export const ROUTER_DEFAULTS: ResolvedRouterOptions = Object.freeze({
  caseSensitive: true,
  ignoreTrailingSlash: false,
  maxParamLength: 100,
  exposeHeadRoutes: true,
});

const OPTION_KEYS = Object.keys(ROUTER_DEFAULTS);

function checkBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new RouterConfigError(`${name} must be a boolean, not ${String(value)}`);
  return value;
}

/** Checks `options` and fills in the defaults; throws RouterConfigError stating the rule broken. */
export function resolveRouterOptions(options: RouterOptions = {}): ResolvedRouterOptions {
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new RouterConfigError(`Unknown router option '${key}' (known: ${OPTION_KEYS.join(', ')})`);
  }
  const maxParamLength = options.maxParamLength ?? ROUTER_DEFAULTS.maxParamLength;
  if (!Number.isSafeInteger(maxParamLength) || maxParamLength < 1) {
    throw new RouterConfigError(`maxParamLength must be a positive integer, not ${String(maxParamLength)}`);
  }
  return {
    caseSensitive: checkBoolean(options.caseSensitive ?? ROUTER_DEFAULTS.caseSensitive, 'caseSensitive'),
    ignoreTrailingSlash: checkBoolean(options.ignoreTrailingSlash ?? ROUTER_DEFAULTS.ignoreTrailingSlash, 'ignoreTrailingSlash'),
    maxParamLength,
    exposeHeadRoutes: checkBoolean(options.exposeHeadRoutes ?? ROUTER_DEFAULTS.exposeHeadRoutes, 'exposeHeadRoutes'),
  };
}
