import { TiercelError } from '../../connection/index.js';

/** A router configured wrongly: an unknown option, a bad template or method, a route registered twice. */
export class RouterConfigError extends TiercelError {
  constructor(message: string) {
    super('ERR_TIERCEL_ROUTER_CONFIG', message);
  }
}
