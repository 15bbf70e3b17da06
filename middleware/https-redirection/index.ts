// middleware/https-redirection/: http requests redirected to https, and Strict-Transport-Security
// (HSTS) on https responses.
export { httpsRedirection, hsts } from './https-redirection.js';
export {
  HTTPS_REDIRECTION_DEFAULTS,
  HSTS_DEFAULTS,
  resolveHttpsRedirectionOptions,
  resolveHstsOptions,
  type HttpsRedirectionOptions,
  type HstsOptions,
  type ResolvedHttpsRedirectionOptions,
  type ResolvedHstsOptions,
} from './https-redirection-options.js';
export { HttpsRedirectionConfigError } from './https-redirection-errors.js';
