import { LOGGER, LOGGER_FACTORY, silentLogger, type Logger, type LoggerFactory } from '../../connection/index.js';
import { HttpProtocolError, reasonPhrase, type HeaderList } from '../../protocols/http/index.js';
import { HttpError, type HttpContext, type Middleware, type Next } from '../../pipeline/index.js';
import { ProblemError } from './problem-details-errors.js';
import { resolveProblemDetailsOptions, type ProblemDetailsOptions, type ResolvedProblemDetailsOptions } from './problem-details-options.js';

const PROBLEM_JSON = 'application/problem+json';

/**
 * Answers errors as RFC 9457 problem details (`application/problem+json`): an `HttpError` with its
 * status, headers and (when exposed) its message as `detail`; a `ProblemError` with its whole
 * problem; a protocol error (a body too large, a bad chunk) with its status; anything else as a
 * 500 that says nothing of the cause, which is logged. With `emptyResponses`, an error status left
 * without a body (the 404 at the end of the pipeline) gets one too. A response already started
 * cannot change: the error goes on to the pipeline, which aborts the exchange.
 */
export function problemDetails(options?: ProblemDetailsOptions): Middleware {
  const o = resolveProblemDetailsOptions(options);
  let logger: Logger | undefined;
  const log = (ctx: HttpContext): Logger => (logger ??= resolveLogger(ctx));
  return async (ctx: HttpContext, next: Next) => {
    // Fields set before this point are an outer middleware's (CORS, security headers): an error
    // answer keeps them, and drops what the failed handler meant for its own answer.
    const kept = keptNames(ctx.response.headers);
    try {
      await next();
    } catch (err) {
      if (ctx.response.headersSent || ctx.signal.aborted) throw err;
      answer(ctx, err, o, kept, log);
      return;
    }
    const res = ctx.response;
    if (o.emptyResponses && res.status >= 400 && !res.headersSent && !res.ended) write(ctx, res.status, { title: undefined }, kept);
  };
}

function keptNames(headers: HeaderList): Set<string> | undefined {
  if (headers.size === 0) return undefined;
  const names = new Set<string>();
  for (const [name] of headers) names.add(name);
  return names;
}

interface ProblemBody {
  type?: string;
  title?: string;
  detail?: string;
  instance?: string;
  code?: string;
  [extension: string]: unknown;
}

function answer(ctx: HttpContext, err: unknown, o: ResolvedProblemDetailsOptions, kept: Set<string> | undefined, log: (ctx: HttpContext) => Logger): void {
  const fields = { method: ctx.request.method, target: ctx.request.rawTarget, err };
  if (err instanceof HttpError) {
    if (err.status >= 500) log(ctx).error(fields, 'Request failed');
    else log(ctx).debug(fields, 'Request rejected');
    const body: ProblemBody = {};
    if (err instanceof ProblemError) {
      Object.assign(body, err.problem.extensions);
      body.type = err.problem.type;
      body.title = err.problem.title;
      body.instance = err.problem.instance;
    }
    if (err.expose) {
      // A message that is only the reason phrase says nothing the title does not.
      if (err.message !== reasonPhrase(err.status)) body.detail = err instanceof ProblemError ? err.problem.detail : err.message;
      if (o.includeCode && err.code !== 'ERR_TIERCEL_HTTP_ERROR') body.code = err.code;
    }
    write(ctx, err.status, body, kept, err.headers);
  } else if (err instanceof HttpProtocolError) {
    log(ctx).debug(fields, 'Request rejected by the protocol');
    const body: ProblemBody = { detail: err.message };
    if (o.includeCode) body.code = err.code;
    write(ctx, err.status, body, kept);
  } else {
    log(ctx).error(fields, 'Unhandled error in the request pipeline');
    write(ctx, 500, {}, kept);
  }
}

function write(ctx: HttpContext, status: number, body: ProblemBody, kept: Set<string> | undefined, extra?: Readonly<Record<string, unknown>>): void {
  const res = ctx.response;
  const headers = res.headers;
  const drop: string[] = [];
  for (const [name] of headers) if (kept === undefined || !kept.has(name)) drop.push(name);
  for (const name of drop) headers.delete(name);
  if (extra !== undefined) for (const name of Object.keys(extra)) headers.set(name, extra[name] as string);
  res.status = status;
  headers.set('content-type', PROBLEM_JSON);
  // RFC 9457 §3.1: members in the order a reader expects them; undefined ones are left out by JSON.
  const { type, title, detail, instance, ...rest } = body;
  res.end(JSON.stringify({ type: type ?? 'about:blank', title: title ?? (reasonPhrase(status) || `HTTP ${status}`), status, detail, instance, ...rest }));
}

function resolveLogger(ctx: HttpContext): Logger {
  const c = ctx.services;
  if (c.isRegistered(LOGGER_FACTORY, true)) return c.resolve<LoggerFactory>(LOGGER_FACTORY).create('tiercel.problem-details');
  if (c.isRegistered(LOGGER, true)) return c.resolve<Logger>(LOGGER);
  return silentLogger;
}
