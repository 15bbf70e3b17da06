// protocols/logging/: connection logging (Kestrel's UseConnectionLogging) as connection middleware. Imports only connection/.
export { connectionLogging } from './connection-logging-middleware.js';
export { CONNECTION_LOGGING_DEFAULTS, resolveConnectionLoggingOptions, type ConnectionLoggingOptions, type ResolvedConnectionLoggingOptions } from './connection-logging-options.js';
export { hexDump } from './hex-dump.js';
export { LoggingDuplex, type ChunkObserver } from './logging-duplex.js';
