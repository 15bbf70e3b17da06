import { token } from '../../connection/index.js';
import type { HealthChecks } from './health-checks.js';

/**
 * The server's health checks. `addTiercel` registers a default `HealthChecks` (made on first
 * use); an app or a test resolves it to `add` checks, or registers its own to replace it (the
 * last registration wins). The demo app and `useHealthChecks(app)` answer with it.
 */
export const HEALTH_CHECKS = token<HealthChecks>('tiercel.HealthChecks');
