// What `tiercel serve` runs where a server is built (one process, or each worker of a cluster):
// the server and its app. cli.ts imports this module only then, so parsing the command line,
// checking the configuration and a cluster's primary load none of it (issue 11, start-up).
import { pathToFileURL } from 'node:url';
import { resolve as resolvePath } from 'node:path';
import { ApplicationBuilder } from '../pipeline/index.js';
import { Server, type HttpApplicationSource } from './server.js';
import { demoApp } from './demo-app.js';
import { resolve } from '../di/index.js';
import { ConfigurationError, type ResolvedConfiguration } from './configuration/index.js';
// The two folders the CLI needs, not middleware/index.ts and observability/index.ts, which would
// load every middleware and the dashboard's page before the server listens.
import { forwardedHeaders } from '../middleware/forwarded/index.js';
import { HEALTH_CHECKS } from '../middleware/health/index.js';
import { ServerMetrics } from '../observability/server-metrics.js';

export interface CliApp {
  /** The app module given on the command line; without one, the demo app. */
  readonly module: string | undefined;
  /** `--dashboard`: the demo app's live dashboard. */
  readonly dashboard: boolean;
  /** The CLI's usage error: prints the message and the usage, and exits with code 2. */
  readonly fail: (message: string) => never;
}

/** The server `tiercel serve` runs: the configuration's, serving the app module or the demo app. */
export async function serverFor(configuration: ResolvedConfiguration, cli: CliApp): Promise<Server> {
  const server = Server.fromConfig(configuration);
  server.useHttp(await loadApp(server, configuration, cli));
  return server;
}

/**
 * The app, on a builder that starts with what the configuration puts in front of it (the
 * forwarded-headers middleware) and whose container is the server's (its `HEALTH_CHECKS`).
 */
async function loadApp(server: Server, configuration: ResolvedConfiguration, { module, dashboard, fail }: CliApp): Promise<HttpApplicationSource> {
  const root = (): ApplicationBuilder => {
    const app = new ApplicationBuilder(server.services);
    if (configuration.forwardedHeaders !== undefined) app.use(forwardedHeaders(configuration.forwardedHeaders));
    return app;
  };
  // The demo serves its metrics at /metrics (Prometheus text; OpenTelemetry too if an SDK is set up).
  if (module === undefined) return demoApp(root(), { metrics: new ServerMetrics(), health: resolve(server.services, HEALTH_CHECKS), dashboard });
  const url = pathToFileURL(resolvePath(module)).href;
  const loaded = (await import(url)) as { default?: unknown };
  const exported = loaded.default;
  if (typeof exported === 'function') {
    const app = root();
    await (exported as (app: ApplicationBuilder) => unknown)(app);
    return app;
  }
  // A built app cannot take a middleware in front of it: refusing beats serving without what the file asks for.
  if (configuration.forwardedHeaders !== undefined) {
    throw new ConfigurationError('forwardedHeaders', `needs an app module that exports a function (app) => void, which tiercel calls after adding forwardedHeaders(); ${module} exports a built app`);
  }
  if (exported instanceof ApplicationBuilder) return exported;
  if (typeof exported === 'object' && exported !== null && typeof (exported as { handle?: unknown }).handle === 'function') {
    return exported as HttpApplicationSource;
  }
  return fail(`${module} must export default an ApplicationBuilder, an HttpApplication, or a function (app) => void`);
}
