import { InvalidOptionError, LOG_LEVELS, type LogLevel, type Logger } from '../../connection/index.js';

export interface AccessLogOptions {
  /** Where records go. Default: the app's `tiercel.access` logger (the container's LOGGER_FACTORY). */
  logger?: Logger;
  /**
   * A request header whose value is taken as the request id (`x-request-id`, set by a proxy in
   * front), when it is 1 to `maxRequestIdLength` visible ASCII characters; otherwise, and by
   * default (undefined), an id is generated: a per-process prefix and a counter, cheap and unique
   * within the process (pino-http's default is a counter).
   */
  requestIdHeader?: string;
  /** The longest request id taken from `requestIdHeader`. Default 128 (a longer one is replaced, not truncated). */
  maxRequestIdLength?: number;
  /** The level of the records. Default 'info' (pino-http's). */
  level?: Exclude<LogLevel, 'silent'>;
}

export interface ResolvedAccessLogOptions {
  readonly logger: Logger | undefined;
  readonly requestIdHeader: string | undefined;
  readonly maxRequestIdLength: number;
  readonly level: Exclude<LogLevel, 'silent'>;
}

export const ACCESS_LOG_DEFAULTS: ResolvedAccessLogOptions = Object.freeze({
  logger: undefined,
  requestIdHeader: undefined,
  maxRequestIdLength: 128,
  level: 'info',
});

/** Applies the defaults; a bad value throws now, when the middleware is made. */
export function resolveAccessLogOptions(options: AccessLogOptions = {}): ResolvedAccessLogOptions {
  for (const key of Object.keys(options)) {
    if (!(key in ACCESS_LOG_DEFAULTS)) throw new InvalidOptionError(key, `is not an access-log option (known: ${Object.keys(ACCESS_LOG_DEFAULTS).join(', ')})`);
  }
  const resolved = { ...ACCESS_LOG_DEFAULTS, ...options };
  const header = resolved.requestIdHeader;
  if (header !== undefined && (typeof header !== 'string' || !/^[!#$%&'*+.^_`|~0-9a-zA-Z-]+$/.test(header))) {
    throw new InvalidOptionError('requestIdHeader', 'must be a header name (a token, such as x-request-id)');
  }
  if (!Number.isInteger(resolved.maxRequestIdLength) || resolved.maxRequestIdLength < 1) {
    throw new InvalidOptionError('maxRequestIdLength', 'must be a whole number of characters, 1 or more');
  }
  if (!LOG_LEVELS.includes(resolved.level) || (resolved.level as LogLevel) === 'silent') {
    throw new InvalidOptionError('level', 'must be one of debug, info, warn, error');
  }
  return Object.freeze({ ...resolved, requestIdHeader: header?.toLowerCase() });
}
