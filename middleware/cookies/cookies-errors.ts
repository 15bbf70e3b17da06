import { TiercelError } from '../../connection/index.js';

/** The cookies middleware configured wrongly: an unknown option, a secret too short or not a string. */
export class CookiesConfigError extends TiercelError {
  constructor(message: string) {
    super('ERR_TIERCEL_COOKIES_CONFIG', message);
  }
}

/**
 * A cookie the app tried to set that cannot be sent: a name or value with characters a cookie may
 * not hold, a bad attribute, signing without a secret. Raised by `set()`, never by a request.
 */
export class CookieInvalidError extends TiercelError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_TIERCEL_COOKIE_INVALID', message, options);
  }
}

/** `requestCookies(ctx)` on a request the cookies middleware did not see. */
export class CookiesNotConfiguredError extends TiercelError {
  constructor() {
    super('ERR_TIERCEL_COOKIES_NOT_CONFIGURED', 'requestCookies(ctx) needs app.use(cookies(…)) before this middleware or handler');
  }
}
