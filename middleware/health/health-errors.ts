import { TiercelError } from '../../connection/index.js';

/** Health checks configured wrongly: an unknown option, a bad path or timeout, a duplicate check name. */
export class HealthConfigError extends TiercelError {
  constructor(message: string) {
    super('ERR_TIERCEL_HEALTH_CONFIG', message);
  }
}

/** A check did not settle within its timeout; it is reported unhealthy with this error's message. */
export class HealthCheckTimeoutError extends TiercelError {
  constructor(
    readonly check: string,
    readonly timeoutMs: number,
  ) {
    super('ERR_TIERCEL_HEALTH_CHECK_TIMEOUT', `Health check '${check}' did not finish within ${timeoutMs} ms`);
  }
}
