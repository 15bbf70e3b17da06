import { InvalidOptionError, type LogLevel, type TransportOptions } from '../connection/index.js';

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
  /** Buffer sizes passed to every transport's `bind` (see `TransportOptions` for defaults). */
  transport?: TransportOptions;
  /** Level of the built-in console loggers. Default 'info'. Ignored when a LOGGER or LOGGER_FACTORY of your own is registered. */
  logLevel?: LogLevel;
}

export const DEFAULT_SERVER_OPTIONS: Readonly<Required<ServerOptions>> = Object.freeze({
  shutdownTimeoutMs: 30_000,
  maxConcurrentConnections: Infinity,
  transport: {},
  logLevel: 'info',
});

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

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
  for (const key of ['maxReadBufferSize', 'maxWriteBufferSize'] as const) {
    const v = resolved.transport[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
      throw new InvalidOptionError(`transport.${key}`, 'must be a whole number of bytes, 1 or more');
    }
  }
  if (!LOG_LEVELS.includes(resolved.logLevel)) {
    throw new InvalidOptionError('logLevel', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return resolved;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
