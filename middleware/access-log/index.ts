// Access log (pino-http's record shape): one record per request, written when the response has
// completed, to the `tiercel.access` category.
export { accessLog } from './access-log.js';
export { ACCESS_LOG_DEFAULTS, resolveAccessLogOptions, type AccessLogOptions, type ResolvedAccessLogOptions } from './access-log-options.js';
