// observability/: metrics and tracing for tiercel servers, through @opentelemetry/api, and a
// Prometheus text endpoint that needs no SDK. Metrics subscribe to the diagnostics_channel events
// the lower layers publish (connection/diagnostics.ts, protocols/http/http-diagnostics.ts);
// tracing is request middleware. Not re-exported by the package root: `tiercel/observability`.
export { ServerMetrics, transportTag, DURATION_BUCKETS, CONNECTION_DURATION_BUCKETS, type MetricsOptions, type MetricsSnapshot, type EndpointSnapshot } from './server-metrics.js';
export { dashboard, DASHBOARD_DEFAULTS, type DashboardOptions, type DashboardFrame } from './dashboard/index.js';
export { PrometheusRegistry, PROMETHEUS_CONTENT_TYPE, type Metric, type CounterSeries, type GaugeSeries, type HistogramSeries } from './prometheus.js';
export { metricsEndpoint } from './metrics-endpoint.js';
export { tracing, type TracingOptions } from './tracing.js';
