// How to start a Node.js process that can load Jazzer.js's fuzzing engine.
//
// @jazzer.js/fuzzer ships libFuzzer as a prebuilt addon inside the npm package, built against
// glibc 2.38 and GCC 13's libstdc++. Debian 12 (this project's machines and CI) has glibc 2.36, so
// the addon does not load under the system's libraries. Both libraries keep their old symbol
// versions, so a newer pair runs this Node.js as well: `prepareRuntime` fetches libc6, libstdc++6
// and libgcc-s1 of a newer Debian release with apt-get into a private folder (the system's apt
// state, sources and libraries are never touched), and the fuzzer then runs as
// `<folder>/ld-linux-x86-64.so.2 --library-path <folder> node …`. Where the addon loads as it is,
// none of this is used.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../test/support/shared.js';

export interface FuzzRuntime {
  /** The command and the arguments that come before node's own. */
  command: string;
  prefix: string[];
  /** How it was found, for the log. */
  description: string;
}

/** A runtime that loads the addon, or the reason there is none. */
export type RuntimeProbe = { ok: true; runtime: FuzzRuntime } | { ok: false; reason: string };

const MULTIARCH: Partial<Record<string, string>> = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };
const LOADER: Partial<Record<string, string>> = { x64: 'ld-linux-x86-64.so.2', arm64: 'ld-linux-aarch64.so.1' };
/** A Debian release whose glibc (2.41) and libstdc++ (GCC 14) are new enough for the addon. */
const DEFAULT_SUITE = 'trixie';

export function runtimeDir(): string {
  return join(repoRoot(), 'node_modules', '.cache', 'tiercel-fuzz', 'runtime');
}

function privateLibs(): { loader: string; libs: string } | undefined {
  const multiarch = MULTIARCH[process.arch];
  const loader = LOADER[process.arch];
  if (multiarch === undefined || loader === undefined) return undefined;
  const libs = join(runtimeDir(), 'root', 'usr', 'lib', multiarch);
  return { loader: join(libs, loader), libs };
}

/** Loads the addon in a child started with `runtime`; the error text when it cannot. */
function loads(runtime: FuzzRuntime): string | null {
  const r = spawnSync(runtime.command, [...runtime.prefix, process.execPath, '-e', "require('@jazzer.js/fuzzer')"], {
    cwd: repoRoot(),
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status === 0) return null;
  const line = (r.stderr || String(r.error ?? '')).split('\n').find((l) => /Error/.test(l));
  return (line ?? `exit ${r.status}`).trim();
}

/** Finds a way to run Jazzer.js here: plain node first, then a runtime `prepareRuntime` made. */
export function probeRuntime(): RuntimeProbe {
  const plain: FuzzRuntime = { command: process.execPath, prefix: [], description: 'node with the system libraries' };
  const problem = loads(plain);
  if (problem === null) return { ok: true, runtime: plain };
  const p = privateLibs();
  if (p !== undefined && existsSync(p.loader)) {
    const own: FuzzRuntime = {
      command: p.loader,
      prefix: ['--library-path', p.libs],
      description: `node with the libraries in ${runtimeDir()}`,
    };
    const again = loads(own);
    if (again === null) return { ok: true, runtime: own };
    return { ok: false, reason: `the Jazzer.js addon does not load, even with ${runtimeDir()}: ${again}` };
  }
  return { ok: false, reason: `the Jazzer.js addon does not load (${problem}); \`npm run fuzz:runtime\` prepares libraries it can use` };
}

/** The system's Debian archive (from its apt sources), for fetching from another suite of it. */
function debianArchive(): { uri: string; signedBy: string } {
  const codename = /^VERSION_CODENAME=(.*)$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
  const dir = '/etc/apt/sources.list.d';
  for (const file of existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.sources')) : []) {
    for (const stanza of readFileSync(join(dir, file), 'utf8').split(/\n\s*\n/)) {
      const field = (name: string): string | undefined => new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(stanza)?.[1].trim();
      const suites = field('Suites')?.split(/\s+/) ?? [];
      const uri = field('URIs')?.split(/\s+/)[0];
      if (uri !== undefined && codename !== undefined && suites.includes(codename)) {
        return { uri, signedBy: field('Signed-By') ?? '/usr/share/keyrings/debian-archive-keyring.gpg' };
      }
    }
  }
  throw new Error(`no Debian archive for '${codename}' in ${dir}/*.sources`);
}

/**
 * Fetches the libraries into runtimeDir() with apt-get, using a private sources list, package
 * lists and cache. `suite` defaults to TIERCEL_FUZZ_RUNTIME_SUITE, then trixie.
 */
export function prepareRuntime(suite = process.env.TIERCEL_FUZZ_RUNTIME_SUITE ?? DEFAULT_SUITE): void {
  const dir = runtimeDir();
  rmSync(dir, { recursive: true, force: true });
  for (const sub of ['lists/partial', 'cache/archives/partial', 'parts', 'debs', 'root']) mkdirSync(join(dir, sub), { recursive: true });
  const { uri, signedBy } = debianArchive();
  writeFileSync(join(dir, 'sources.list'), `deb [signed-by=${signedBy}] ${uri} ${suite} main\n`);
  writeFileSync(join(dir, 'status'), '');
  const apt = [
    `Dir::Etc::SourceList=${join(dir, 'sources.list')}`,
    `Dir::Etc::SourceParts=${join(dir, 'parts')}`,
    `Dir::State::Lists=${join(dir, 'lists')}`,
    `Dir::State::Status=${join(dir, 'status')}`,
    `Dir::Cache=${join(dir, 'cache')}`,
    'APT::Sandbox::User=root',
  ].flatMap((o) => ['-o', o]);
  const run = (command: string, args: string[], cwd = dir): void => {
    const r = spawnSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`);
  };
  run('apt-get', [...apt, '-qq', 'update']);
  run('apt-get', [...apt, '-qq', 'download', 'libc6', 'libstdc++6', 'libgcc-s1'], join(dir, 'debs'));
  for (const deb of readdirSync(join(dir, 'debs'))) run('dpkg-deb', ['-x', join(dir, 'debs', deb), join(dir, 'root')]);
  rmSync(join(dir, 'lists'), { recursive: true, force: true });
  rmSync(join(dir, 'cache'), { recursive: true, force: true });
}
