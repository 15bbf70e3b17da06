import { type LogLevel, type TransportOptions } from '../connection/index.js';
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
    /** Level of the built-in console logger. Default 'info'. Ignored when a LOGGER is registered. */
    logLevel?: LogLevel;
}
export declare const DEFAULT_SERVER_OPTIONS: Readonly<Required<ServerOptions>>;
/** Applies defaults and rejects bad values now, at configuration time, not at the first connection. */
export declare function resolveServerOptions(options?: ServerOptions): Required<ServerOptions>;
