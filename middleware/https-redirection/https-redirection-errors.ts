import { TiercelError } from '../../connection/index.js';

/** HTTPS redirection or HSTS configured wrongly: an unknown option, a bad status, port or max-age. */
export class HttpsRedirectionConfigError extends TiercelError {
  constructor(message: string) {
    super('ERR_TIERCEL_HTTPS_REDIRECTION_CONFIG', message);
  }
}
