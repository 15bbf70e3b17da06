import { HealthConfigError } from './health-errors.js';

/** A check's outcome, best first (ASP.NET Core's `HealthStatus`). */
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

/** The built-in event-loop-delay check (as @fastify/under-pressure's `maxEventLoopDelay`). */
export interface EventLoopDelayOptions {
  /**
   * Above this delay (the longest the loop was blocked since the previous check, in ms) the check
   * is unhealthy. Default 1000: a loop blocked for a second cannot meet any sensible request
   * deadline, while GC pauses and TLS handshakes stay well below it.
   */
  thresholdMs?: number;
  /** The histogram's sampling interval (`monitorEventLoopDelay`'s `resolution`), ms. Default 10. */
  resolutionMs?: number;
}

export interface HealthOptions {
  /** Liveness: the process answers; runs only the checks tagged 'live'. Default '/healthz'. */
  livenessPath?: string;
  /** Readiness: runs every check; 503 once the server is stopping. Default '/readyz'. */
  readinessPath?: string;
  /**
   * How long a check may take before it is reported unhealthy (a check may set its own). Default
   * 5000 ms: below the 10 s that Kubernetes' probes and HAProxy's `timeout check` commonly allow,
   * so the report arrives before the prober gives up.
   */
  timeoutMs?: number;
  /** The built-in event-loop-delay check (named 'event-loop'), or false for none. Default: on, with its defaults. */
  eventLoopDelay?: EventLoopDelayOptions | false;
}

export interface ResolvedHealthOptions {
  readonly livenessPath: string;
  readonly readinessPath: string;
  readonly timeoutMs: number;
  readonly eventLoopDelay: Required<EventLoopDelayOptions> | false;
}

export const HEALTH_DEFAULTS: ResolvedHealthOptions = Object.freeze({
  livenessPath: '/healthz',
  readinessPath: '/readyz',
  timeoutMs: 5_000,
  eventLoopDelay: Object.freeze({ thresholdMs: 1_000, resolutionMs: 10 }),
});

const OPTION_KEYS = ['livenessPath', 'readinessPath', 'timeoutMs', 'eventLoopDelay'];
const EVENT_LOOP_KEYS = ['thresholdMs', 'resolutionMs'];

function checkKeys(given: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) throw new HealthConfigError(`Unknown ${where} option '${key}' (known: ${known.join(', ')})`);
  }
}

/** A positive integer number of milliseconds, or a HealthConfigError naming the option. */
export function checkMilliseconds(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new HealthConfigError(`${name} must be a positive integer number of milliseconds, not ${String(value)}`);
  }
  return value;
}

function checkPath(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.charCodeAt(0) !== 0x2f || value.includes('?')) {
    throw new HealthConfigError(`${name} must be a path that starts with '/' and has no query, not ${JSON.stringify(value)}`);
  }
  return value;
}

/** Checks `options` and fills in the defaults; throws HealthConfigError stating the rule broken. */
export function resolveHealthOptions(options: HealthOptions = {}): ResolvedHealthOptions {
  checkKeys(options, OPTION_KEYS, 'health');
  const livenessPath = checkPath(options.livenessPath ?? HEALTH_DEFAULTS.livenessPath, 'livenessPath');
  const readinessPath = checkPath(options.readinessPath ?? HEALTH_DEFAULTS.readinessPath, 'readinessPath');
  if (livenessPath === readinessPath) throw new HealthConfigError(`livenessPath and readinessPath must differ (both ${livenessPath})`);
  const timeoutMs = checkMilliseconds(options.timeoutMs ?? HEALTH_DEFAULTS.timeoutMs, 'timeoutMs');
  let eventLoopDelay: ResolvedHealthOptions['eventLoopDelay'] = false;
  if (options.eventLoopDelay !== false) {
    const given = options.eventLoopDelay ?? {};
    checkKeys(given, EVENT_LOOP_KEYS, 'eventLoopDelay');
    const defaults = HEALTH_DEFAULTS.eventLoopDelay as Required<EventLoopDelayOptions>;
    eventLoopDelay = {
      thresholdMs: checkMilliseconds(given.thresholdMs ?? defaults.thresholdMs, 'eventLoopDelay.thresholdMs'),
      resolutionMs: checkMilliseconds(given.resolutionMs ?? defaults.resolutionMs, 'eventLoopDelay.resolutionMs'),
    };
  }
  return { livenessPath, readinessPath, timeoutMs, eventLoopDelay };
}
