// The dependency rules of docs/ARCHITECTURE.md ("Dependency rule") as code, checked by
// layering.test.ts over every source file. The rules:
//
// - layer: a file imports only the layers its own layer's row allows (so never a higher layer,
//   and the pipeline never a protocol version: only the shared protocols/http contracts);
// - index: an import into another folder goes through that folder's index.ts, when it has one;
// - package: a third-party package or an I/O built-in is loaded only by the layers that own it;
// - version: the layers above the protocols never name an HTTP version ('HTTP/2'…) in their
//   code: they ask the exchange for what it offers, they do not branch on who offers it;
// - environment: `process.env` is read only by the composition root (di/) and by apps.
//
// An import the rules refuse but that is still there for a reason is listed in KNOWN_EXCEPTIONS,
// with the issue that removes it. An exception that no longer occurs fails the check too, so the
// list only shrinks.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { propertyReads, scanImports, stringLiterals, type ImportKind } from './import-scan.js';

export interface Layer {
  readonly name: string;
  /** Folders (ending in '/') or single files, relative to the repository root. */
  readonly paths: readonly string[];
  /** The other layers this one may import (its own files it always may). */
  readonly mayImport: readonly string[];
}

const PROTOCOLS = ['protocols/http', 'protocols/http1', 'protocols/http2', 'protocols/tls', 'protocols/proxy', 'protocols/logging', 'protocols/websocket', 'protocols/adapters', 'protocols'];
const LIBRARY = ['connection', 'transports', ...PROTOCOLS, 'pipeline', 'middleware', 'observability', 'di', 'hosting', 'package'];

/**
 * From the bottom up. A path matches its longest prefix here. `test/` is not a layer: tests may
 * reach into any file to test it, and are not checked.
 */
export const LAYERS: readonly Layer[] = [
  { name: 'connection', paths: ['connection/'], mayImport: [] },
  { name: 'transports', paths: ['transports/'], mayImport: ['connection'] },
  { name: 'protocols/http', paths: ['protocols/http/'], mayImport: ['connection'] },
  { name: 'protocols/http1', paths: ['protocols/http1/'], mayImport: ['connection', 'protocols/http'] },
  { name: 'protocols/http2', paths: ['protocols/http2/'], mayImport: ['connection', 'protocols/http'] },
  { name: 'protocols/tls', paths: ['protocols/tls/'], mayImport: ['connection'] },
  // A stream whose HTTP side is done, made a ws socket: the exchange's features, never a version.
  { name: 'protocols/websocket', paths: ['protocols/websocket/'], mayImport: ['connection', 'protocols/http'] },
  // PROXY protocol connection middleware: below TLS and HTTP, it knows neither.
  { name: 'protocols/proxy', paths: ['protocols/proxy/'], mayImport: ['connection'] },
  // Connection logging middleware: wraps whatever transport it is given, below or above TLS.
  { name: 'protocols/logging', paths: ['protocols/logging/'], mayImport: ['connection'] },
  {
    // The files beside the protocol folders: the HTTP terminal (http-connection.ts, picks a
    // version by ALPN, read from TlsFeature, or by sniffing), http-adapters.ts, protocol-sniff.ts.
    name: 'protocols/adapters',
    paths: ['protocols/'],
    mayImport: ['connection', 'protocols/http', 'protocols/http1', 'protocols/http2'],
  },
  // The public face of every protocol folder.
  { name: 'protocols', paths: ['protocols/index.ts'], mayImport: ['connection', ...PROTOCOLS] },
  { name: 'pipeline', paths: ['pipeline/'], mayImport: ['connection', 'protocols/http', 'protocols/websocket'] },
  // Request middleware shipped with tiercel: on the pipeline and the shared HTTP contracts, never a version.
  { name: 'middleware', paths: ['middleware/'], mayImport: ['connection', 'protocols/http', 'pipeline'] },
  // Metrics (diagnostics_channel subscribers) and tracing (request middleware) over OpenTelemetry's
  // API: they read the events and contracts below, never a protocol version.
  { name: 'observability', paths: ['observability/'], mayImport: ['connection', 'protocols/http', 'pipeline'] },
  // The composition root registers the services every server offers: the health checks (middleware/health) among them.
  { name: 'di', paths: ['di/'], mayImport: ['connection', 'transports', ...PROTOCOLS, 'middleware'] },
  { name: 'hosting', paths: ['hosting/'], mayImport: LIBRARY },
  // The package's root entry point re-exports every layer.
  { name: 'package', paths: ['index.ts'], mayImport: LIBRARY },
  // Apps and tools built on the library: anything, through its public faces.
  { name: 'examples', paths: ['examples/'], mayImport: LIBRARY },
  // The fuzzers share the conformance-corpus locator with the tests (test/support/shared.ts).
  { name: 'fuzz', paths: ['fuzz/'], mayImport: [...LIBRARY, 'test'] },
  // The benchmarks import the built dist/ or bundle/ (a dist/x.js or bundle/x.js is checked as x.ts); the flood soak
  // (bench/soak/floods.mjs) runs the long variants of the flood tests (test/soak/).
  { name: 'bench', paths: ['bench/'], mayImport: [...LIBRARY, 'test'] },
  { name: 'test', paths: ['test/'], mayImport: [] },
];

/**
 * Modules only some layers may load: each third-party package (tsyringe and reflect-metadata
 * aside, which every layer may use), and the Node built-ins that do I/O for one layer. A package
 * missing here is refused everywhere until its owners are named. A type-only import of a Node
 * built-in is allowed anywhere (a contract may name `Socket`); apps (examples, fuzz, bench) may
 * load anything.
 */
export const MODULE_OWNERS: Readonly<Record<string, readonly string[]>> = {
  // protocols/websocket makes the sockets (the pipeline names ws's types only); hosting's demo app
  // and TestServer's client use ws too.
  ws: ['protocols/websocket', 'pipeline', 'hosting'],
  // Loaded only when a development certificate is made (a dynamic import: no start-up cost).
  selfsigned: ['protocols/tls'],
  // The ACME protocol (RFC 8555) for automatic HTTPS; loaded with the first order (a dynamic import).
  'acme-client': ['protocols/tls'],
  // TestServer's fetch, loaded on first use.
  undici: ['hosting'],
  // The PROXY protocol uses BlockList (trusted sources) and SocketAddress (address text), no I/O;
  // the forwarded-headers middleware isIP (a forwarded address is checked before it is believed).
  'node:net': ['transports', 'protocols/proxy', 'middleware'],
  // Whom to trust for forwarded headers (addresses, CIDR ranges): what express uses.
  'proxy-addr': ['middleware'],
  // Accept-Encoding with q-values, for response compression and precompressed static files.
  negotiator: ['middleware'],
  // The router's radix tree (fastify's) and the Cookie header parser / Set-Cookie serializer.
  'find-my-way': ['middleware'],
  cookie: ['middleware'],
  'node:tls': ['protocols/tls'],
  'node:http2': ['protocols/http2'],
  // The metrics and tracing API (a no-op until the app registers an SDK); only observability/ loads it,
  // so a server without metrics does not.
  '@opentelemetry/api': ['observability'],
};
const ANY_LAYER_PACKAGES = new Set(['tsyringe', 'reflect-metadata']);
const APPS = new Set(['examples', 'fuzz', 'bench']);

/** Protocol names as HttpExchange.protocol gives them; a string literal equal to one is a branch on the version. */
export const VERSION_NAMES: readonly string[] = ['HTTP/1.0', 'HTTP/1.1', 'HTTP/2'];
/** Layers that must not name a version (hosting may: it configures them; apps may). */
export const VERSION_BLIND_LAYERS: readonly string[] = ['pipeline', 'middleware', 'observability'];

/** The layers that may read `process.env`: the composition root, and apps. */
export const ENVIRONMENT_READERS: readonly string[] = ['di', 'examples', 'fuzz', 'bench'];

/** Folders the check reads (and the root index.ts); the layers' source. */
export const SOURCE_ROOTS = ['index.ts', 'connection', 'transports', 'protocols', 'pipeline', 'middleware', 'observability', 'di', 'hosting', 'examples', 'fuzz', 'bench'];

export type RuleName = 'layer' | 'index' | 'package' | 'version' | 'environment' | 'unresolved';

export interface Violation {
  readonly rule: RuleName;
  /** Importing file, relative to the root. */
  readonly from: string;
  readonly line: number;
  /** The import's specifier, or the string literal naming a version. */
  readonly specifier: string;
  /** The imported file (relative to the root) or package, or the version named. */
  readonly to: string;
  readonly message: string;
}

export interface KnownException {
  readonly rule: RuleName;
  readonly from: string;
  readonly to: string;
  /** Why it is still there, and the issue that removes it. */
  readonly reason: string;
}

/** What the rules refuse and stays for now; each removed by the issue it names. */
export const KNOWN_EXCEPTIONS: readonly KnownException[] = [];

/** Deep imports allowed for good: the target is shared, but deliberately not in its folder's public face. */
export const ALLOWED_DEEP_IMPORTS: readonly { readonly from: string; readonly to: string; readonly reason: string }[] = [
  {
    from: '',
    to: 'connection/tsyringe.ts',
    reason:
      'tsyringe and reflect-metadata, loaded once with require() (~85 ms less start-up than importing CommonJS as ES modules); ' +
      "every layer's decorators come from there, and the container is not part of connection/'s public face",
  },
  {
    from: 'bench/',
    to: 'hosting/demo-app.ts',
    reason: 'the benchmarks measure what `tiercel serve` serves; the demo app is not part of the API',
  },
  {
    from: 'bench/',
    to: 'hosting/demo-big-document.ts',
    reason: "the demo's /big.json document with no imports, so the fastify server serves it without loading tiercel",
  },
  {
    from: 'protocols/http-',
    to: 'protocols/http2/http2-preface.ts',
    reason:
      'the HTTP terminal sniffs the HTTP/2 preface and refuses a client without it using the preface bytes alone; ' +
      'http2/index.ts loads node:http2, which Http2Adapter imports on the first HTTP/2 connection (issue 11, start-up)',
  },
  {
    from: 'di/',
    to: 'protocols/http-adapters.ts',
    reason: 'protocols/index.ts re-exports HTTP/2 and node:http2 with it; the composition root registers the adapters, which load HTTP/2 on demand (issue 11)',
  },
  {
    from: 'hosting/',
    to: 'protocols/http-connection.ts',
    reason: 'protocols/index.ts re-exports HTTP/2 and node:http2 with it; hosting builds the HTTP terminal, which loads HTTP/2 on demand (issue 11)',
  },
  ...['di/', 'hosting/'].map((from) => ({
    from,
    to: 'protocols/tls/configuration.ts',
    reason:
      "TLS's options, certificate providers and tokens without node:tls and node:crypto (tls/index.ts adds httpsMiddleware, " +
      'which loads them); hosting imports the middleware when the first HTTPS endpoint is built (issue 11, start-up)',
  })),
  {
    from: 'hosting/configuration/',
    to: 'pipeline/web-socket-options.ts',
    reason:
      "the configuration checks and registers the WebSocket options (limits.webSockets); pipeline/index.ts would load the whole " +
      'pipeline and protocols/websocket with `tiercel/hosting`, which loads neither until an app is built (start-up, issue 11)',
  },
  ...['observability/server-metrics.ts', 'observability/metrics-endpoint.ts', 'observability/dashboard/dashboard-options.ts'].map((to) => ({
    from: 'hosting/',
    to,
    reason:
      "observability/index.ts re-exports tracing (@opentelemetry/api) and the dashboard with its page: `tiercel serve`'s demo app " +
      'needs the metrics, the /metrics handler and the check of the dashboard options at start, the dashboard itself at its first viewer (issue 11, start-up)',
  })),
  {
    from: 'middleware/health/',
    to: 'pipeline/http-error.ts',
    reason:
      "the health checks answer 405 with an HttpError; HEALTH_CHECKS is one of every container's defaults, so pipeline/index.ts " +
      "would load the whole pipeline with 'tiercel/hosting', before any app is built (issue 11, start-up)",
  },
  {
    from: 'hosting/configuration/',
    to: 'protocols/proxy/proxy-protocol-options.ts',
    reason:
      "the configuration checks each endpoint's proxyProtocol options when it is loaded; protocols/proxy/index.ts adds the v1 and v2 " +
      'parsers, which load only for an endpoint that uses them (issue 11, start-up)',
  },
  {
    from: 'protocols/http1/',
    to: 'protocols/http/header-chars.ts',
    reason:
      "the parser's byte tables (tchar, field-vchar) are shared with the HTTP layer's validators; " +
      'they are writable Uint8Arrays, so the index exports only the functions over them',
  },
];

export function layerOf(path: string): Layer | undefined {
  let best: Layer | undefined;
  let bestLength = -1;
  for (const layer of LAYERS) {
    for (const p of layer.paths) {
      const match = p.endsWith('/') ? path.startsWith(p) : path === p;
      if (match && p.length > bestLength) {
        best = layer;
        bestLength = p.length;
      }
    }
  }
  return best;
}

const SOURCE_FILE = /\.(ts|mts|mjs|js)$/;

/** Every source file under the roots, relative path → text (declaration files and node_modules left out). */
export function readSourceTree(root: string, roots: readonly string[] = SOURCE_ROOTS): Map<string, string> {
  const files = new Map<string, string>();
  const visit = (relative: string): void => {
    const full = join(root, relative);
    if (!existsSync(full)) return;
    if (SOURCE_FILE.test(relative)) {
      if (!relative.endsWith('.d.ts')) files.set(relative, readFileSync(full, 'utf8'));
      return;
    }
    for (const entry of readdirSync(full, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const child = posix.join(relative, entry.name);
      if (entry.isDirectory()) visit(child);
      else if (SOURCE_FILE.test(entry.name) && !entry.name.endsWith('.d.ts')) files.set(child, readFileSync(join(root, child), 'utf8'));
    }
  };
  for (const r of roots) visit(r);
  return files;
}

/**
 * The file a relative specifier names: `./x.js` is `x.ts` when that exists (TypeScript's NodeNext
 * convention), and `dist/x.js` (tsc's) or `bundle/x.js` (the esbuild bundle's entry) is the source
 * `x.ts` it is built from.
 */
function resolveRelative(from: string, specifier: string, exists: (path: string) => boolean): string | undefined {
  let path = posix.normalize(posix.join(posix.dirname(from), specifier));
  if (path.startsWith('dist/')) path = path.slice('dist/'.length);
  else if (path.startsWith('bundle/')) path = path.slice('bundle/'.length);
  const candidates = [path, path.replace(/\.js$/, '.ts'), path.replace(/\.mjs$/, '.mts')];
  return candidates.find(exists);
}

/** `ws`, `@scope/name`, `node:fs` (for `node:fs/promises` too). */
function moduleName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

interface ImportEdge {
  readonly from: string;
  readonly line: number;
  readonly specifier: string;
  readonly kind: ImportKind;
}

function edgeViolations(edge: ImportEdge, files: ReadonlyMap<string, string>, exists: (path: string) => boolean): Violation[] {
  const { from, line, specifier } = edge;
  const at = (rule: RuleName, to: string, message: string): Violation => ({ rule, from, line, specifier, to, message });
  const source = layerOf(from);
  if (source === undefined) return [];
  if (!specifier.startsWith('.')) {
    const name = moduleName(specifier);
    const builtin = name.startsWith('node:');
    if (APPS.has(source.name) || ANY_LAYER_PACKAGES.has(name) || (builtin && edge.kind === 'type')) return [];
    const owners = MODULE_OWNERS[name];
    if (owners === undefined) {
      if (builtin) return [];
      return [at('package', name, `${name} has no owner layer in MODULE_OWNERS (test/architecture/layering.ts): name the layers that may load it`)];
    }
    if (owners.includes(source.name)) return [];
    return [at('package', name, `${source.name} may not load ${name} (only ${owners.join(', ')})`)];
  }
  const to = resolveRelative(from, specifier, exists);
  if (to === undefined) return [at('unresolved', specifier, `cannot find the file '${specifier}' names`)];
  const target = layerOf(to);
  const found: Violation[] = [];
  if (target !== undefined && target !== source && !source.mayImport.includes(target.name)) {
    const allowed = source.mayImport.length === 0 ? 'nothing of tiercel' : source.mayImport.join(', ');
    found.push(at('layer', to, `${source.name} may not import ${target.name} (${to}); it may import ${allowed}`));
  }
  // A folder's files are its own and its subfolders'; another folder is entered through its index.ts.
  const fromDir = posix.dirname(from);
  const toDir = posix.dirname(to);
  const inside = toDir === '.' || fromDir === toDir || fromDir.startsWith(`${toDir}/`);
  const hasIndex = files.has(`${toDir}/index.ts`);
  const allowedDeep = ALLOWED_DEEP_IMPORTS.some((a) => from.startsWith(a.from) && to === a.to);
  if (!inside && hasIndex && posix.basename(to) !== 'index.ts' && !allowedDeep) {
    found.push(at('index', to, `${from} imports ${to} past ${toDir}/index.ts; import '${posix.relative(fromDir, toDir) || '.'}/index.js' (export it there if it is public)`));
  }
  return found;
}

export interface CheckOptions {
  /** Imports the rules refuse and that stay for now (default KNOWN_EXCEPTIONS). */
  readonly exceptions?: readonly KnownException[];
  /**
   * Whether a file outside `files` exists (an import of test/support from fuzz/); by default
   * only the files given exist.
   */
  readonly exists?: (path: string) => boolean;
}

/** Every import in `files` that breaks a rule, known exceptions included. */
export function findViolations(files: ReadonlyMap<string, string>, exists?: (path: string) => boolean): Violation[] {
  const isFile = (path: string): boolean => files.has(path) || (exists?.(path) ?? false);
  const violations: Violation[] = [];
  for (const [from, text] of files) {
    for (const site of scanImports(text)) violations.push(...edgeViolations({ from, ...site }, files, isFile));
    const layer = layerOf(from);
    if (layer === undefined) continue;
    if (!ENVIRONMENT_READERS.includes(layer.name)) {
      for (const line of propertyReads(text, 'process', 'env')) {
        const message = `${layer.name} reads process.env: configuration comes from the composition root (di/ readEnvironment, the ENVIRONMENT token)`;
        violations.push({ rule: 'environment', from, line, specifier: 'process.env', to: 'process.env', message });
      }
    }
    if (!VERSION_BLIND_LAYERS.includes(layer.name)) continue;
    for (const { text: literal, line } of stringLiterals(text)) {
      if (!VERSION_NAMES.includes(literal)) continue;
      const message = `${layer.name} names the protocol version '${literal}': ask the exchange for a feature instead of branching on the version`;
      violations.push({ rule: 'version', from, line, specifier: literal, to: literal, message });
    }
  }
  return violations;
}

export interface LayeringReport {
  /** Violations that are not known exceptions: each fails the check. */
  readonly violations: readonly Violation[];
  /** Known exceptions that no longer occur: remove them from the list. */
  readonly staleExceptions: readonly KnownException[];
}

const matches = (e: KnownException, v: Violation): boolean => e.rule === v.rule && e.from === v.from && e.to === v.to;

/** Checks `files` (relative path → source text) against the rules. */
export function checkLayering(files: ReadonlyMap<string, string>, options: CheckOptions = {}): LayeringReport {
  const exceptions = options.exceptions ?? KNOWN_EXCEPTIONS;
  const all = findViolations(files, options.exists);
  return {
    violations: all.filter((v) => !exceptions.some((e) => matches(e, v))),
    staleExceptions: exceptions.filter((e) => !all.some((v) => matches(e, v))),
  };
}

export function formatViolation(v: Violation): string {
  return `${v.from}:${v.line} [${v.rule}] ${v.message}`;
}
