import { TiercelError } from '../../connection/index.js';

/** The static-files middleware was configured wrongly: an unknown option, a root that is not a folder, a bad value. */
export class StaticFilesConfigError extends TiercelError {
  constructor(message: string) {
    super('ERR_TIERCEL_STATIC_CONFIG', message);
  }
}
