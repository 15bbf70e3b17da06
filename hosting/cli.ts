#!/usr/bin/env node
import '../connection/tsyringe.js';
import { resolve as resolvePath } from 'node:path';
import { readFileSync } from 'node:fs';
import { ensureDevCertificate } from '../protocols/tls/configuration.js';
import { readEnvironment } from '../di/index.js';
import { ConsoleLogger, type LogFormat, type LogLevel, type LogLevels } from '../connection/index.js';
import { ConfigurationError, loadConfiguration, urlEndpoints, type ConfigurationSources, type TiercelConfiguration } from './configuration/index.js';
import { runClustered } from './cluster-host.js';
import type { Server } from './server.js';

const USAGE = `Usage: tiercel serve [app-module] [--config <file>] [--watch-config] [--urls <url;url…>]
                     [--log-level <level>] [--log-format json|text] [--workers <n|auto>]
                     [--cert <file> --key <file>] [--dashboard]
       tiercel dev-certs [--dir <folder>]

  app-module   a module whose default export is an ApplicationBuilder, an HttpApplication
               ({ handle(exchange) }), or a function (app: ApplicationBuilder) => void.
               Without one, tiercel serves its demo app (its metrics at GET /metrics).
  --config     a JSON configuration file: endpoints, certificates, limits, shutdownTimeoutMs,
               logLevel, workers, forwardedHeaders, health, and per endpoint proxyProtocol
               (see the README's "Configuration"). Precedence: the command
               line > the environment > the file > the defaults.
  --watch-config  apply changes to the --config file without a restart (reloadOnChange).
  --urls       semicolon-separated listen URLs, replacing every other source's endpoints:
               http://127.0.0.1:5000, http://[::1]:0, http://*:8080, http://unix:/run/app.sock
               http://fd:3, https://fd:web (a socket systemd passed, by number or name)
               Without --urls: $TIERCEL_URLS, else every socket systemd passed (LISTEN_FDS)
               as http://fd:N, else $TIERCEL_HTTP_PORTS/$TIERCEL_HTTPS_PORTS
               (ports on all addresses), else $PORT (http://*:$PORT), else the file's endpoints,
               else http://localhost:5000.
  --log-level  debug | info | warn | error | silent (default: info), or per category:
               info,tiercel.bad-requests=debug (see docs/logging.md)
  --log-format json (one JSON object per line) | text (default: json when NODE_ENV=production)
  --workers    processes serving the endpoints, sharing their sockets (default: the configuration's
               workers, else auto: the number of cores); 1 serves from this one process. SIGHUP
               replaces the workers one by one.
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
  logFormat?: string;
  dir?: string;
  cert?: string;
  key?: string;
  workers?: string;
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
    else if (a === '--log-format' || a.startsWith('--log-format=')) args.logFormat = value();
    else if (a === '--dir' || a.startsWith('--dir=')) args.dir = value();
    else if (a === '--cert' || a.startsWith('--cert=')) args.cert = value();
    else if (a === '--key' || a.startsWith('--key=')) args.key = value();
    else if (a === '--workers' || a.startsWith('--workers=')) args.workers = value();
    else if (a.startsWith('-')) fail(`unknown option ${a}`);
    else if (args.command === undefined) args.command = a;
    else if (args.module === undefined) args.module = a;
    else fail(`unexpected argument ${a}`);
  }
  return args;
}

/** `info` or `info,tiercel.bad-requests=debug`: a default, then `category=level` pairs; checked by the server's options. */
/** The cluster primary's own level (category `tiercel.cluster`). */
function primaryLevel(levels: LogLevels): LogLevel {
  return typeof levels === 'string' ? levels : levels['tiercel.cluster'] ?? levels.default ?? 'info';
}

function parseLogLevels(text: string): LogLevels {
  if (!text.includes('=')) return text as LogLevel;
  const levels: Record<string, LogLevel> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) levels.default = part.trim() as LogLevel;
    else levels[part.slice(0, eq).trim()] = part.slice(eq + 1).trim() as LogLevel;
  }
  return levels;
}

function fail(message: string): never {
  console.error(`tiercel: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/** The resolve step: what the command line says, as a configuration source over the file and the environment. */
function serveConfiguration(args: Args): ConfigurationSources {
  if ((args.cert === undefined) !== (args.key === undefined)) fail('--cert and --key go together');
  if (args.watchConfig === true && args.config === undefined) fail('--watch-config needs --config <file>');
  const commandLine: TiercelConfiguration = {};
  if (args.urls !== undefined) commandLine.endpoints = urlEndpoints('--urls', args.urls);
  if (args.logLevel !== undefined) commandLine.logLevel = parseLogLevels(args.logLevel);
  if (args.logFormat !== undefined) commandLine.logFormat = args.logFormat as LogFormat;
  // The files serve every https:// endpoint that names no certificate, production included.
  if (args.cert !== undefined) commandLine.certificates = { default: { certFile: resolvePath(args.cert), keyFile: resolvePath(args.key!) } };
  if (args.watchConfig === true) commandLine.reloadOnChange = true;
  if (args.workers !== undefined) commandLine.workers = (args.workers === 'auto' ? 'auto' : Number(args.workers)) as never;
  return { file: args.config, commandLine };
}

async function serve(args: Args): Promise<void> {
  // An app of the user's mounts dashboard() itself, where and for whom it chooses.
  if (args.dashboard === true && args.module !== undefined) fail('--dashboard is for the demo app; an app mounts dashboard() from tiercel/observability');
  // Checked before forking: a bad file or option fails once, in the primary, with exit code 1.
  const configuration = loadConfiguration(serveConfiguration(args));
  // Sockets systemd passed belong to this process (LISTEN_PID): forked workers could not serve
  // them, so socket activation serves from one process (run one unit instance per core instead).
  const activated = configuration.sources.environment.listenFds.length > 0;
  if (activated && configuration.workers !== undefined && configuration.workers > 1) {
    throw new ConfigurationError('workers', 'must be 1 under socket activation (LISTEN_FDS): the passed sockets belong to this process, not to forked workers');
  }
  const workers = activated ? 1 : (configuration.workers ?? 'auto');
  // The primary of a cluster builds nothing: each worker runs serverFor, the whole server.
  const json = configuration.logFormat === 'json' || (configuration.logFormat === 'auto' && configuration.sources.environment.production);
  // The server, the pipeline, the app and its metrics load where one is built (one process, or each
  // worker), after the command line and the configuration were checked; a cluster's primary never
  // loads them (issue 11, start-up).
  const build = async (): Promise<Server> => (await import('./cli-app.js')).serverFor(configuration, { module: args.module, dashboard: args.dashboard === true, fail });
  const hosted = await runClustered(build, { workers, logLevel: primaryLevel(configuration.logLevel), logFormat: json ? 'json' : 'text' });
  if (hosted.role === 'worker') return;
  const urls = hosted.role === 'primary' ? hosted.host.urls : hosted.server.urls;
  const serving = `tiercel: serving ${args.module ?? 'the demo app'} on ${urls.join(', ')} (Ctrl-C stops)`;
  // In JSON, stdout holds records only: this line is one too, at any level.
  if (json) {
    new ConsoleLogger('info', 'tiercel.cli', { format: 'json' }).info(serving);
  } else {
    console.log(serving);
  }
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
