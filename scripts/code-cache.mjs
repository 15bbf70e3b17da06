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
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Script } from 'node:vm';

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
 * Turns the ES module at `path` (an output of esbuild's: a chunk, or the bin; `dynamicImports` the
 * number of import() calls its metafile lists) into a code-cached script beside it and an ES module
 * facade in its place. Throws when the module is not in the shape this expects, so the build fails
 * rather than ship a broken file. Returns what a launcher needs to load it without the facade.
 */
export function toCodeCachedScript(path, dynamicImports) {
  const name = path.slice(path.lastIndexOf('/') + 1, -'.js'.length);
  const mapLine = `//# sourceMappingURL=${name}.js.map`;
  let code = readFileSync(path, 'utf8');
  if (!code.trimEnd().endsWith(mapLine)) throw new Error(`${name}: expected its source map comment last`);
  code = code.trimEnd().slice(0, -mapLine.length);
  // The bin's hashbang: kept in the facade, blanked in the script (its line stays, for the map).
  const hashbang = code.startsWith('#!') ? code.slice(0, code.indexOf('\n')) : '';

  // The leading import statements: blanked in the script, kept in the facade.
  const imports = [];
  let at = hashbang === '' ? 0 : hashbang.length + 1;
  const first = at;
  for (let m; (IMPORT_STATEMENT.lastIndex = at), (m = IMPORT_STATEMENT.exec(code)) !== null; at = IMPORT_STATEMENT.lastIndex) {
    const [statement, defaultName, named, namespace, specifier] = m;
    imports.push({ defaultName, named: named === undefined ? [] : pairs(named), namespace, specifier, statement });
  }
  let body = ' '.repeat(hashbang.length) + code.slice(hashbang.length, first) + ' '.repeat(at - first) + code.slice(at);

  // A chunk ends with its exports; the bin has none.
  const exported = EXPORT_CLAUSE.exec(body);
  const exports = exported === null ? [] : pairs(exported[1]);
  if (exported !== null) body = `${body.slice(0, exported.index)}return{${exports.map(([local, as]) => `${JSON.stringify(as)}:${local}`).join(',')}};`;

  for (const id of ['_importMeta', '$impor']) if (body.includes(id)) throw new Error(`${name}: already uses the name ${id}`);
  // import.meta.url is all a script is given of import.meta (a facade's, or a launcher's { url }).
  if (/import\.meta(?!\.url\b)/.test(body)) throw new Error(`${name}: uses import.meta beyond its url`);
  body = body.replaceAll('import.meta', '_importMeta');
  // Each import() of a literal is in the metafile; one of a value (an app's module) is not, and is
  // `import(` and a name: any other `import(` is text in a string, which must not be rewritten.
  const calls = body.split(/(?<![\w$.])import\(/).length - 1;
  const ofValues = body.split(/(?<![\w$.])import\([\w$]/).length - 1;
  if (calls - ofValues !== dynamicImports) throw new Error(`${name}: ${calls - ofValues} "import(" of a literal in its text, ${dynamicImports} dynamic imports in its metafile`);
  body = body.replace(/(?<![\w$.])import\(/g, '$impor(');

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
  // own, so the module's lines and columns stay as its source map has them, one line down.
  const script = `"use strict";(function(${params.join(',')}){${prelude}\n${body}\n})\n//# sourceMappingURL=${name}.script.js.map\n`;
  // A statement left that a script may not hold (an import or export this missed) fails here.
  new Script(script, { filename: `${name}.script.js` });
  writeFileSync(`${path.slice(0, -3)}.script.js`, script);
  const map = JSON.parse(readFileSync(`${path}.map`, 'utf8'));
  map.file = `${name}.script.js`;
  map.mappings = `;${map.mappings}`;
  writeFileSync(`${path.slice(0, -3)}.script.js.map`, JSON.stringify(map));
  rmSync(`${path}.map`);

  const facadeImports = imports.map((i, n) => `import*as $d${n} from${JSON.stringify(i.specifier)};`).join('');
  const args = ['(s)=>import(s)', 'import.meta', ...imports.map((_, n) => `$d${n}`)];
  const bindings = exports.map(([, as], n) => `${JSON.stringify(as)}:$e${n}`).join(',');
  const names = exports.map(([, as], n) => `$e${n} as ${/^[\w$]+$/.test(as) ? as : JSON.stringify(as)}`).join(',');
  const run = `load(process.getBuiltinModule("node:url").fileURLToPath(new URL(${JSON.stringify(`./${name}.script.js`)},import.meta.url)),()=>[${args.join(',')}])`;
  writeFileSync(
    path,
    `${hashbang === '' ? '' : `${hashbang}\n`}// ${name}: loads ${name}.script.js with its V8 code cache (scripts/code-cache.mjs says why and how).\n` +
      `${facadeImports}${LOADER}${exports.length > 0 ? `const{${bindings}}=${run};export{${names}};` : `${run};`}\n`,
  );
  return { name, imports: imports.map((i) => i.specifier), exports, calls };
}

/**
 * The module at `path` when it only re-exports names it imports (an entry point esbuild made a
 * wrapper, as the bin's `cli-app`): its import specifiers and, for each name it exports, the index of
 * the import and the name there. Undefined for a module with code of its own.
 */
export function reexports(path) {
  const code = readFileSync(path, 'utf8').replace(/\/\/# sourceMappingURL=.*\s*$/, '');
  const imports = [];
  let at = 0;
  for (let m; (IMPORT_STATEMENT.lastIndex = at), (m = IMPORT_STATEMENT.exec(code)) !== null; at = IMPORT_STATEMENT.lastIndex) {
    if (m[1] !== undefined || m[3] !== undefined) return undefined;
    imports.push({ specifier: m[4], named: m[2] === undefined ? [] : pairs(m[2]) });
  }
  const exported = /^export\{([^}]*)\};\s*$/.exec(code.slice(at));
  if (exported === null) return undefined;
  const exports = [];
  for (const [local, as] of pairs(exported[1])) {
    const n = imports.findIndex((i) => i.named.some(([, l]) => l === local));
    if (n < 0) return undefined;
    exports.push([as, n, imports[n].named.find(([, l]) => l === local)[0]]);
  }
  return { imports: imports.map((i) => i.specifier), exports };
}

/**
 * The bin's CommonJS launcher, beside the bin's facade (`cli.js` → `cli.cjs`): loads the bin's script
 * and the chunks it needs before it listens through LOADER without Node's ES module loader, which
 * costs a process ~10-20 ms to start here (a bare node:http server listens that much sooner from a
 * .cjs file than from a .mjs one). `scripts` are the code-cached scripts, by their path relative to
 * the bundle without `.js` (`chunks/chunk-X`), each with the same of what it imports; `wrappers`
 * the bin's lazily imported entry points that only re-export code-cached chunks (`cli-app`): those
 * are loaded as scripts too. Anything else imported, statically or not, stays an ES import, with
 * the instances the scripts made (the facades find them in LOADER's registry).
 */
export function writeLauncher(path, bin, scripts, wrappers) {
  const hashbang = readFileSync(path, 'utf8').split('\n', 1)[0];
  writeFileSync(
    `${path.slice(0, -3)}.cjs`,
    `${hashbang}\n"use strict";\n// tiercel's bin: ${bin}.script.js and the chunks it starts with, without the ES module loader (scripts/code-cache.mjs says why and how).\n` +
      `${LOADER}` +
      `const{join}=process.getBuiltinModule("node:path"),{pathToFileURL,fileURLToPath}=process.getBuiltinModule("node:url");` +
      `const root=join(__dirname,${JSON.stringify(bin.split('/').slice(1).map(() => '..').join('/') || '.')});` +
      `const SCRIPTS=${JSON.stringify(scripts)},WRAPPERS=${JSON.stringify(wrappers)};` +
      // A wrapper's namespace: each name it exports, from the script it imported it from.
      'function wrapper(w){const from=w.imports.map(need);const ns={};for(const[as,n,name]of w.exports)ns[as]=from[n][name];return ns}' +
      'function need(name){const url=pathToFileURL(join(root,`${name}.js`)).href;' +
      'return load(join(root,`${name}.script.js`),()=>[(s)=>{if(!s.startsWith("."))return import(s);const target=new URL(s,url).href;' +
      'const key=fileURLToPath(target).slice(root.length+1,-3);return key in WRAPPERS?Promise.resolve().then(()=>wrapper(WRAPPERS[key])):import(target)},{url},...SCRIPTS[name].map(need)])}' +
      `need(${JSON.stringify(bin)});\n`,
  );
  chmodSync(`${path.slice(0, -3)}.cjs`, 0o755);
}

// The facades' and the launcher's loader (a module of its own would cost a module load). `load`
// runs a script once per process: the instance is kept by file in a registry on globalThis, so a
// chunk the launcher loaded is the one its facade exports when an app or a lazy chunk imports it.
const LOADER =
  'function load(file,args){' +
  'const registry=(globalThis[Symbol.for("tiercel.codeCachedScripts")]??=new Map());' +
  'let exports=registry.get(file);' +
  'if(exports===undefined){exports=compile(file)(...args())??{};registry.set(file,exports)}' +
  'return exports}' +
  'function compile(file){' +
  'const{readFileSync,statSync}=process.getBuiltinModule("node:fs");' +
  'const text=readFileSync(file,"utf8");' +
  'if(process.sourceMapsEnabled){const{Module}=process.getBuiltinModule("node:module");const m=new Module(file);m.filename=file;m._compile(text.replace("(","module.exports=("),file);return m.exports}' +
  'let cachedData;' +
  'try{const cache=`${file.slice(0,-3)}.cache`;if(statSync(cache).mtimeMs>=statSync(file).mtimeMs)cachedData=readFileSync(cache)}catch{}' +
  'return new(process.getBuiltinModule("node:vm").Script)(text,{filename:file,cachedData}).runInThisContext()}';
