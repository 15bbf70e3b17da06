/** The structured part of a record; `err` holds an error (pino's key, which its serializer knows). */
export type LogFields = Record<string, unknown>;

/**
 * One level's method, in pino's argument order: the fields first, then the message, or the message
 * alone. The old `(message, fields)` order is a type error on purpose (neither overload accepts a
 * string followed by an object), so code written against it is found by tsc, not in production logs.
 */
export interface LogFn {
  (fields: LogFields, message?: string): void;
  (message: string): void;
}

/**
 * The logging seam. A pino logger is one, as it is: register it under `LOGGER` and every category
 * becomes `logger.child({ category })`. Messages are short sentences; `fields` carries the
 * structured part, with `eventId`/`event` from LOG_EVENTS where the record is one of tiercel's
 * catalogued events.
 */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** A logger whose records all carry `bindings` (pino's `child`); optional, used for categories. */
  child?(bindings: LogFields): Logger;
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
  #write(level: Exclude<LogLevel, 'silent'>, a: LogFields | string, b?: string): void {
    if (RANK[level] < this.#rank) return;
    const [fields, message] = typeof a === 'string' ? [undefined, a] : [a, b ?? ''];
    const line = `${level}: ${this.category}: ${message}${fields ? ' ' + safeJson(fields) : ''}`;
    if (level === 'error' || level === 'warn') console.error(line);
    else console.log(line);
  }
  debug(a: LogFields | string, m?: string): void { this.#write('debug', a, m); }
  info(a: LogFields | string, m?: string): void { this.#write('info', a, m); }
  warn(a: LogFields | string, m?: string): void { this.#write('warn', a, m); }
  error(a: LogFields | string, m?: string): void { this.#write('error', a, m); }
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
