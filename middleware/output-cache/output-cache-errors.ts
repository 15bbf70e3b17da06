import { TiercelError } from '../../connection/index.js';

/** Output caching configured wrongly: an unknown option, a limit that is not a positive integer, a bad name list. */
export class OutputCacheConfigError extends TiercelError {
  constructor(message: string) {
    super('ERR_TIERCEL_OUTPUT_CACHE_CONFIG', message);
  }
}
