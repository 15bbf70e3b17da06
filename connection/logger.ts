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
  /** Whether a record at `level` would be written (pino's `isLevelEnabled`); optional, asked before costly records. */
  isLevelEnabled?(level: LogLevel): boolean;
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

/** The levels a logger accepts, lowest first. */
export const LOG_LEVELS: readonly LogLevel[] = Object.freeze(['debug', 'info', 'warn', 'error', 'silent']);

/**
 * One level for every category (`'info'`), or a level per category with a `default` for the rest
 * (`{ default: 'info', 'tiercel.bad-requests': 'debug' }`). A key names a category or a dotted
 * prefix of one (`tiercel` covers `tiercel.http2`); the longest match wins, as in .NET's filters.
 */
export type LogLevels = LogLevel | { readonly default?: LogLevel; readonly [category: string]: LogLevel | undefined };

/** `text`: `info: tiercel.server: message {fields}`; `json`: one JSON object per line. */
export type LogFormat = 'text' | 'json';

/** The level `levels` gives `category`: the longest dotted prefix named, else `default`, else 'info'. Read once per logger, at creation. */
export function levelFor(levels: LogLevels, category: string): LogLevel {
  if (typeof levels === 'string') return levels;
  for (let name = category; ; ) {
    const level = levels[name];
    if (level !== undefined) return level;
    const dot = name.lastIndexOf('.');
    if (dot < 0) break;
    name = name.slice(0, dot);
  }
  return levels.default ?? 'info';
}

/** Where console records go; `process.stdout` by default, or any stream's `write`. */
export interface LogDestination {
  write(line: string): unknown;
}

export interface ConsoleLoggerOptions {
  /** Default 'text'. */
  readonly format?: LogFormat;
  /**
   * Default: the console (text: warn and error on stderr, the rest on stdout; json: every record
   * on stdout, as pino writes).
   */
  readonly destination?: LogDestination;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** True when a record at `level` passes a threshold of `threshold`. */
export function levelEnabled(threshold: LogLevel, level: Exclude<LogLevel, 'silent'>): boolean {
  return RANK[level] >= RANK[threshold];
}

/**
 * The built-in logger: text for a terminal (`info: tiercel.server: Now listening on: …`), or JSON
 * lines for a log shipper (`{"time":…,"level":"info","category":…,"eventId":21,"event":"Listening","msg":…,…fields}`).
 * A record below the level costs a comparison; fields are serialised so that a cycle, a bigint
 * or an Error never throws (an unserialisable field costs its record's fields, never the process).
 */
export class ConsoleLogger implements Logger {
  readonly #rank: number;
  readonly #json: boolean;
  readonly #destination: LogDestination | undefined;
  constructor(
    readonly level: LogLevel = 'info',
    readonly category = 'tiercel',
    options: ConsoleLoggerOptions = {},
  ) {
    this.#rank = RANK[level];
    this.#json = options.format === 'json';
    this.#destination = options.destination;
  }
  #write(level: Exclude<LogLevel, 'silent'>, a: LogFields | string, b?: string): void {
    if (RANK[level] < this.#rank) return;
    const fields = typeof a === 'string' ? undefined : a;
    const message = typeof a === 'string' ? a : (b ?? '');
    const line = this.#json ? jsonRecord(level, this.category, message, fields) : textRecord(level, this.category, message, fields);
    if (this.#destination !== undefined) this.#destination.write(line + '\n');
    else if (this.#json) process.stdout.write(line + '\n');
    else if (level === 'error' || level === 'warn') console.error(line);
    else console.log(line);
  }
  isLevelEnabled(level: LogLevel): boolean {
    return level !== 'silent' && RANK[level] >= this.#rank;
  }
  debug(a: LogFields | string, m?: string): void { this.#write('debug', a, m); }
  info(a: LogFields | string, m?: string): void { this.#write('info', a, m); }
  warn(a: LogFields | string, m?: string): void { this.#write('warn', a, m); }
  error(a: LogFields | string, m?: string): void { this.#write('error', a, m); }
}

/** Console loggers, the level of each category from `levels`: `info: tiercel.server: Now listening on: …`. */
export class ConsoleLoggerFactory implements LoggerFactory {
  constructor(
    readonly levels: LogLevels = 'info',
    readonly options: ConsoleLoggerOptions = {},
  ) {}
  create(category: string): Logger {
    return new ConsoleLogger(levelFor(this.levels, category), category, this.options);
  }
}

export const silentLogger: Logger = new ConsoleLogger('silent');

/** .NET's console format: `info: tiercel.server[21]: Now listening on: …`, then the other fields as JSON. */
function textRecord(level: string, category: string, message: string, fields: LogFields | undefined): string {
  if (fields === undefined) return `${level}: ${category}: ${message}`;
  const event = typeof fields.eventId === 'number';
  const rest = safeJson(fields, event);
  return `${level}: ${category}${event ? `[${fields.eventId}]` : ''}: ${message}${rest.length > 2 ? ' ' + rest : ''}`;
}

function jsonRecord(level: string, category: string, message: string, fields: LogFields | undefined): string {
  let line = `{"time":"${new Date().toISOString()}","level":"${level}","category":${JSON.stringify(category)}`;
  if (fields !== undefined && typeof fields.eventId === 'number') line += `,"eventId":${fields.eventId},"event":${safeJson(fields.event, false)}`;
  line += `,"msg":${JSON.stringify(message)}`;
  if (fields === undefined) return line + '}';
  const rest = safeJson(fields, true);
  if (rest.charCodeAt(0) !== 0x7b /* { */) return `${line},"fields":${rest}}`;
  return rest.length > 2 ? `${line},${rest.slice(1)}` : line + '}';
}

/**
 * JSON that never throws: an Error becomes `{ type, message, code, stack }` (pino's `err` shape),
 * a bigint its decimal string, a cycle `"[Circular]"`. With `skipEvent`, the top-level `eventId`
 * and `event` are left out (the JSON record writes them first).
 */
export function safeJson(value: unknown, skipEvent: boolean): string {
  const ancestors: unknown[] = [];
  try {
    return (
      JSON.stringify(value, function (this: unknown, key, v: unknown) {
        if (skipEvent && this === value && (key === 'eventId' || key === 'event')) return undefined;
        if (typeof v === 'bigint') return v.toString();
        if (typeof v !== 'object' || v === null) return v;
        // `this` is the object holding `v`: drop the ancestors that are not on its path.
        while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
        if (ancestors.includes(v)) return '[Circular]';
        const out = v instanceof Error ? errorJson(v) : v;
        ancestors.push(out);
        return out;
      }) ?? 'null'
    );
  } catch {
    // A getter that throws, a toJSON that does: the record still goes out, without its fields.
    return '"[unserializable]"';
  }
}

function errorJson(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { type: err.name, message: err.message };
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  if (err.stack !== undefined) out.stack = err.stack;
  return out;
}
