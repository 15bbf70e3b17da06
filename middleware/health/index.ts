// Health checks (ASP.NET Core's shape): registered checks, /healthz (liveness) and /readyz
// (readiness) answered with a JSON report, 200 or 503.
export { HealthChecks, useHealthChecks, type HealthCheck, type HealthCheckFn, type HealthCheckResult, type HealthReport, type HealthEntry } from './health-checks.js';
export { HEALTH_DEFAULTS, resolveHealthOptions, type HealthOptions, type ResolvedHealthOptions, type EventLoopDelayOptions, type HealthStatus } from './health-options.js';
export { eventLoopDelayCheck, type EventLoopDelayCheck } from './event-loop-delay-check.js';
export { HealthConfigError, HealthCheckTimeoutError } from './health-errors.js';
export { HEALTH_CHECKS } from './health-token.js';
