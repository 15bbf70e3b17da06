/**
 * The logging seam. The built-in logger writes to the console; an application can register
 * its own (pino, for instance) under the `LOGGER` token. Messages are short sentences; `fields`
 * carries the structured part.
 */
export interface Logger {
    debug(message: string, fields?: Record<string, unknown>): void;
    info(message: string, fields?: Record<string, unknown>): void;
    warn(message: string, fields?: Record<string, unknown>): void;
    error(message: string, fields?: Record<string, unknown>): void;
}
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export declare class ConsoleLogger implements Logger {
    #private;
    readonly level: LogLevel;
    readonly category: string;
    constructor(level?: LogLevel, category?: string);
    debug(m: string, f?: Record<string, unknown>): void;
    info(m: string, f?: Record<string, unknown>): void;
    warn(m: string, f?: Record<string, unknown>): void;
    error(m: string, f?: Record<string, unknown>): void;
}
export declare const silentLogger: Logger;
