import { TiercelError } from '../../connection/index.js';
import { HttpError } from '../../pipeline/index.js';

/** A request timeout configured wrongly: an unknown option, a timeout that is not a positive integer. */
export class TimeoutConfigError extends TiercelError {
  constructor(message: string) {
    super('ERR_TIERCEL_TIMEOUT_CONFIG', message);
  }
}

/**
 * A request ran past its timeout: the reason its `ctx.signal` aborts with, and, when nothing was
 * sent yet, the error it is answered with (503).
 */
export class RequestTimeoutError extends HttpError {
  constructor(readonly timeoutMs: number) {
    super(503, `The request did not finish within ${timeoutMs} ms`, { code: 'ERR_TIERCEL_REQUEST_TIMEOUT' });
  }
}
