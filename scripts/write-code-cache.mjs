// Preloaded (--import) into one `tiercel serve` at build time by scripts/bundle.mjs: once the server
// listens, writes V8's code cache of every code-cached script (bundle/chunks/*.script.js and the bin's, see
// scripts/code-cache.mjs) and shipped peer copy (bundle/vendor/*.cjs, see
// connection/code-cached-commonjs.ts), holding the bytecode of the top level and of each function
// the start ran, then exits. Each cache is taken from a new vm.Script of the very text and file
// name the server compiled: V8 finds that script in its per-isolate compilation cache and
// serialises it with the functions compiled since. CODE_CACHE_ROOT names the bundle folder.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { COMMONJS_WRAPPER, codeCacheOf } from '../dist/connection/code-cached-commonjs.js';

const root = process.env.CODE_CACHE_ROOT;
const compiled = [
  ...['chunks', 'hosting'].flatMap((dir) =>
    readdirSync(join(root, dir))
      .filter((f) => f.endsWith('.script.js'))
      .map((f) => ({ file: join(root, dir, f), wrap: (text) => text })),
  ),
  ...readdirSync(join(root, 'vendor'))
    .filter((f) => f.endsWith('.cjs'))
    .map((f) => ({ file: join(root, 'vendor', f), wrap: (text) => COMMONJS_WRAPPER[0] + text + COMMONJS_WRAPPER[1] })),
];
const write = process.stdout.write.bind(process.stdout);
let done = false;
process.stdout.write = (chunk, ...rest) => {
  if (!done && String(chunk).includes('(Ctrl-C stops)')) {
    done = true;
    const written = compiled.map(({ file, wrap }) => {
      const data = new Script(wrap(readFileSync(file, 'utf8')), { filename: file }).createCachedData();
      writeFileSync(codeCacheOf(file), data);
      return `${file.slice(root.length + 1)} ${(data.length / 1024).toFixed(0)} kB`;
    });
    write(`code cache: ${written.join(', ')}\n`);
    process.exit(0);
  }
  return write(chunk, ...rest);
};
