import { InvalidOptionError } from '../../connection/index.js';

export interface ConnectionLoggingOptions {
  /**
   * Names this point of the chain in each record (`label`), so that two loggers on one endpoint
   * (before and after TLS) are told apart. Default 'connection'.
   */
  label?: string;
  /**
   * The most bytes of one chunk a record shows; the rest is counted, not dumped. Default 4096
   * (a dump line is ~70 characters per 16 bytes: 4 KiB makes a record of ~18 KB).
   */
  maxDumpBytes?: number;
}

export interface ResolvedConnectionLoggingOptions {
  readonly label: string;
  readonly maxDumpBytes: number;
}

export const CONNECTION_LOGGING_DEFAULTS: ResolvedConnectionLoggingOptions = Object.freeze({ label: 'connection', maxDumpBytes: 4096 });

/** Applies the defaults; a bad value throws now, when the middleware is made. */
export function resolveConnectionLoggingOptions(options: ConnectionLoggingOptions = {}): ResolvedConnectionLoggingOptions {
  for (const key of Object.keys(options)) {
    if (!(key in CONNECTION_LOGGING_DEFAULTS)) {
      throw new InvalidOptionError(key, `is not a connection-logging option (known: ${Object.keys(CONNECTION_LOGGING_DEFAULTS).join(', ')})`);
    }
  }
  const resolved = { ...CONNECTION_LOGGING_DEFAULTS, ...options };
  if (typeof resolved.label !== 'string' || resolved.label === '') throw new InvalidOptionError('label', 'must be a non-empty string');
  if (!Number.isInteger(resolved.maxDumpBytes) || resolved.maxDumpBytes < 1) {
    throw new InvalidOptionError('maxDumpBytes', 'must be a whole number of bytes, 1 or more');
  }
  return Object.freeze(resolved);
}
