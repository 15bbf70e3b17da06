import { LifetimeFeature } from '../../connection/index.js';
// HttpError alone: pipeline/index.ts would load the whole pipeline with 'tiercel/hosting' and every
// server's container (HEALTH_CHECKS is one of its defaults), before any app is built (issue 11, start-up).
import { HttpError } from '../../pipeline/http-error.js';
import type { ApplicationBuilder, HttpContext, Middleware, Next } from '../../pipeline/index.js';
import { eventLoopDelayCheck, type EventLoopDelayCheck } from './event-loop-delay-check.js';
import { HealthCheckTimeoutError, HealthConfigError } from './health-errors.js';
import { HEALTH_CHECKS } from './health-token.js';
import { checkMilliseconds, resolveHealthOptions, type HealthOptions, type HealthStatus, type ResolvedHealthOptions } from './health-options.js';

/** What a check reports: a status, with a sentence and data for the JSON report if it likes. */
export interface HealthCheckResult {
  readonly status: HealthStatus;
  readonly description?: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/**
 * A check, async. `signal` aborts when its timeout passes: a check that can cancel its work (a
 * query, a fetch) should. Resolving a bare status is the same as `{ status }`; rejecting is
 * unhealthy. (Promise only: with a synchronous alternative in the type, TypeScript widens
 * `async () => 'healthy'` to `Promise<string>` and refuses it.)
 */
export type HealthCheckFn = (signal: AbortSignal) => Promise<HealthStatus | HealthCheckResult>;

export interface HealthCheck {
  /** Unique; the key of the check's entry in the report. */
  readonly name: string;
  readonly check: HealthCheckFn;
  /** 'live' puts the check in the liveness report too (every check is in the readiness report). */
  readonly tags?: readonly string[];
  /** This check's timeout, ms. Default: the options' `timeoutMs`. */
  readonly timeoutMs?: number;
}

/** One check's line in the report. */
export interface HealthEntry {
  readonly status: HealthStatus;
  readonly durationMs: number;
  readonly description?: string;
  /** The message of what the check threw (or of its timeout). */
  readonly error?: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** The JSON body of /healthz and /readyz: the worst status of all, and each check's entry. */
export interface HealthReport {
  readonly status: HealthStatus;
  readonly totalDurationMs: number;
  /** Set (true) on readiness once the server is stopping: no check was run. */
  readonly stopping?: true;
  readonly checks: Readonly<Record<string, HealthEntry>>;
}

const RANK: Readonly<Record<HealthStatus, number>> = { healthy: 0, degraded: 1, unhealthy: 2 };
const STATUSES = new Set<unknown>(['healthy', 'degraded', 'unhealthy']);
const LIVE_TAG = 'live';

interface Registered {
  readonly name: string;
  readonly check: HealthCheckFn;
  readonly live: boolean;
  readonly timeoutMs: number;
}

const elapsedMs = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;
const rounded = (ms: number): number => Math.round(ms * 100) / 100;

/**
 * The health checks of an app and the middleware that answers the liveness and readiness paths
 * (ASP.NET Core's `AddHealthChecks` + `MapHealthChecks`). Every other request passes through.
 * Readiness is 503 as soon as the server begins to stop: a stopping server asks every connection
 * to close (`LifetimeFeature`) before it waits for them to drain, so the request's own connection
 * says so, and a load balancer's probe sees 503 while requests in flight finish.
 */
export class HealthChecks {
  readonly options: ResolvedHealthOptions;
  readonly #checks: Registered[] = [];
  readonly #eventLoop: EventLoopDelayCheck | undefined;

  constructor(options?: HealthOptions) {
    this.options = resolveHealthOptions(options);
    if (this.options.eventLoopDelay !== false) {
      const eventLoop = eventLoopDelayCheck(this.options.eventLoopDelay);
      this.#eventLoop = eventLoop;
      this.add({ name: 'event-loop', check: async () => eventLoop.check() });
    }
  }

  /** Registers a check; throws HealthConfigError for a duplicate or empty name or a bad timeout. */
  add(check: HealthCheck): this {
    const { name } = check;
    if (typeof name !== 'string' || name === '') throw new HealthConfigError('A health check needs a non-empty name');
    if (typeof check.check !== 'function') throw new HealthConfigError(`Health check '${name}' needs a check function`);
    if (this.#checks.some((c) => c.name === name)) throw new HealthConfigError(`A health check named '${name}' is already registered`);
    const timeoutMs = check.timeoutMs === undefined ? this.options.timeoutMs : checkMilliseconds(check.timeoutMs, `Health check '${name}' timeoutMs`);
    this.#checks.push({ name, check: check.check, live: check.tags?.includes(LIVE_TAG) ?? false, timeoutMs });
    return this;
  }

  /** Runs the checks (only those tagged 'live' for liveness), each bounded by its timeout. */
  async report(kind: 'liveness' | 'readiness'): Promise<HealthReport> {
    const start = process.hrtime.bigint();
    const checks = kind === 'liveness' ? this.#checks.filter((c) => c.live) : this.#checks;
    const entries = await Promise.all(checks.map((c) => runCheck(c)));
    let status: HealthStatus = 'healthy';
    const byName: Record<string, HealthEntry> = {};
    for (let i = 0; i < checks.length; i++) {
      byName[checks[i].name] = entries[i];
      if (RANK[entries[i].status] > RANK[status]) status = entries[i].status;
    }
    return { status, totalDurationMs: rounded(elapsedMs(start)), checks: byName };
  }

  /** The request middleware: `app.use(health.middleware)`. */
  readonly middleware: Middleware = (ctx: HttpContext, next: Next) => {
    const path = ctx.request.path;
    const { livenessPath, readinessPath } = this.options;
    if (path !== livenessPath && path !== readinessPath) return next();
    return this.#answer(ctx, path === livenessPath ? 'liveness' : 'readiness');
  };

  /** Stops the event-loop-delay check's sampling timer. */
  dispose(): void {
    this.#eventLoop?.dispose();
  }

  async #answer(ctx: HttpContext, kind: 'liveness' | 'readiness'): Promise<void> {
    const method = ctx.request.method;
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'Use GET or HEAD', { headers: { allow: 'GET, HEAD' } });
    const lifetime = kind === 'readiness' ? ctx.exchange.connection.features.get(LifetimeFeature) : undefined;
    let report: HealthReport = lifetime?.isCloseRequested ? STOPPING : await this.report(kind);
    // A stop that began while the checks ran wins: the balancer must stop sending traffic now.
    if (lifetime?.isCloseRequested) report = STOPPING;
    ctx.response.headers.set('cache-control', 'no-store');
    ctx.response.json(report, report.status === 'unhealthy' ? 503 : 200);
  }
}

const STOPPING: HealthReport = Object.freeze({ status: 'unhealthy', totalDurationMs: 0, stopping: true, checks: Object.freeze({}) });

async function runCheck(c: Registered): Promise<HealthEntry> {
  const start = process.hrtime.bigint();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new HealthCheckTimeoutError(c.name, c.timeoutMs);
      controller.abort(err);
      reject(err);
    }, c.timeoutMs);
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(() => c.check(controller.signal)), timedOut]);
    const result: HealthCheckResult = typeof outcome === 'string' ? { status: outcome } : outcome;
    if (!STATUSES.has(result?.status)) {
      return { status: 'unhealthy', durationMs: rounded(elapsedMs(start)), error: `Health check '${c.name}' returned no status (healthy, degraded or unhealthy)` };
    }
    const entry: { -readonly [K in keyof HealthEntry]: HealthEntry[K] } = { status: result.status, durationMs: rounded(elapsedMs(start)) };
    if (result.description !== undefined) entry.description = result.description;
    if (result.data !== undefined) entry.data = result.data;
    return entry;
  } catch (err) {
    return { status: 'unhealthy', durationMs: rounded(elapsedMs(start)), error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Adds the health middleware to `app` and returns the checks, to `add` to and `dispose`: the
 * `HealthChecks` given, else (without options) the one registered as `HEALTH_CHECKS` in the app's
 * container (`new ApplicationBuilder(server.services)`), else new ones made with `options`.
 */
export function useHealthChecks(app: ApplicationBuilder, options?: HealthOptions | HealthChecks): HealthChecks {
  const health =
    options instanceof HealthChecks
      ? options
      : options === undefined && app.services?.isRegistered(HEALTH_CHECKS, true) === true
        ? app.services.resolve<HealthChecks>(HEALTH_CHECKS)
        : new HealthChecks(options);
  app.use(health.middleware);
  return health;
}
