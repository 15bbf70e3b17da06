// middleware/timeout/: a request timeout per route or branch: 503 and the request's signal aborted.
export { requestTimeout } from './request-timeout.js';
export { MAX_REQUEST_TIMEOUT_MS, resolveRequestTimeoutOptions, type RequestTimeoutOptions, type ResolvedRequestTimeoutOptions } from './timeout-options.js';
export { RequestTimeoutError, TimeoutConfigError } from './timeout-errors.js';
