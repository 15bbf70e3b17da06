// requireCodeCached: how the package loads its one-file copies of the peer dependencies (bundle/vendor/),
// here on CommonJS files of the test's own, with and without a code cache beside them.
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COMMONJS_WRAPPER, codeCacheOf, requireCodeCached } from '../../connection/code-cached-commonjs.js';

const require = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'tiercel-cjs-cache-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `text` as `name` and, when asked, the code cache of it as run (as the build writes it). */
function commonJs(name: string, text: string, cache: boolean): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  if (cache) {
    const script = new Script(COMMONJS_WRAPPER[0] + text + COMMONJS_WRAPPER[1], { filename: file });
    (script.runInThisContext() as (e: object, r: unknown, m: { exports: object }) => void)({}, require, { exports: {} });
    writeFileSync(codeCacheOf(file), script.createCachedData());
  }
  return file;
}

const MODULE = "exports.answer = 42; exports.file = __filename; exports.dir = __dirname; exports.strict = (function () { return this === undefined; })(); exports.sum = require('node:path').join('a', 'b');";

test('runs a CommonJS file as require() would: exports, __filename, __dirname, require, sloppy mode; registered in require.cache', () => {
  const file = commonJs('plain.cjs', MODULE, false);
  const exports = requireCodeCached(file) as Record<string, unknown>;
  assert.equal(exports, { answer: 42, file, dir, strict: false, sum: join('a', 'b') });
  assert.is(require.cache[file]?.exports, exports, "the module is in require's cache under its own path");
  assert.is(require.cache[file]?.loaded, true);
  assert.is(require(file), exports, 'a later require() of the file gets the same instance');
});

test('with a code cache beside it (the same text) the file runs the same', () => {
  const file = commonJs('cached.cjs', MODULE, true);
  assert.is(codeCacheOf(file), join(dir, 'cached.cache'));
  assert.equal(requireCodeCached(file), { answer: 42, file, dir, strict: false, sum: join('a', 'b') });
});

test('a file edited after its cache was written runs its new text, though V8 would take the stale cache (same length)', () => {
  const file = commonJs('edited.cjs', MODULE, true);
  writeFileSync(file, MODULE.replace('42', '43'));
  const later = new Date(Date.now() + 60_000);
  utimesSync(file, later, later);
  assert.is((requireCodeCached(file) as { answer: number }).answer, 43);
});

test('a damaged cache is rejected by V8 and the file compiled from its text', () => {
  const file = commonJs('damaged.cjs', MODULE, true);
  writeFileSync(codeCacheOf(file), Buffer.alloc(512, 0x5a));
  assert.is((requireCodeCached(file) as { answer: number }).answer, 42);
});

test('a file that throws fails as require() would, with its own error', () => {
  const file = commonJs('throws.cjs', "throw new TypeError('from the file');", false);
  assert.throws(() => requireCodeCached(file), (err: unknown) => err instanceof TypeError && err.message === 'from the file');
  assert.is(require.cache[file], undefined, "not left in require's cache");
});

test.run();
