// Code-cached chunks: the chunks `tiercel serve` compiles before it listens, shipped as a classic
// script that V8 can load from a code cache, behind an ES module facade with the chunk's own name.
//
// Why: compiling the ~275 kB of JavaScript on the start path cost ~20 ms of the ~45 ms tiercel serve
// spends above a bare node:http server (V8 parses every function of an ES module before it runs, and
// compiles each one again the first time it is called). Node 20 has no compile cache for ES modules
// (module.enableCompileCache() is Node 22) and no flag a package's bin could set, but vm.Script takes
// V8's code cache for a classic script: the bytecode of the top level and of every function the
// start ran, written at build time (scripts/write-code-cache.mjs, preloaded into one real
// `tiercel serve`). Measured on a 204 kB chunk: compile 12 → 4.5 ms, import 29 → 16 ms.
//
// The facade (`chunk-X.js`, what every other module imports, so each class still exists once):
//   - imports what the chunk imported, in the same order (each as a namespace);
//   - compiles `chunk-X.script.js` with `chunk-X.script.cache` when that is not older than the
//     script (a script edited in place, as patch-package does, is compiled without it; V8 itself
//     rejects a cache made by another V8 version or with other flags, and then compiles as usual);
//   - under --enable-source-maps compiles it through CommonJS instead (Module#_compile, the script's
//     function assigned to module.exports after its "use strict"), the one path on which Node 20
//     registers a file's source map: stack traces keep pointing at the .ts sources, as they did
//     when the chunk was an ES module;
//   - runs it with import(), import.meta and the imports, and exports what it returns.
// The script is the chunk's code with the same lines and columns (its source map is kept, shifted
// by the one line the function header takes): `import.meta` → `_importMeta`, `import(` →
// `$impor(` (same lengths), the leading import statements blanked to spaces, the closing
// `export{…}` turned into `return{…}`.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const IMPORT_STATEMENT = /import(?:([\w$]+)\s*,?\s*)?(?:\{([^}]*)\}|\*\s*as\s+([\w$]+))?\s*(?:from\s*)?"([^"]+)";/y;
const EXPORT_CLAUSE = /export\{([^}]*)\};\s*$/;

/** `a as b` → [a, b]; `a` → [a, a]. */
const pairs = (clause) =>
  clause
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => {
      const [local, exported = local] = p.split(/\s+as\s+/);
      return [local, exported];
    });

/**
 * Turns the ES module chunk at `path` (an output of esbuild's, `dynamicImports` the number of
 * import() calls its metafile lists) into a code-cached script and its facade. Throws when the chunk
 * is not in the shape this expects, so the build fails rather than ship a broken chunk.
 */
export function toCodeCachedChunk(path, dynamicImports) {
  const name = path.slice(path.lastIndexOf('/') + 1, -'.js'.length);
  const mapLine = `//# sourceMappingURL=${name}.js.map`;
  let code = readFileSync(path, 'utf8');
  if (!code.trimEnd().endsWith(mapLine)) throw new Error(`${name}: expected its source map comment last`);
  code = code.trimEnd().slice(0, -mapLine.length);

  // The leading import statements: blanked in the script, kept in the facade.
  const imports = [];
  let at = 0;
  for (let m; (IMPORT_STATEMENT.lastIndex = at), (m = IMPORT_STATEMENT.exec(code)) !== null; at = IMPORT_STATEMENT.lastIndex) {
    const [statement, defaultName, named, namespace, specifier] = m;
    imports.push({ defaultName, named: named === undefined ? [] : pairs(named), namespace, specifier, statement });
  }
  const header = imports.map((i) => i.statement).join('');
  let body = ' '.repeat(header.length) + code.slice(header.length);

  const exported = EXPORT_CLAUSE.exec(body);
  if (exported === null) throw new Error(`${name}: expected one export clause at its end`);
  const exports = pairs(exported[1]);
  body = `${body.slice(0, exported.index)}return{${exports.map(([local, as]) => `${JSON.stringify(as)}:${local}`).join(',')}};`;

  for (const id of ['_importMeta', '$impor']) if (body.includes(id)) throw new Error(`${name}: already uses the name ${id}`);
  const metas = body.split('import.meta').length - 1;
  body = body.replaceAll('import.meta', '_importMeta');
  // Each import() of a literal is in the metafile; one of a value (an app's module) is not, and is
  // `import(` and a name: any other `import(` is text in a string, which must not be rewritten.
  const calls = body.split(/(?<![\w$.])import\(/).length - 1;
  const ofValues = body.split(/(?<![\w$.])import\([\w$]/).length - 1;
  if (calls - ofValues !== dynamicImports) throw new Error(`${name}: ${calls - ofValues} "import(" of a literal in its text, ${dynamicImports} dynamic imports in its metafile`);
  body = body.replace(/(?<![\w$.])import\(/g, '$impor(');
  if (/(?<![\w$.])import\b/.test(body.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ''))) throw new Error(`${name}: an import left in its text`);

  const params = ['$impor', '_importMeta', ...imports.map((i, n) => (i.named.length > 0 ? `{${i.named.map(([from, local]) => `${JSON.stringify(from)}:${local}`).join(',')}}` : `$d${n}`))];
  // A default or namespace binding (beside named ones or not): taken from the namespace object.
  const prelude = imports
    .flatMap((i, n) => [
      i.namespace === undefined ? '' : `var ${i.namespace}=arguments[${n + 2}];`,
      i.defaultName === undefined ? '' : `var ${i.defaultName}=arguments[${n + 2}].default;`,
    ])
    .join('');
  // Strict, as the ES module was: a directive for the whole script (a function with destructured
  // parameters may not have its own). The body starts on the second line: the header line is its
  // own, so the chunk's lines and columns stay as its source map has them, one line down.
  writeFileSync(`${path.slice(0, -3)}.script.js`, `"use strict";(function(${params.join(',')}){${prelude}\n${body}\n})\n//# sourceMappingURL=${name}.script.js.map\n`);
  const map = JSON.parse(readFileSync(`${path}.map`, 'utf8'));
  map.file = `${name}.script.js`;
  map.mappings = `;${map.mappings}`;
  writeFileSync(`${path.slice(0, -3)}.script.js.map`, JSON.stringify(map));
  rmSync(`${path}.map`);

  const facadeImports = imports.map((i, n) => `import*as $d${n} from${JSON.stringify(i.specifier)};`).join('');
  const args = ['(s)=>import(s)', 'import.meta', ...imports.map((_, n) => `$d${n}`)];
  const bindings = exports.map(([, as], n) => `${JSON.stringify(as)}:$e${n}`).join(',');
  const names = exports.map(([, as], n) => `$e${n} as ${/^[\w$]+$/.test(as) ? as : JSON.stringify(as)}`).join(',');
  writeFileSync(
    path,
    `// ${name}: loads ${name}.script.js with its V8 code cache (scripts/code-cache.mjs says why and how).\n` +
      `${facadeImports}${LOADER}const{${bindings}}=load(${JSON.stringify(`./${name}.script.js`)})(${args.join(',')});export{${names}};\n`,
  );
  return { name, metas, calls, imports: imports.length, exports: exports.length };
}

// The facade's loader, the same in every facade (a module of its own would cost an ES module load).
const LOADER =
  'function load(relative){' +
  'const file=process.getBuiltinModule("node:url").fileURLToPath(new URL(relative,import.meta.url));' +
  'const{readFileSync,statSync}=process.getBuiltinModule("node:fs");' +
  'const text=readFileSync(file,"utf8");' +
  'if(process.sourceMapsEnabled){const{Module}=process.getBuiltinModule("node:module");const m=new Module(file);m.filename=file;m._compile(text.replace("(","module.exports=("),file);return m.exports}' +
  'let cachedData;' +
  'try{const cache=`${file.slice(0,-3)}.cache`;if(statSync(cache).mtimeMs>=statSync(file).mtimeMs)cachedData=readFileSync(cache)}catch{}' +
  'return new(process.getBuiltinModule("node:vm").Script)(text,{filename:file,cachedData}).runInThisContext()}';
