// observability/dashboard/: the opt-in live page (`dashboard()`), fed over a WebSocket from
// ServerMetrics.snapshot(). Off unless an app mounts it.
export { dashboard } from './dashboard.js';
export { DASHBOARD_DEFAULTS, type DashboardOptions } from './dashboard-options.js';
export type { DashboardFrame } from './dashboard-frame.js';
