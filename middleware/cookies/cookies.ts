import { createRequire } from 'node:module';
import type * as Cookie from 'cookie';
import type { HttpContext, Middleware, Next } from '../../pipeline/index.js';
import { CookieInvalidError, CookiesNotConfiguredError } from './cookies-errors.js';
import { resolveCookiesOptions, type CookieAttributes, type CookiesOptions, type ResolvedCookiesOptions } from './cookies-options.js';

/** `set()`'s options: the cookie's attributes, and whether to sign it. */
export interface SetCookieOptions extends CookieAttributes {
  /** Append an HMAC of the name and value, checked by `getSigned()`. Needs `secrets`. Default false. */
  signed?: boolean;
}

// cookie is CommonJS: required with the first Cookie header parsed or cookie set, not imported
// (see router.ts).
const require = createRequire(import.meta.url);
let cookie: typeof Cookie | undefined;
const cookieModule = (): typeof Cookie => (cookie ??= require('cookie') as typeof Cookie);

// The key requestCookies() finds the jar under in ctx.items: module-private, so only this module sets it.
const JAR = Symbol('tiercel.cookies');
// base64url of a SHA-256 HMAC: 43 characters, after a '.'.
const SIGNATURE_LENGTH = 43;

/**
 * The request's cookies and the ones the response sets. The Cookie header is parsed the first time
 * a cookie is read (HTTP/2 may split it into several fields: they are joined with '; ', RFC 9113
 * §8.2.3); a malformed pair is skipped, never an error.
 */
export class CookieJar {
  readonly #ctx: HttpContext;
  readonly #options: ResolvedCookiesOptions;
  #parsed: Record<string, string | undefined> | undefined = undefined;

  constructor(ctx: HttpContext, options: ResolvedCookiesOptions) {
    this.#ctx = ctx;
    this.#options = options;
  }

  /** The value the client sent for `name` (percent-decoded), or undefined. A signed cookie comes with its signature: use `getSigned`. */
  get(name: string): string | undefined {
    return this.#all()[name];
  }

  /** Every cookie the client sent, by name. */
  all(): Readonly<Record<string, string | undefined>> {
    return this.#all();
  }

  /**
   * The value of a signed cookie whose signature one of the secrets verifies (compared in constant
   * time), or undefined when it is absent, unsigned or tampered with.
   */
  getSigned(name: string): string | undefined {
    const raw = this.#all()[name];
    if (raw === undefined || raw.length <= SIGNATURE_LENGTH + 1) return undefined;
    const dot = raw.length - SIGNATURE_LENGTH - 1;
    if (raw.charCodeAt(dot) !== 0x2e) return undefined;
    const value = raw.slice(0, dot);
    const given = Buffer.from(raw.slice(dot + 1), 'utf8');
    for (const secret of this.#options.secrets) {
      const expected = Buffer.from(sign(secret, name, value), 'utf8');
      if (expected.length === given.length && process.getBuiltinModule('node:crypto').timingSafeEqual(expected, given)) return value;
    }
    return undefined;
  }

  /** Adds a Set-Cookie field. Attributes start from the middleware's `defaults`. */
  set(name: string, value: string, options: SetCookieOptions = {}): void {
    const { signed, ...attributes } = options;
    let wire = value;
    if (signed === true) {
      const secret = this.#options.secrets[0];
      if (secret === undefined) throw new CookieInvalidError(`Cannot sign the cookie '${name}': the cookies middleware was given no secrets`);
      wire = `${value}.${sign(secret, name, value)}`;
    }
    const merged = { secure: this.#ctx.request.scheme === 'https', ...this.#options.defaults, ...attributes };
    let field: string;
    try {
      field = cookieModule().serialize(name, wire, merged);
    } catch (err) {
      throw new CookieInvalidError(`Cannot set the cookie '${name}': ${(err as Error).message}`, { cause: err });
    }
    this.#ctx.response.headers.append('set-cookie', field);
  }

  /** Tells the client to drop `name`: empty, expired. Give the `path`/`domain` it was set with. */
  delete(name: string, options: Pick<CookieAttributes, 'path' | 'domain'> = {}): void {
    this.set(name, '', { ...options, maxAge: 0, expires: new Date(0) });
  }

  #all(): Record<string, string | undefined> {
    if (this.#parsed === undefined) {
      const fields = this.#ctx.request.headers.getAll('cookie');
      this.#parsed = fields.length === 0 ? {} : cookieModule().parse(fields.length === 1 ? fields[0] : fields.join('; '));
    }
    return this.#parsed;
  }
}

// The name is signed with the value, so a signature cannot be moved to another cookie. node:crypto
// is looked up here, with the first signed cookie: most apps sign none, and loading it costs ~25 modules.
function sign(secret: string, name: string, value: string): string {
  return process.getBuiltinModule('node:crypto').createHmac('sha256', secret).update(name).update('=').update(value).digest('base64url');
}

/**
 * Request middleware that gives every request a `CookieJar` (`requestCookies(ctx)`), configured
 * once: secrets for signed cookies, default attributes for the ones set.
 */
export function cookies(options?: CookiesOptions): Middleware {
  const resolved = resolveCookiesOptions(options);
  return (ctx: HttpContext, next: Next) => {
    ctx.items.set(JAR, new CookieJar(ctx, resolved));
    return next();
  };
}

/** The request's cookies; throws CookiesNotConfiguredError when `cookies()` did not run for it. */
export function requestCookies(ctx: HttpContext): CookieJar {
  const jar = ctx.items.get(JAR) as CookieJar | undefined;
  if (jar === undefined) throw new CookiesNotConfiguredError();
  return jar;
}
