#!/usr/bin/env node
import '../connection/tsyringe.js';
import { pathToFileURL } from 'node:url';
import { resolve as resolvePath } from 'node:path';
import { readFileSync } from 'node:fs';
import { ApplicationBuilder } from '../pipeline/index.js';
import { Server, type HttpApplicationSource } from './server.js';
import { demoApp } from './demo-app.js';
import { ensureDevCertificate } from '../protocols/tls/configuration.js';
import { readEnvironment } from '../di/index.js';
import type { LogLevel } from '../connection/index.js';
import { loadConfiguration, urlEndpoints, type ConfigurationSources, type TiercelConfiguration } from './configuration/index.js';
import { ServerMetrics } from '../observability/index.js';
import { stopOnSignals } from './stop-on-signals.js';

const USAGE = `Usage: tiercel serve [app-module] [--config <file>] [--watch-config] [--urls <url;url…>]
                     [--log-level <level>] [--cert <file> --key <file>] [--dashboard]
       tiercel dev-certs [--dir <folder>]

  app-module   a module whose default export is an ApplicationBuilder, an HttpApplication
               ({ handle(exchange) }), or a function (app: ApplicationBuilder) => void.
               Without one, tiercel serves its demo app (its metrics at GET /metrics).
  --config     a JSON configuration file: endpoints, certificates, limits, shutdownTimeoutMs,
               logLevel, workers (see the README's "Configuration"). Precedence: the command
               line > the environment > the file > the defaults.
  --watch-config  apply changes to the --config file without a restart (reloadOnChange).
  --urls       semicolon-separated listen URLs, replacing every other source's endpoints:
               http://127.0.0.1:5000, http://[::1]:0, http://*:8080, http://unix:/run/app.sock
               Without --urls: $TIERCEL_URLS, else $TIERCEL_HTTP_PORTS/$TIERCEL_HTTPS_PORTS
               (ports on all addresses), else $PORT (http://*:$PORT), else the file's endpoints,
               else http://localhost:5000.
  --log-level  debug | info | warn | error | silent (default: info)
  --cert, --key  PEM certificate (with its chain) and key files for the https:// endpoints that
               name no certificate (the configuration's certificate "default"); without them
               such endpoints use the development certificate unless NODE_ENV=production.

  --dashboard  the demo app's live dashboard at /_tiercel (answers loopback peers only).

  dev-certs    writes a self-signed certificate for localhost (127.0.0.1, ::1) to --dir
               (default: $TIERCEL_DEV_CERT_DIR, else ~/.tiercel/dev-cert), or reuses a valid one.

  tiercel --version | --help`;

/** The command line as given (the parse step); `serveConfiguration` turns it into configuration (the resolve step). */
interface Args {
  command?: string;
  module?: string;
  config?: string;
  watchConfig?: boolean;
  urls?: string;
  logLevel?: string;
  dir?: string;
  cert?: string;
  key?: string;
  dashboard?: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    if (a === '--help' || a === '-h') args.command = 'help';
    else if (a === '--version' || a === '-v') args.command = 'version';
    else if (a === '--config' || a.startsWith('--config=')) args.config = value();
    else if (a === '--watch-config') args.watchConfig = true;
    else if (a === '--dashboard') args.dashboard = true;
    else if (a === '--urls' || a.startsWith('--urls=')) args.urls = value();
    else if (a === '--log-level' || a.startsWith('--log-level=')) args.logLevel = value();
    else if (a === '--dir' || a.startsWith('--dir=')) args.dir = value();
    else if (a === '--cert' || a.startsWith('--cert=')) args.cert = value();
    else if (a === '--key' || a.startsWith('--key=')) args.key = value();
    else if (a.startsWith('-')) fail(`unknown option ${a}`);
    else if (args.command === undefined) args.command = a;
    else if (args.module === undefined) args.module = a;
    else fail(`unexpected argument ${a}`);
  }
  return args;
}

function fail(message: string): never {
  console.error(`tiercel: ${message}\n\n${USAGE}`);
  process.exit(2);
}

async function loadApp(module: string | undefined, withDashboard: boolean): Promise<HttpApplicationSource> {
  // The demo serves its metrics at /metrics (Prometheus text; OpenTelemetry too if an SDK is set up).
  if (module === undefined) return demoApp(undefined, { metrics: new ServerMetrics(), dashboard: withDashboard });
  // An app of the user's mounts dashboard() itself, where and for whom it chooses.
  if (withDashboard) fail('--dashboard is for the demo app; an app mounts dashboard() from tiercel/observability');
  const url = pathToFileURL(resolvePath(module)).href;
  const loaded = (await import(url)) as { default?: unknown };
  const exported = loaded.default;
  if (exported instanceof ApplicationBuilder) return exported;
  if (typeof exported === 'object' && exported !== null && typeof (exported as { handle?: unknown }).handle === 'function') {
    return exported as HttpApplicationSource;
  }
  if (typeof exported === 'function') {
    const app = new ApplicationBuilder();
    await (exported as (app: ApplicationBuilder) => unknown)(app);
    return app;
  }
  fail(`${module} must export default an ApplicationBuilder, an HttpApplication, or a function (app) => void`);
}

/** The resolve step: what the command line says, as a configuration source over the file and the environment. */
function serveConfiguration(args: Args): ConfigurationSources {
  if ((args.cert === undefined) !== (args.key === undefined)) fail('--cert and --key go together');
  if (args.watchConfig === true && args.config === undefined) fail('--watch-config needs --config <file>');
  const commandLine: TiercelConfiguration = {};
  if (args.urls !== undefined) commandLine.endpoints = urlEndpoints('--urls', args.urls);
  if (args.logLevel !== undefined) commandLine.logLevel = args.logLevel as LogLevel;
  // The files serve every https:// endpoint that names no certificate, production included.
  if (args.cert !== undefined) commandLine.certificates = { default: { certFile: resolvePath(args.cert), keyFile: resolvePath(args.key!) } };
  if (args.watchConfig === true) commandLine.reloadOnChange = true;
  return { file: args.config, commandLine };
}

async function serve(args: Args): Promise<void> {
  const configuration = loadConfiguration(serveConfiguration(args));
  const server = Server.fromConfig(configuration);
  server.useHttp(await loadApp(args.module, args.dashboard === true));
  await server.start();
  // The handlers go in before the line that says Ctrl-C works: a signal between the two would kill the process at once.
  stopOnSignals(server);
  console.log(`tiercel: serving ${args.module ?? 'the demo app'} on ${server.urls.join(', ')} (Ctrl-C stops)`);
}

async function devCerts(args: Args): Promise<void> {
  const dir = args.dir === undefined ? readEnvironment().devCertDir : resolvePath(args.dir);
  const cert = await ensureDevCertificate(dir === undefined ? {} : { dir });
  console.log(`tiercel: ${cert.created ? 'created' : 'reusing'} the development certificate for localhost
  certificate: ${cert.certFile}
  key:         ${cert.keyFile} (owner-only)
Trust it where you test: curl --cacert ${cert.certFile} https://localhost:5001/ ;
Node: NODE_EXTRA_CA_CERTS=${cert.certFile} ; browsers: import it as a trusted authority.
It is for development only: tiercel does not use it when NODE_ENV=production.`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  switch (args.command) {
    case 'serve':
      return serve(args);
    case 'dev-certs':
      return devCerts(args);
    case 'version': {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
      console.log(pkg.version);
      return;
    }
    case 'help':
    case undefined:
      console.log(USAGE);
      return;
    default:
      fail(`unknown command '${args.command}'`);
  }
}

main().catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  console.error(`tiercel: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}`);
  process.exit(1);
});
