import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';

// @opentelemetry/api is CommonJS: required when the first ServerMetrics or tracing() is made, not
// imported. An ES `import` of CommonJS runs Node's export lexer over the package's index and every
// file it re-exports; with the middleware's CommonJS packages (find-my-way, negotiator, cookie,
// proxy-addr) that cost the demo server ~5 MiB of RSS at start, used or not. The observability
// chunk is loaded by any app that imports 'tiercel/observability', and by the demo app.
const require = createRequire(import.meta.url);
let api: typeof OtelApi | undefined;

/** The OpenTelemetry API (the one instance an app's own `import '@opentelemetry/api'` gets too). */
export function otelApi(): typeof OtelApi {
  return (api ??= require('@opentelemetry/api') as typeof OtelApi);
}
