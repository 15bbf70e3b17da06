import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';

// @opentelemetry/api is CommonJS: required when the first ServerMetrics or tracing() is made, not
// imported. An ES `import` of CommonJS runs Node's export lexer over the package's index and every
// file it re-exports, which left a server that never records a metric ~2.5 MiB more RSS at start
// (the lexer's allocations, not the API's): the observability chunk is loaded by any app that
// imports from 'tiercel/observability' or the demo app.
const require = createRequire(import.meta.url);
let api: typeof OtelApi | undefined;

/** The OpenTelemetry API (the one instance an app's own `import '@opentelemetry/api'` gets too). */
export function otelApi(): typeof OtelApi {
  return (api ??= require('@opentelemetry/api') as typeof OtelApi);
}
