// middleware/cookies/: the request's cookies (the `cookie` package's parser) and Set-Cookie with
// safe default attributes; signed cookies (HMAC-SHA256, compared in constant time, rotatable keys).
export { cookies, requestCookies, CookieJar, type SetCookieOptions } from './cookies.js';
export { COOKIES_DEFAULTS, MIN_COOKIE_SECRET_LENGTH, resolveCookiesOptions, type CookiesOptions, type CookieAttributes, type ResolvedCookiesOptions } from './cookies-options.js';
export { CookiesConfigError, CookieInvalidError, CookiesNotConfiguredError } from './cookies-errors.js';
