import { systemClock, type Clock } from '../../connection/index.js';
import { TimeoutConfigError } from './timeout-errors.js';

export interface RequestTimeoutOptions {
  /**
   * How long the rest of the pipeline (or the route) may take, in ms. Required: a sensible value
   * depends on the route (ASP.NET Core has no default either); the server's own limits (header,
   * body and response data rates, keep-alive) still bound what a slow client can hold.
   */
  timeoutMs: number;
  /** What time is (a ManualClock in tests). Default the system clock. */
  clock?: Clock;
}

export interface ResolvedRequestTimeoutOptions {
  readonly timeoutMs: number;
  readonly clock: Clock;
}

/** The longest timeout taken: a Node timer cannot wait longer than 2^31 − 1 ms (~24.8 days). */
export const MAX_REQUEST_TIMEOUT_MS = 2 ** 31 - 1;

const OPTION_KEYS = ['timeoutMs', 'clock'];

/** Checks `options` and fills in the defaults; throws TimeoutConfigError stating the rule broken. */
export function resolveRequestTimeoutOptions(options: RequestTimeoutOptions): ResolvedRequestTimeoutOptions {
  if (typeof options !== 'object' || options === null) throw new TimeoutConfigError('requestTimeout() needs options, at least { timeoutMs }');
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new TimeoutConfigError(`Unknown request timeout option '${key}' (known: ${OPTION_KEYS.join(', ')})`);
  }
  const { timeoutMs } = options;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_REQUEST_TIMEOUT_MS) {
    throw new TimeoutConfigError(`timeoutMs must be an integer from 1 to ${MAX_REQUEST_TIMEOUT_MS}, not ${String(timeoutMs)}`);
  }
  return { timeoutMs, clock: options.clock ?? systemClock };
}
