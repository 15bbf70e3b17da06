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

/**
 * Makes one logger per category (`tiercel.server`, `tiercel.http1`, `tiercel.tls`, …), as
 * .NET's `ILoggerFactory` does, so an application can route or silence a part of tiercel. Register
 * your own under `LOGGER_FACTORY`; `create` is called once per component, at start, never per request.
 */
export interface LoggerFactory {
  create(category: string): Logger;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export class ConsoleLogger implements Logger {
  readonly #rank: number;
  constructor(readonly level: LogLevel = 'info', readonly category = 'tiercel') {
    this.#rank = RANK[level];
  }
  #write(level: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>): void {
    if (RANK[level] < this.#rank) return;
    const line = `${level}: ${this.category}: ${message}${fields ? ' ' + safeJson(fields) : ''}`;
    if (level === 'error' || level === 'warn') console.error(line);
    else console.log(line);
  }
  debug(m: string, f?: Record<string, unknown>): void { this.#write('debug', m, f); }
  info(m: string, f?: Record<string, unknown>): void { this.#write('info', m, f); }
  warn(m: string, f?: Record<string, unknown>): void { this.#write('warn', m, f); }
  error(m: string, f?: Record<string, unknown>): void { this.#write('error', m, f); }
}

/** Console loggers at one level, the category in each line: `info: tiercel.server: Now listening on: …`. */
export class ConsoleLoggerFactory implements LoggerFactory {
  constructor(readonly level: LogLevel = 'info') {}
  create(category: string): Logger {
    return new ConsoleLogger(this.level, category);
  }
}

export const silentLogger: Logger = new ConsoleLogger('silent');

function safeJson(fields: Record<string, unknown>): string {
  try {
    return JSON.stringify(fields, (_k, v) => (v instanceof Error ? { name: v.name, message: v.message, code: (v as { code?: unknown }).code } : v));
  } catch {
    return '[unserializable fields]';
  }
}
