import { LOG_CATEGORIES, LOG_EVENTS, type LogFn, type Logger } from '../../connection/index.js';
import type { HttpContext, Middleware, Next } from '../../pipeline/index.js';
import { resolveAccessLogOptions, type AccessLogOptions } from './access-log-options.js';

// Generated ids: a prefix random per process (ids from two processes do not collide in one log
// store), then a counter. No random bytes per request. Made with the first id, and node:crypto
// loaded then: its ~25 modules are not worth loading for a server that logs no access.
let prefix: string | undefined;
let counter = 0;

/** What one request carries from its start to its record: no closure, one small object. */
class AccessEntry {
  constructor(
    readonly log: AccessLog,
    readonly id: string,
    readonly start: number,
  ) {}
}

class AccessLog {
  #logger: Logger | undefined;
  #write: LogFn | undefined;
  constructor(
    logger: Logger | undefined,
    readonly level: 'debug' | 'info' | 'warn' | 'error',
    readonly header: string | undefined,
    readonly maxIdLength: number,
  ) {
    this.#logger = logger;
  }

  requestId(ctx: HttpContext): string {
    if (this.header !== undefined) {
      const given = ctx.request.headers.get(this.header);
      if (given !== undefined && isRequestId(given, this.maxIdLength)) return given;
    }
    prefix ??= process.getBuiltinModule('node:crypto').randomBytes(4).toString('hex') + '-';
    return prefix + (++counter).toString(36);
  }

  write(ctx: HttpContext, entry: AccessEntry): void {
    if (this.#write === undefined) {
      // The app's logger, asked for once: the middleware is made before the app has a container.
      const logger = (this.#logger ??= ctx.logger(LOG_CATEGORIES.access));
      this.#write = logger[this.level].bind(logger);
    }
    const ex = ctx.exchange;
    const aborted = ex.aborted.aborted;
    this.#write(
      {
        ...LOG_EVENTS.RequestCompleted,
        req: { id: entry.id, method: ex.method, url: ex.target, protocol: ex.protocol, remoteAddress: remoteAddress(ctx) },
        res: { statusCode: ex.statusCode },
        responseTime: Math.round((performance.now() - entry.start) * 1000) / 1000,
        bytesSent: ex.bytesSent,
        aborted,
      },
      aborted ? 'request aborted' : 'request completed',
    );
  }
}

function onCompleted(ctx: HttpContext, entry: AccessEntry): void {
  entry.log.write(ctx, entry);
}

/**
 * Request middleware that writes one record per request, in pino-http's shape (`req.id`,
 * `req.method`, `req.url`, `res.statusCode`, `responseTime` in ms) plus `bytesSent` and `aborted`,
 * to the `tiercel.access` category (event `RequestCompleted`). The record is written when the
 * response has completed, over HTTP/1.1 and HTTP/2 alike: after the app returned and the pipeline
 * finished the response (a 500 for an app that threw included), or once it was aborted. Place it
 * first, so that its response time covers the other middleware. Per request it costs one small
 * object and the record; no closure.
 */
export function accessLog(options?: AccessLogOptions): Middleware {
  const o = resolveAccessLogOptions(options);
  const log = new AccessLog(o.logger, o.level, o.requestIdHeader, o.maxRequestIdLength);
  return (ctx: HttpContext, next: Next) => {
    ctx.onCompleted(onCompleted, new AccessEntry(log, log.requestId(ctx), performance.now()));
    return next();
  };
}

/** 1 to `max` visible ASCII characters: a client cannot put a line break or a control in the log. */
function isRequestId(value: string, max: number): boolean {
  if (value.length === 0 || value.length > max) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/** The client's address as the app sees it (after forwardedHeaders, the one the proxy forwarded for). */
function remoteAddress(ctx: HttpContext): string | undefined {
  const remote = ctx.connection.remoteEndpoint;
  return remote.kind === 'tcp' ? (remote as { host: string }).host : undefined;
}
