import { LOG_CATEGORIES, type Logger, type LoggerFactory } from '../../connection/index.js';

/**
 * The loggers every HTTP protocol writes Kestrel's shared events to, made once per endpoint: a
 * connection's end in `tiercel.connections`, a client's fault in `tiercel.bad-requests`, the
 * application's errors in `tiercel.server`. A protocol's own messages go to its own category.
 */
export interface HttpLogs {
  readonly connections: Logger;
  readonly badRequests: Logger;
  readonly application: Logger;
}

export function httpLogs(loggers: LoggerFactory): HttpLogs {
  return {
    connections: loggers.create(LOG_CATEGORIES.connections),
    badRequests: loggers.create(LOG_CATEGORIES.badRequests),
    application: loggers.create(LOG_CATEGORIES.server),
  };
}
