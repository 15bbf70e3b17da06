import { readFileSync, statSync } from 'node:fs';
import { Module, createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/**
 * What a CommonJS file's text is wrapped in to compile it as a function, as Node's own loader does.
 * scripts/write-code-cache.mjs compiles the same text to write the cache: V8 keys its cache on it.
 */
export const COMMONJS_WRAPPER = ['(function (exports, require, module, __filename, __dirname) { ', '\n});'] as const;

/** The code cache beside a shipped file: `tsyringe-4.10.0.cjs` → `tsyringe-4.10.0.cache`. */
export const codeCacheOf = (file: string): string => `${file.slice(0, file.lastIndexOf('.'))}.cache`;

/**
 * Runs the CommonJS file `file` (a shipped one-file copy of a peer dependency, see tsyringe.ts)
 * compiled with V8's code cache beside it when there is one not older than the file, and returns
 * its exports; registered in require's cache under its own path, as require() would. Why not require(): Node 20's CommonJS loader takes no code cache, and compiling
 * tsyringe's and reflect-metadata's 70 kB, with the functions their top levels run, is ~4 ms of
 * the start of every server. V8 rejects a cache made by another V8 or with other flags, and the
 * file is then compiled as require() would; a file edited in place is newer than its cache and
 * compiled without it. Under --enable-source-maps nothing changes: the copies have no source map.
 */
export function requireCodeCached(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  let cachedData: Buffer | undefined;
  try {
    const cache = codeCacheOf(file);
    if (statSync(cache).mtimeMs >= statSync(file).mtimeMs) cachedData = readFileSync(cache);
  } catch {
    // No cache (a build that wrote none, a read-only or pruned install): compiled from the text.
  }
  const compiled = new Script(COMMONJS_WRAPPER[0] + text + COMMONJS_WRAPPER[1], { filename: file, cachedData }).runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: Module,
    filename: string,
    dirname: string,
  ) => void;
  const require = createRequire(file);
  const module = new Module(file);
  module.filename = file;
  require.cache[file] = module;
  try {
    compiled.call(module.exports, module.exports, require, module, file, dirname(file));
  } catch (err) {
    // As require(): a module that threw is not left in the cache half made.
    delete require.cache[file];
    throw err;
  }
  module.loaded = true;
  return module.exports;
}
