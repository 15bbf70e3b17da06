import { CookiesConfigError } from './cookies-errors.js';

/** The attributes of a cookie the app sets (the `cookie` package's serialize options). */
export interface CookieAttributes {
  /** Seconds until the cookie expires; none by default (a session cookie). */
  maxAge?: number;
  expires?: Date;
  domain?: string;
  /** Default '/'. */
  path?: string;
  /** Default true: scripts have no business reading a server's cookie unless it says so. */
  httpOnly?: boolean;
  /** Default: true when the request came over https (`ctx.request.scheme`), else false. */
  secure?: boolean;
  /** Default 'lax' (the browsers' own default, spelled out so every browser agrees). */
  sameSite?: boolean | 'lax' | 'strict' | 'none';
  partitioned?: boolean;
  priority?: 'low' | 'medium' | 'high';
}

export interface CookiesOptions {
  /**
   * Keys for signed cookies (HMAC-SHA256): the first signs, every one verifies, so a key can be
   * rotated by putting the new one first. Each at least 32 characters. Default none: signing is off.
   */
  secrets?: readonly string[];
  /** Attributes every `set()` starts from; see `CookieAttributes` for each default. */
  defaults?: CookieAttributes;
}

export interface ResolvedCookiesOptions {
  readonly secrets: readonly string[];
  readonly defaults: Readonly<CookieAttributes>;
}

/** The shortest secret taken: 32 characters, 256 bits of hex or more of text, SHA-256's own strength. */
export const MIN_COOKIE_SECRET_LENGTH = 32;

export const COOKIES_DEFAULTS: ResolvedCookiesOptions = Object.freeze({
  secrets: Object.freeze([]),
  defaults: Object.freeze({ path: '/', httpOnly: true, sameSite: 'lax' as const }),
});

const OPTION_KEYS = ['secrets', 'defaults'];

/** Checks `options` and fills in the defaults; throws CookiesConfigError stating the rule broken. */
export function resolveCookiesOptions(options: CookiesOptions = {}): ResolvedCookiesOptions {
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new CookiesConfigError(`Unknown cookies option '${key}' (known: ${OPTION_KEYS.join(', ')})`);
  }
  const secrets = options.secrets ?? COOKIES_DEFAULTS.secrets;
  if (!Array.isArray(secrets)) throw new CookiesConfigError('secrets must be an array of strings');
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_COOKIE_SECRET_LENGTH) {
      throw new CookiesConfigError(`each secret must be a string of at least ${MIN_COOKIE_SECRET_LENGTH} characters`);
    }
  }
  return { secrets: Object.freeze([...secrets]), defaults: Object.freeze({ ...COOKIES_DEFAULTS.defaults, ...options.defaults }) };
}
