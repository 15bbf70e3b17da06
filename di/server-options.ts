import { InvalidOptionError, LOG_LEVELS, type LogFormat, type LogLevel, type LogLevels, type TransportOptions } from '../connection/index.js';

/**
 * Server-wide options. Each default is given here, once, with where it comes from.
 */
export interface ServerOptions {
  /**
   * How long `stop()` waits for connections to finish after asking them to close, before it
   * aborts the rest. Default 30 s (Kestrel's `ShutdownTimeout` under systemd; ASP.NET's host
   * default is 30 s too).
   */
  shutdownTimeoutMs?: number;
  /**
   * Connections served at once across all endpoints; a connection over the limit is closed at once
   * and counted as rejected. Default `Infinity` (Kestrel's `MaxConcurrentConnections` is null,
   * unlimited); set it to cap memory under a connection flood.
   */
  maxConcurrentConnections?: number;
  /**
   * Connections refused at `maxConcurrentConnections` are each logged at debug, and summed in a
   * warn (`ConnectionsRejected`, with the count) at most once per this interval. Default 10 s: an
   * operator sees the limit bite within seconds, and a connection flood writes six lines a
   * minute. `Infinity` leaves only the debug lines.
   */
  connectionRejectionLogIntervalMs?: number;
  /** Buffer sizes passed to every transport's `bind` (see `TransportOptions` for defaults). */
  transport?: TransportOptions;
  /**
   * Level of the built-in console loggers: one for every category (`'debug'`), or one per
   * category with a default (`{ default: 'info', 'tiercel.bad-requests': 'debug' }`; a key may be a
   * dotted prefix, `tiercel` for all). Default 'info': a client's faults are logged at debug, so a
   * misbehaving client writes nothing at the default level. Not applied to a LOGGER or
   * LOGGER_FACTORY of your own (set your logger's level: pino's `level`).
   */
  logLevel?: LogLevels;
  /**
   * Format of the built-in console loggers: `'text'` (one readable line), `'json'` (one JSON object
   * per line: time, level, category, eventId, event, msg, fields), or `'auto'`: json when
   * `NODE_ENV=production`, else text (the environment is read by `addTiercel`). Default 'auto'.
   */
  logFormat?: LogFormat | 'auto';
}

export const DEFAULT_SERVER_OPTIONS: Readonly<Required<ServerOptions>> = Object.freeze({
  shutdownTimeoutMs: 30_000,
  maxConcurrentConnections: Infinity,
  connectionRejectionLogIntervalMs: 10_000,
  transport: {},
  logLevel: 'info',
  logFormat: 'auto',
});

const LOG_FORMATS: readonly (LogFormat | 'auto')[] = ['text', 'json', 'auto'];

/** Applies defaults and rejects bad values now, at configuration time, not at the first connection. */
export function resolveServerOptions(options: ServerOptions = {}): Required<ServerOptions> {
  for (const key of Object.keys(options)) {
    if (!(key in DEFAULT_SERVER_OPTIONS)) {
      throw new InvalidOptionError(key, `is not a server option (known: ${Object.keys(DEFAULT_SERVER_OPTIONS).join(', ')})`);
    }
  }
  const resolved = { ...DEFAULT_SERVER_OPTIONS, ...stripUndefined(options) };
  if (!(resolved.shutdownTimeoutMs >= 0) || !Number.isFinite(resolved.shutdownTimeoutMs)) {
    throw new InvalidOptionError('shutdownTimeoutMs', 'must be a finite number of milliseconds, 0 or more');
  }
  const max = resolved.maxConcurrentConnections;
  if (max !== Infinity && (!Number.isInteger(max) || max < 1)) {
    throw new InvalidOptionError('maxConcurrentConnections', 'must be a whole number of 1 or more, or Infinity for no limit');
  }
  const interval = resolved.connectionRejectionLogIntervalMs;
  if (typeof interval !== 'number' || !(interval >= 0)) {
    throw new InvalidOptionError('connectionRejectionLogIntervalMs', 'must be a number of milliseconds, 0 or more, or Infinity for no warn line');
  }
  for (const key of ['maxReadBufferSize', 'maxWriteBufferSize'] as const) {
    const v = resolved.transport[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
      throw new InvalidOptionError(`transport.${key}`, 'must be a whole number of bytes, 1 or more');
    }
  }
  checkLogLevels(resolved.logLevel);
  if (!LOG_FORMATS.includes(resolved.logFormat)) {
    throw new InvalidOptionError('logFormat', `must be one of ${LOG_FORMATS.join(', ')}`);
  }
  return resolved;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

function checkLogLevels(levels: LogLevels): void {
  const rule = `must be one of ${LOG_LEVELS.join(', ')}`;
  if (typeof levels === 'string') {
    if (!LOG_LEVELS.includes(levels)) throw new InvalidOptionError('logLevel', rule + ', or an object of them per category');
    return;
  }
  if (typeof levels !== 'object' || levels === null || Array.isArray(levels)) {
    throw new InvalidOptionError('logLevel', `${rule}, or an object of them per category ({ default: 'info', 'tiercel.bad-requests': 'debug' })`);
  }
  for (const [category, level] of Object.entries(levels)) {
    if (category === '' || category.startsWith('.') || category.endsWith('.')) {
      throw new InvalidOptionError('logLevel', `has the key '${category}', which is not a category or a dotted prefix of one (tiercel.bad-requests, tiercel)`);
    }
    if (level !== undefined && !LOG_LEVELS.includes(level as LogLevel)) throw new InvalidOptionError(`logLevel['${category}']`, rule);
  }
}
