import { ConsoleLogger, LOG_CATEGORIES, LOG_EVENTS, type ConnectionMiddleware, type Logger } from '../../connection/index.js';
import { resolveConnectionLoggingOptions, type ConnectionLoggingOptions } from './connection-logging-options.js';
import { hexDump } from './hex-dump.js';
import { LoggingDuplex } from './logging-duplex.js';

/**
 * Kestrel's `UseConnectionLogging` as connection middleware: every chunk read from and written to
 * the connection is logged at debug as a hex dump (event `ConnectionBytes`, with `direction`,
 * `length`, `label`), by wrapping `ctx.transport` for the layers after it. Where it stands in an
 * endpoint's chain decides what it shows: before `useHttps` the TLS records (ciphertext), after it
 * the HTTP bytes (plaintext); before the PROXY protocol middleware, the header too.
 *
 * For debugging a protocol, not for production: when `logger` says debug is off
 * (`isLevelEnabled('debug')`, as pino and the console logger answer) a connection goes through
 * untouched, at the cost of that one question.
 */
export function connectionLogging(options?: ConnectionLoggingOptions, logger: Logger = new ConsoleLogger('debug', LOG_CATEGORIES.connectionLogging)): ConnectionMiddleware {
  const { label, maxDumpBytes } = resolveConnectionLoggingOptions(options);
  return (ctx, next) => {
    if (logger.isLevelEnabled?.('debug') === false) return next();
    const connectionId = ctx.id;
    const record = (direction: 'read' | 'write', chunk: Buffer): void =>
      logger.debug({ ...LOG_EVENTS.ConnectionBytes, connectionId, label, direction, length: chunk.length, hex: hexDump(chunk, maxDumpBytes) }, `${label} ${direction} ${chunk.length} bytes`);
    ctx.transport = new LoggingDuplex(
      ctx.transport,
      (chunk) => record('read', chunk),
      (chunk) => record('write', chunk),
    );
    return next();
  };
}
