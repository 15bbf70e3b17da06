// tiercel as a dependency, the way a new user gets it: the packed tarball (what the registry would
// serve) and an unbuilt folder (a clone: `prepare` builds it on install) are each installed into a
// fresh npm project holding nothing else but tsyringe and reflect-metadata. That project is a
// strict TypeScript consumer (skipLibCheck false, module nodenext, no @types of its own); it
// registers an @injectable transport and a connection middleware, tests an app with TestServer,
// imports every entry point (the published code is one esbuild bundle with shared chunks: a class
// must be the same class from each) and runs under node --test, then runs the `tiercel` bin. Dependencies come from the registry through npm's cache
// (--prefer-offline: after `npm ci` they are all in it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { repoRoot } from '../support/shared.js';
import { STRICT_CONSUMER_OPTIONS, run, tsc, type Ran } from './package-support.js';

const root = repoRoot();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
// npm links a folder by default; the app takes its decorators from tiercel/di, so a linked tiercel
// and the app share one tsyringe whatever copy the link resolves (npm still runs `prepare`).
const FOLDER_FLAGS: string[] = [];

/** The consumer's own code: a transport, a connection middleware and a TestServer test. */
const SOURCES: Record<string, string> = {
  'loop-transport.ts': `import 'reflect-metadata';
import { inject, injectable } from 'tiercel/di';
import { InvalidEndpointError, formatEndpoint, isCustomEndpoint } from 'tiercel/connection';
import type { ConnectionListener, Endpoint, Logger, Transport } from 'tiercel/connection';
import { LOGGER } from 'tiercel/di';
import { MemoryTransport } from 'tiercel/transports';

/** 'loop' endpoints, served by an in-memory transport inside: a transport with a dependency. */
@injectable()
export class LoopTransport implements Transport {
  readonly name = 'loop';
  readonly inner = new MemoryTransport();
  readonly bound: string[] = [];
  constructor(@inject(LOGGER) private readonly log: Logger) {}
  canBind(endpoint: Endpoint): boolean {
    return isCustomEndpoint(endpoint, 'loop');
  }
  async bind(endpoint: Endpoint): Promise<ConnectionListener> {
    if (!isCustomEndpoint(endpoint, 'loop') || typeof endpoint.name !== 'string') {
      throw new InvalidEndpointError(formatEndpoint(endpoint), 'a loop endpoint needs a name');
    }
    this.log.debug('binding ' + endpoint.name);
    this.bound.push(endpoint.name);
    const inner = await this.inner.bind({ kind: 'memory', name: endpoint.name });
    return { endpoint, accept: () => inner.accept(), unbind: () => inner.unbind(), dispose: () => inner.dispose() };
  }
}
`,
  'app.ts': `import { ApplicationBuilder } from 'tiercel/pipeline';

export function makeApp(): ApplicationBuilder {
  return new ApplicationBuilder()
    .map('/hello', (b) => b.run((ctx) => ctx.response.json({ hello: ctx.request.query.get('name') ?? 'world' })))
    .run((ctx) => ctx.response.send('connection ' + String(ctx.items.get('tag') ?? ctx.connection.id)));
}
`,
  'app.test.ts': `import 'reflect-metadata';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server, TestServer } from 'tiercel/hosting';
import { makeApp } from './app.js';
import { LoopTransport } from './loop-transport.js';

test('TestServer serves the app in memory', async () => {
  const ts = await TestServer.start(makeApp());
  try {
    const res = await ts.fetch('/hello?name=consumer');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { hello: 'consumer' });
  } finally {
    await ts.stop();
  }
});

test('an @injectable transport and a connection middleware, resolved from the server container', async () => {
  const server = new Server({ logLevel: 'warn' });
  server.addTransport(LoopTransport);
  const seen: string[] = [];
  server.useHttp(makeApp());
  server.listen({ kind: 'loop', name: 'a' }, (ep) =>
    ep.use((ctx, next) => {
      seen.push(ctx.id);
      return next();
    }),
  );
  await server.start();
  try {
    const loop = server.getTransport(LoopTransport);
    assert.deepEqual(loop.bound, ['a']);
    const client = loop.inner.connect('a');
    let text = '';
    client.setEncoding('utf8');
    client.on('data', (d: string) => (text += d));
    client.end('GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n');
    await new Promise((resolve) => client.on('close', resolve));
    assert.match(text, /^HTTP\\/1\\.1 200 /);
    assert.equal(seen.length, 1);
    assert.ok(text.endsWith('connection ' + seen[0]), text);
  } finally {
    await server.stop(1_000);
  }
});

test('every entry point loads, and a class is one class whichever entry point it came from', async () => {
  const [root, connection, transports, protocols, pipeline, middleware, di, hosting] = await Promise.all([
    import('tiercel'),
    import('tiercel/connection'),
    import('tiercel/transports'),
    import('tiercel/protocols'),
    import('tiercel/pipeline'),
    import('tiercel/middleware'),
    import('tiercel/di'),
    import('tiercel/hosting'),
  ]);
  for (const m of [protocols, pipeline, middleware, di]) assert.ok(Object.keys(m).length > 0);
  // A bundler renames classes unless told not to (MemoryTransport2): messages and logs name them.
  for (const m of [root, connection, transports, protocols, pipeline, middleware, di, hosting]) {
    for (const [name, value] of Object.entries(m)) {
      if (typeof value === 'function' && Function.prototype.toString.call(value).startsWith('class')) assert.equal(value.name, name);
    }
  }
  assert.equal(root.Server, hosting.Server);
  assert.equal(root.ApplicationBuilder, pipeline.ApplicationBuilder);
  // The class is the DI token: a second copy of MemoryTransport would resolve nothing.
  const server = new hosting.Server({ logLevel: 'warn' });
  assert.ok(server.getTransport(transports.MemoryTransport) instanceof transports.MemoryTransport);
  // An error made by hosting's code is the class tiercel/connection exports.
  assert.throws(
    () => new hosting.Server({ logLevel: 'loud' as 'warn' }),
    (e: unknown) => e instanceof connection.InvalidOptionError && e instanceof connection.TiercelError,
  );
});
`,
};

/** A fresh consumer project: only its own code, no dependencies yet. */
function consumerProject(parent: string, name: string): string {
  const dir = join(parent, name);
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `tiercel-${name}`, private: true, type: 'module' }, null, 2));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { ...STRICT_CONSUMER_OPTIONS, outDir: 'out', rootDir: 'src' }, include: ['src'] }, null, 2),
  );
  for (const [file, text] of Object.entries(SOURCES)) writeFileSync(join(dir, 'src', file), text);
  return dir;
}

/** What a consumer installs beside tiercel: the DI packages, at the ranges tiercel asks for. */
function diPackages(): string[] {
  return ['tsyringe', 'reflect-metadata'].map((name) => `${name}@${pkg.peerDependencies?.[name] ?? pkg.dependencies?.[name] ?? 'latest'}`);
}

/** A copy of the repository as a fresh clone has it (no dist/), with its dev dependencies installed. */
function unbuiltClone(parent: string): string {
  const dir = join(parent, 'tiercel');
  const skip = new Set(['node_modules', 'dist', 'bundle', 'coverage', '.git', '.perf']);
  cpSync(root, dir, {
    recursive: true,
    filter: (source) => {
      const rel = relative(root, source);
      return rel === '' || !(skip.has(rel.split('/')[0]) || rel.includes('node_modules') || rel.startsWith('dist-'));
    },
  });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function expectOk(step: string, ran: Ran): void {
  assert.is(ran.code, 0, `${step} failed:\n${ran.output}`);
}

/** Installs tiercel from `spec` into a new consumer, compiles it strictly and runs its tests. */
async function consume(parent: string, name: string, spec: string, flags: readonly string[] = []): Promise<void> {
  const dir = consumerProject(parent, name);
  expectOk(`npm install ${spec}`, await run('npm', ['install', ...NPM_FLAGS, ...flags, spec, ...diPackages()], dir));
  const installed = readdirSync(join(dir, 'node_modules')).filter((n) => !n.startsWith('.'));
  assert.not.ok(installed.includes('typescript'), 'the consumer compiles with the repository compiler, not one of its own');
  expectOk(`tsc (${name})`, await tsc(dir));
  expectOk(`node --test (${name})`, await run(process.execPath, ['--test', join('out', 'app.test.js')], dir, 30_000));
  // The bin npm linked, run as a user would: it reads the package's version beside it.
  const version = await run(join(dir, 'node_modules', '.bin', 'tiercel'), ['--version'], dir, 30_000);
  expectOk(`tiercel --version (${name})`, version);
  assert.is(version.output.trim(), (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
}

interface PackedFile {
  readonly path: string;
}

test('npm pack ships the LICENSE, the bundle and types for every export, source maps that carry their sources, and no tests', async () => {
  const ran = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--loglevel=error'], root);
  expectOk('npm pack --dry-run', ran);
  const files = new Set((JSON.parse(ran.output) as Array<{ files: PackedFile[] }>)[0].files.map((f) => f.path));
  for (const f of ['LICENSE', 'README.md', 'package.json']) assert.ok(files.has(f), `${f} is in the package`);
  // `tiercel serve` (the demo app) serves /static/ from hosting/demo-static/, beside dist/.
  for (const f of ['hosting/demo-static/index.html', 'hosting/demo-static/style.css']) assert.ok(files.has(f), `${f} is in the package`);
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, { types: string; default: string }>;
    bin: Record<string, string>;
    repository?: { url?: string };
    keywords?: string[];
    license?: string;
  };
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    for (const file of [target.types, target.default]) assert.ok(files.has(file.replace(/^\.\//, '')), `${subpath}: ${file} is shipped`);
  }
  for (const file of Object.values(manifest.bin)) assert.ok(files.has(file.replace(/^\.\//, '')), `bin ${file} is shipped`);
  assert.is(manifest.license, 'MIT');
  assert.match(manifest.repository?.url ?? '', /^git\+https:\/\//);
  assert.ok((manifest.keywords ?? []).length > 0, 'keywords');
  const stray = [...files].filter((f) => /^dist\/(test|examples)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')));
  assert.equal(stray, [], 'no tests, examples or TypeScript sources are shipped');
  // The code is the bundle (scripts/bundle.mjs); dist/ ships only the .d.ts tsc wrote.
  assert.equal([...files].filter((f) => f.startsWith('dist/') && !f.endsWith('.d.ts')), [], "dist/'s unbundled JavaScript is not shipped");
  for (const js of [...files].filter((f) => f.endsWith('.js'))) {
    const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(root, js), 'utf8'))?.[1];
    if (url !== undefined) assert.ok(files.has(join(js, '..', url)), `${js} points at its shipped map`);
  }
  // The peer dependencies' one-file copies (connection/tsyringe.ts loads one for that very installed version), each with the licences of what it holds.
  const versionOf = (name: string): string => (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  const shipped = ['reflect-metadata', 'tsyringe'].flatMap((name) =>
    ['cjs', 'LICENSE.txt', 'json', 'cache'].map((ext) => `bundle/vendor/${name}-${versionOf(name)}.${ext}`),
  );
  assert.equal([...files].filter((f) => f.startsWith('bundle/vendor/')).sort(), shipped.sort());
  // The chunks `tiercel serve` starts with, each with the V8 code cache it loads (scripts/code-cache.mjs).
  const scripts = [...files].filter((f) => f.endsWith('.script.js'));
  assert.ok(scripts.length >= 2, 'the start path is code-cached');
  for (const script of scripts) assert.ok(files.has(script.replace(/\.js$/, '.cache')), `${script} ships with its code cache`);
  const licences = (name: string): string => readFileSync(join(root, 'bundle', 'vendor', `${name}-${versionOf(name)}.LICENSE.txt`), 'utf8');
  assert.match(licences('tsyringe'), /tsyringe@\S+ \(MIT\):\s+MIT License/);
  assert.match(licences('tsyringe'), /tslib@\S+ \(0BSD\):\s+Copyright/);
  assert.match(licences('reflect-metadata'), /reflect-metadata@\S+ \(Apache-2\.0\):\s+Apache License/);
  const maps = [...files].filter((f) => f.endsWith('.map'));
  assert.ok(maps.length > 0);
  for (const map of maps) {
    // The .ts files are not shipped, so a map must carry them or a debugger shows nothing.
    const { sources, sourcesContent } = JSON.parse(readFileSync(join(root, map), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
    assert.is(sourcesContent?.length, sources.length, `${map} carries its sources`);
    assert.ok(sourcesContent!.every((c) => typeof c === 'string' && c.length > 0), `${map} carries its sources`);
  }
});

test('the packed tarball and an unbuilt folder each install into a strict TypeScript consumer that compiles and runs', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'tiercel-consumer-'));
  try {
    // The tarball as `npm publish` would upload it; dist/ is already built (`npm test` builds it).
    const packed = await run('npm', ['pack', '--ignore-scripts', '--loglevel=error', '--pack-destination', parent], root);
    expectOk('npm pack', packed);
    const tarball = join(parent, packed.output.trim().split('\n').pop()!);
    assert.match(basename(tarball), /^tiercel-.*\.tgz$/);
    const folder = unbuiltClone(parent);
    await Promise.all([consume(parent, 'from-tarball', tarball), consume(parent, 'from-folder', folder, FOLDER_FLAGS)]);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test.run();
