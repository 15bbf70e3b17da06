import { TiercelError } from '../../connection/index.js';

/** Rate limiting configured wrongly: an unknown option or limiter kind, a limit that is not a positive integer. */
export class RateLimitConfigError extends TiercelError {
  constructor(message: string) {
    super('ERR_TIERCEL_RATE_LIMIT_CONFIG', message);
  }
}
