#!/usr/bin/env node
import '../connection/tsyringe.js';
import { pathToFileURL } from 'node:url';
import { resolve as resolvePath } from 'node:path';
import { readFileSync } from 'node:fs';
import { ApplicationBuilder } from '../pipeline/index.js';
import { Server, type HttpApplicationSource } from './server.js';
import { demoApp } from './demo-app.js';
import { CERTIFICATE_PROVIDER, StaticCertificateProvider, ensureDevCertificate } from '../protocols/tls/configuration.js';
import { ConsoleLogger, type LogFormat, type LogLevel, type LogLevels } from '../connection/index.js';
import { ENVIRONMENT, SERVER_OPTIONS, logFormatOf, readEnvironment, resolve } from '../di/index.js';
import { stopOnSignals } from './stop-on-signals.js';

const USAGE = `Usage: tiercel serve [app-module] [--urls <url;url…>] [--log-level <level>] [--log-format json|text]
       tiercel dev-certs [--dir <folder>]

  app-module   a module whose default export is an ApplicationBuilder, an HttpApplication
               ({ handle(exchange) }), or a function (app: ApplicationBuilder) => void.
               Without one, tiercel serves its demo app.
  --urls       semicolon-separated listen URLs (default: $TIERCEL_URLS, else http://localhost:5000):
               http://127.0.0.1:5000, http://[::1]:0, http://*:8080, http://unix:/run/app.sock
  --log-level  debug | info | warn | error | silent (default: info), or per category:
               info,tiercel.bad-requests=debug (see docs/logging.md)
  --log-format json (one JSON object per line) | text (default: json when NODE_ENV=production)
  --cert, --key  PEM certificate (with its chain) and key files for the https:// URLs; without
               them https:// URLs use the development certificate unless NODE_ENV=production.

  dev-certs    writes a self-signed certificate for localhost (127.0.0.1, ::1) to --dir
               (default: $TIERCEL_DEV_CERT_DIR, else ~/.tiercel/dev-cert), or reuses a valid one.

  tiercel --version | --help`;

interface Args {
  command?: string;
  module?: string;
  urls?: string;
  logLevel?: string;
  logFormat?: string;
  dir?: string;
  cert?: string;
  key?: string;
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
    else if (a === '--urls' || a.startsWith('--urls=')) args.urls = value();
    else if (a === '--log-level' || a.startsWith('--log-level=')) args.logLevel = value();
    else if (a === '--log-format' || a.startsWith('--log-format=')) args.logFormat = value();
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

/** `info` or `info,tiercel.bad-requests=debug`: a default, then `category=level` pairs; checked by the server's options. */
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

async function loadApp(module: string | undefined): Promise<HttpApplicationSource> {
  if (module === undefined) return demoApp();
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

async function serve(args: Args): Promise<void> {
  let server: Server;
  try {
    server = new Server({ logLevel: parseLogLevels(args.logLevel ?? 'info'), logFormat: (args.logFormat ?? 'auto') as LogFormat });
  } catch (err) {
    // A bad --log-level or --log-format: the option's own sentence, then the usage.
    fail((err as Error).message);
  }
  const urls = (args.urls ?? resolve(server.services, ENVIRONMENT).urls ?? 'http://localhost:5000')
    .split(';')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
  if (urls.length === 0) fail('no URLs to listen on');
  server.useHttp(await loadApp(args.module));
  if ((args.cert === undefined) !== (args.key === undefined)) fail('--cert and --key go together');
  if (args.cert !== undefined) {
    // The files serve every https:// URL, production included; without them the development certificate does.
    const files = new StaticCertificateProvider({ certFile: resolvePath(args.cert), keyFile: resolvePath(args.key!) });
    server.services.register(CERTIFICATE_PROVIDER, { useValue: files });
  }
  for (const url of urls) server.listen(url);
  await server.start();
  const serving = `tiercel: serving ${args.module ?? 'the demo app'} on ${server.urls.join(', ')} (Ctrl-C stops)`;
  // In JSON, stdout holds records only: this line is one too, at any level.
  if (logFormatOf(resolve(server.services, SERVER_OPTIONS), resolve(server.services, ENVIRONMENT)) === 'json') {
    new ConsoleLogger('info', 'tiercel.cli', { format: 'json' }).info(serving);
  } else {
    console.log(serving);
  }
  stopOnSignals(server);
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
