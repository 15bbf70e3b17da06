import { TiercelError } from '../../connection/index.js';

/** The compression middleware was configured wrongly: an unknown option, a bad level or limit. */
export class CompressionConfigError extends TiercelError {
  constructor(message: string) {
    super('ERR_TIERCEL_COMPRESSION_CONFIG', message);
  }
}
