import { TiercelError } from '../../connection/index.js';

/** CORS configured wrongly: an unknown option, a bad origin list, credentials with any origin. */
export class CorsConfigError extends TiercelError {
  constructor(message: string) {
    super('ERR_TIERCEL_CORS_CONFIG', message);
  }
}
