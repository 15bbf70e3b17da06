import { readFileSync, realpathSync, statSync } from 'node:fs';
import { sep } from 'node:path';

/**
 * The file `require(name)` loads, for `require` (a createRequire of the caller): the same answer as
 * `require.resolve(name)`, found without it when the package's entry is plain. Why: the first
 * resolution through a package's "exports" in a process compiles the large regular expressions Node
 * checks each target with, ~3 ms at every server's start for reflect-metadata (its exports map:
 * `{ ".": { "types": …, "default": "./Reflect.js" } }`), which `tiercel serve` resolves before it
 * listens. Plain means: found in the first node_modules folder on the lookup path that has anything
 * of that name, with a package.json; an "exports" that is one string, or whose "." is one string or
 * conditions among `types`, `require`, `node` and `default` leading to one string, or else a "main"
 * naming a .js/.cjs file (or none and an index.js); a target of plain path segments (no `*`, `%`, `.`, `..`, `node_modules`)
 * with no symbolic link on its path; and Node run without --conditions or --preserve-symlinks on
 * its command line (a custom condition could only matter to keys this leaves to Node anyway).
 * Anything else is left to `require.resolve`, which also throws Node's own error for a missing package.
 */
export function installedMain(require: NodeJS.Require, name: string): string {
  if (!changesResolution()) {
    for (const dir of require.resolve.paths(name) ?? []) {
      const base = dir + sep + name.split('/').join(sep);
      const folder = base + sep;
      let pkg: unknown;
      try {
        pkg = JSON.parse(readFileSync(folder + 'package.json', 'utf8'));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') break;
        // No package here; Node would still take a folder or a file of that name (name.js, …).
        if (['', '.js', '.json', '.node'].some((ext) => statSync(base + ext, { throwIfNoEntry: false }) !== undefined)) break;
        continue;
      }
      const entry = plainEntry(pkg);
      if (entry === undefined) break;
      try {
        // A link on the way (pnpm, npm link) is left to Node: --preserve-symlinks, which NODE_OPTIONS
        // may set out of sight of execArgv, decides whether it answers with the link or its target.
        const file = folder + entry;
        if (!statSync(file).isFile() || realpathSync(file) !== file) break;
        return file;
      } catch {
        break;
      }
    }
  }
  return require.resolve(name);
}

/** Flags on the command line under which Node resolves otherwise (NODE_OPTIONS: see the callers' notes). */
function changesResolution(): boolean {
  return process.execArgv.some((f) => f === '-C' || f.startsWith('--conditions') || f.startsWith('--preserve-symlinks'));
}

/**
 * Conditions a CommonJS require matches (`node`, `require`, `default`), and `types`, which nothing
 * matches at run time; any other (`import`, which --conditions could add, `module-sync`, a custom
 * one) is left to Node.
 */
const MATCHED = new Set(['node', 'require', 'default']);
const UNMATCHED = new Set(['types']);

/** The package's entry, relative to its folder with the platform's separators, when plain; undefined when not. */
function plainEntry(pkg: unknown): string | undefined {
  if (typeof pkg !== 'object' || pkg === null) return undefined;
  const { exports, main } = pkg as { exports?: unknown; main?: unknown };
  if (exports === undefined) {
    if (main === undefined) return 'index.js';
    return typeof main === 'string' && /\.c?js$/.test(main) ? plainTarget(main.startsWith('./') ? main : `./${main}`) : undefined;
  }
  let target: unknown = exports;
  if (typeof target === 'object' && target !== null && !Array.isArray(target) && Object.keys(target).some((k) => k.startsWith('.'))) {
    target = (target as Record<string, unknown>)['.'];
  }
  while (typeof target === 'object' && target !== null && !Array.isArray(target)) {
    let next: unknown;
    for (const [condition, value] of Object.entries(target)) {
      if (MATCHED.has(condition)) {
        next = value;
        break;
      }
      if (!UNMATCHED.has(condition)) return undefined;
    }
    if (next === undefined) return undefined;
    target = next;
  }
  return typeof target === 'string' ? plainTarget(target) : undefined;
}

/** `./dist/index.js` → `dist/index.js` (with the platform's separators), when every segment is a plain name. */
function plainTarget(target: string): string | undefined {
  if (!target.startsWith('./') || target.includes('*') || target.includes('%') || target.includes('\\')) return undefined;
  const segments = target.slice(2).split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.toLowerCase() === 'node_modules')) return undefined;
  return segments.join(sep);
}
