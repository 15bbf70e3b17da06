// The dependency rules of docs/ARCHITECTURE.md, checked over the repository's own source (the
// rules themselves are in layering.ts), and the checker shown to refuse each kind of breach on
// small trees made here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/shared.js';
import { scanImports } from './import-scan.js';
import { LAYERS, checkLayering, formatViolation, layerOf, readSourceTree, type KnownException } from './layering.js';

const root = repoRoot();

test('every source file keeps to its layer: no upward import, no deep import, no stray module', () => {
  const files = readSourceTree(root);
  const report = checkLayering(files, { exists: (path) => existsSync(join(root, path)) });
  assert.equal(report.violations.map(formatViolation), [], 'imports that break docs/ARCHITECTURE.md');
  assert.equal(report.staleExceptions, [], 'KNOWN_EXCEPTIONS that no longer occur: remove them');
  // A renamed folder must not make the check pass by reading nothing.
  for (const layer of LAYERS.filter((l) => l.name !== 'test')) {
    assert.ok([...files.keys()].some((f) => layerOf(f) === layer), `no file of the layer ${layer.name} was read`);
  }
  for (const file of files.keys()) assert.ok(layerOf(file) !== undefined, `${file} belongs to no layer`);
});

/** A tree of files, each importing the given specifiers. */
function tree(spec: Record<string, readonly string[]>): Map<string, string> {
  const files = new Map<string, string>();
  for (const [file, imports] of Object.entries(spec)) {
    files.set(file, imports.map((s, i) => `import { x${i} } from '${s}';\n`).join('') + 'export const x = 1;\n');
  }
  return files;
}

/** What the checker refuses in `files`, with no known exception: [rule, importing file, imported]. */
function found(files: ReadonlyMap<string, string>): [string, string, string][] {
  return checkLayering(files, { exceptions: [] }).violations.map((v) => [v.rule, v.from, v.to]);
}

const goodTree = {
  'connection/index.ts': ['./features.js'],
  'connection/features.ts': ['node:events'],
  'transports/index.ts': ['./tcp/index.js', '../connection/index.js'],
  'transports/socket-listener.ts': ['node:net', '../connection/index.js'],
  'transports/tcp/index.ts': ['./tcp-listener.js'],
  'transports/tcp/tcp-listener.ts': ['../socket-listener.js', '../../connection/index.js'],
  'protocols/http/index.ts': ['./header-list.js', '../../connection/index.js'],
  'protocols/http/header-list.ts': [],
  'protocols/http2/index.ts': ['../http/index.js', 'node:http2'],
  'protocols/http-connection.ts': ['./http2/index.js', './http/index.js'],
  'pipeline/index.ts': ['../protocols/http/index.js', 'ws'],
  'hosting/index.ts': ['../pipeline/index.js', '../transports/index.js', '../protocols/http2/index.js'],
  'examples/app/main.ts': ['../../hosting/index.js', 'some-package'],
};

test('a tree that keeps the rules passes', () => {
  const report = checkLayering(tree(goodTree), { exceptions: [] });
  assert.equal(report.violations.map(formatViolation), []);
});

test('refuses an import from a lower layer to a higher one', () => {
  const files = tree({ ...goodTree, 'transports/tcp/tcp-listener.ts': ['../../pipeline/index.js'] });
  const [v, ...rest] = checkLayering(files, { exceptions: [] }).violations;
  assert.equal(rest, []);
  assert.is(v.rule, 'layer');
  assert.is(v.from, 'transports/tcp/tcp-listener.ts');
  assert.is(v.to, 'pipeline/index.ts');
  assert.is(v.line, 1);
  assert.match(v.message, 'transports may not import pipeline');
});

test('refuses a pipeline import of a protocol version, even through its index', () => {
  const files = tree({ ...goodTree, 'pipeline/web-sockets.ts': ['../protocols/http2/index.js'] });
  assert.equal(
    found(files),
    [['layer', 'pipeline/web-sockets.ts', 'protocols/http2/index.ts']],
  );
  // The barrel of every protocol is a protocol version too.
  const barrel = tree({ ...goodTree, 'protocols/index.ts': ['./http2/index.js'], 'pipeline/web-sockets.ts': ['../protocols/index.js'] });
  assert.equal(
    found(barrel),
    [['layer', 'pipeline/web-sockets.ts', 'protocols/index.ts']],
  );
});

test('refuses a contract importing anything of tiercel, and two protocol versions importing each other', () => {
  const files = tree({
    ...goodTree,
    'connection/features.ts': ['../transports/index.js'],
    'protocols/http1/index.ts': ['../http2/index.js'],
  });
  assert.equal(
    found(files),
    [
      ['layer', 'connection/features.ts', 'transports/index.ts'],
      ['layer', 'protocols/http1/index.ts', 'protocols/http2/index.ts'],
    ],
  );
});

test('refuses a deep import past another folder\'s index.ts, not one into its own or a parent folder', () => {
  const files = tree({
    ...goodTree,
    'pipeline/index.ts': ['../protocols/http/header-list.js'],
    'hosting/index.ts': ['../transports/tcp/tcp-listener.js', '../transports/socket-listener.js'],
    'transports/index.ts': ['./tcp/tcp-listener.js'],
  });
  assert.equal(
    found(files),
    [
      ['index', 'transports/index.ts', 'transports/tcp/tcp-listener.ts'],
      ['index', 'pipeline/index.ts', 'protocols/http/header-list.ts'],
      ['index', 'hosting/index.ts', 'transports/tcp/tcp-listener.ts'],
      ['index', 'hosting/index.ts', 'transports/socket-listener.ts'],
    ],
  );
});

test('refuses a module loaded outside its owner layers, and a package with no owner', () => {
  const files = tree({
    ...goodTree,
    'connection/features.ts': ['node:net'],
    'protocols/http/index.ts': ['ws', 'left-pad', '../../connection/index.js'],
  });
  assert.equal(
    found(files),
    [
      ['package', 'connection/features.ts', 'node:net'],
      ['package', 'protocols/http/index.ts', 'ws'],
      ['package', 'protocols/http/index.ts', 'left-pad'],
    ],
  );
  // A contract may name a Node type: a type-only import is gone at run time.
  const typeOnly = new Map(tree(goodTree));
  typeOnly.set('connection/features.ts', "export interface F { readonly socket: import('node:net').Socket }\n");
  assert.equal(checkLayering(typeOnly, { exceptions: [] }).violations, []);
});

test('refuses a protocol version named in the pipeline, not in a comment, a template or hosting', () => {
  const files = new Map(tree(goodTree));
  files.set('pipeline/web-sockets.ts', "// not for 'HTTP/2'\nexport const f = (p: string) => p === 'HTTP/2' || `${p}` === 'HTTP/1.1';\n");
  files.set('hosting/server.ts', "export const h2 = (p: string) => p === 'HTTP/2';\n");
  files.set('pipeline/http-request.ts', 'export const s = `HTTP/2`;\n');
  assert.equal(
    checkLayering(files, { exceptions: [] }).violations.map((v) => [v.rule, v.from, v.to, v.line]),
    [
      ['version', 'pipeline/web-sockets.ts', 'HTTP/2', 2],
      ['version', 'pipeline/web-sockets.ts', 'HTTP/1.1', 2],
    ],
  );
});

test('refuses process.env read outside the composition root', () => {
  const files = new Map(tree(goodTree));
  files.set('protocols/http/index.ts', "// not process.env in a comment\nexport const limit = Number(process.env.LIMIT ?? '1');\n");
  files.set('di/environment.ts', 'export const env = process.env;\n');
  assert.equal(
    checkLayering(files, { exceptions: [] }).violations.map((v) => [v.rule, v.from, v.line]),
    [['environment', 'protocols/http/index.ts', 2]],
  );
});

test('refuses an import of a file that does not exist', () => {
  const files = tree({ ...goodTree, 'hosting/index.ts': ['../pipeline/gone.js'] });
  assert.equal(
    found(files),
    [['unresolved', 'hosting/index.ts', '../pipeline/gone.js']],
  );
});

test('a known exception is allowed while it occurs, and reported once it is gone', () => {
  const exception: KnownException = { rule: 'layer', from: 'pipeline/index.ts', to: 'protocols/http2/index.ts', reason: 'issue 12' };
  const bad = tree({ ...goodTree, 'pipeline/index.ts': ['../protocols/http2/index.js'] });
  assert.equal(checkLayering(bad, { exceptions: [exception] }), { violations: [], staleExceptions: [] });
  assert.equal(checkLayering(tree(goodTree), { exceptions: [exception] }), { violations: [], staleExceptions: [exception] });
});

test('reads imports of every form, and nothing that only looks like one', () => {
  const source = [
    "import 'reflect-metadata';",
    "import type { A } from './a.js';",
    "import { type B, type C } from './b.js';",
    "import { type D, e } from './d.js';",
    "export * from './e.js';",
    "export type { F } from './f.js';",
    'const { generate } = await import(\'./g.js\');',
    "export interface H { readonly s: import('node:net').Socket }",
    "type U = typeof import('./u.js');",
    "import('./then.js').then((m) => m.x());",
    "// import { no } from './comment.js';",
    "/* export * from './block.js'; */",
    "const message = `use import { x } from 'tiercel/di' ${ok ? `import('./nested.js')` : ''} from './t.js'`;",
    "const quote = /'/g; const q2 = \"from './string.js'\";",
    'const n = a / b; const m = c / d;',
    'import {',
    '  multi,',
    "} from './multi.js';",
  ].join('\n');
  assert.equal(
    scanImports(source).map((s) => [s.specifier, s.kind, s.line]),
    [
      ['reflect-metadata', 'static', 1],
      ['./a.js', 'type', 2],
      ['./b.js', 'type', 3],
      ['./d.js', 'static', 4],
      ['./e.js', 'static', 5],
      ['./f.js', 'type', 6],
      ['./g.js', 'dynamic', 7],
      ['node:net', 'type', 8],
      ['./u.js', 'type', 9],
      ['./then.js', 'dynamic', 10],
      ['./multi.js', 'static', 18],
    ],
  );
});

test.run();
