// The package's start path loads from V8 code caches (scripts/code-cache.mjs, connection/code-cached-commonjs.ts):
// the chunks `tiercel serve` compiles before it listens and the peers' one-file copies. These run the
// bundle as an installed package does (the other tests run dist/), each in a fresh process.
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COMMONJS_WRAPPER, codeCacheOf } from '../../connection/code-cached-commonjs.js';

// From dist/test/package/, the package's root is three folders up.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The code-cached files of a bundle folder, each with the text V8 compiles (the file's, or wrapped as CommonJS). */
function codeCached(bundle: string): Array<{ file: string; text: string }> {
  const chunks = readdirSync(join(bundle, 'chunks'))
    .filter((f) => f.endsWith('.script.js'))
    .map((f) => ({ file: join(bundle, 'chunks', f), text: readFileSync(join(bundle, 'chunks', f), 'utf8') }));
  const vendor = readdirSync(join(bundle, 'vendor'))
    .filter((f) => f.endsWith('.cjs'))
    .map((f) => ({ file: join(bundle, 'vendor', f), text: COMMONJS_WRAPPER[0] + readFileSync(join(bundle, 'vendor', f), 'utf8') + COMMONJS_WRAPPER[1] }));
  return [...chunks, ...vendor];
}

/** A copy of the package (its bundle, package.json and the repository's node_modules) to damage. */
function packageCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tiercel-code-cache-'));
  cpSync(join(ROOT, 'bundle'), join(dir, 'bundle'), { recursive: true, preserveTimestamps: true });
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

const BIN = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { tiercel: string } }).bin.tiercel;

/**
 * `tiercel serve` from the package at `dir` (its bin, or `entry` under bundle/) until it listens:
 * its output then, and a GET / answered.
 */
function serve(dir: string, entry = BIN, preload: readonly string[] = []): Promise<{ output: string; status: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...preload, join(dir, entry), 'serve', '--urls', 'http://127.0.0.1:0', '--workers', '1'], { cwd: dir });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tiercel serve did not start: ${output}`));
    }, 15_000);
    const onData = (d: Buffer): void => {
      output += d.toString();
      const url = /serving the demo app on (\S+)/.exec(output)?.[1];
      if (url === undefined) return;
      child.stdout.off('data', onData);
      fetch(`${url}/`)
        .then(async (res) => {
          await res.arrayBuffer();
          return res.status;
        })
        .then(
          (status) => {
            clearTimeout(timer);
            child.once('exit', () => resolve({ output, status }));
            child.kill('SIGKILL');
          },
          (err: unknown) => {
            clearTimeout(timer);
            child.kill('SIGKILL');
            reject(err as Error);
          },
        );
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  });
}

test('the build writes a code cache for each chunk tiercel serve starts with and each peer copy, and this Node accepts each', () => {
  const files = codeCached(join(ROOT, 'bundle'));
  assert.ok(files.filter((f) => f.file.endsWith('.script.js')).length >= 2, 'the serve core and the serve group are code-cached');
  assert.equal(files.filter((f) => f.file.endsWith('.cjs')).length, 2, 'reflect-metadata and tsyringe');
  for (const { file, text } of files) {
    const script = new Script(text, { filename: file, cachedData: readFileSync(codeCacheOf(file)) });
    assert.is(script.cachedDataRejected, false, `${file}: V8 takes its cache`);
  }
});

test('the bin is a CommonJS launcher: tiercel serve listens without loading an ES module, and the chunks imported later get its instances', async () => {
  assert.match(BIN, /\.cjs$/);
  const dir = mkdtempSync(join(tmpdir(), 'tiercel-launcher-'));
  try {
    // A CommonJS preload: once the server listens, whether Node had run any ES module yet; then
    // whether 'tiercel/hosting' (an ES import of the serve core's facade, as an app's or a lazy
    // chunk's) gives the Server class the launcher's script made, before the listening line is let out.
    const preload = join(dir, 'report.cjs');
    writeFileSync(
      preload,
      `const write = process.stdout.write.bind(process.stdout);
      let reported = false;
      process.stdout.write = (chunk, ...rest) => {
        if (reported || !String(chunk).includes('(Ctrl-C stops)')) return write(chunk, ...rest);
        reported = true;
        const esm = process.moduleLoadList.includes('NativeModule internal/modules/esm/module_job');
        const made = [...globalThis[Symbol.for('tiercel.codeCachedScripts')].values()].filter((m) => typeof m.Server === 'function');
        import(${JSON.stringify(pathToFileURL(join(ROOT, 'bundle', 'hosting', 'index.js')).href)}).then((hosting) => {
          write('esm at listening: ' + esm + '; one Server: ' + (made.length === 1 && made[0].Server === hosting.Server) + '\\n');
          write(chunk, ...rest);
        });
        return true;
      };`,
    );
    const served = await serve(ROOT, BIN, ['--require', preload]);
    assert.is(served.status, 200, served.output);
    assert.match(served.output, /esm at listening: false; one Server: true/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the ES module entry of the bin (bundle/hosting/cli.js) serves as the launcher does', async () => {
  const served = await serve(ROOT, 'bundle/hosting/cli.js');
  assert.is(served.status, 200, served.output);
  assert.match(served.output, /Now listening on: http:\/\/127\.0\.0\.1:\d+/);
});

test('damaged caches are rejected by V8 and the code compiled from its text: tiercel serve starts and answers', async () => {
  const dir = packageCopy();
  try {
    for (const { file } of codeCached(join(dir, 'bundle'))) {
      const cache = codeCacheOf(file);
      writeFileSync(cache, Buffer.alloc(readFileSync(cache).length, 0x5a));
    }
    const served = await serve(dir);
    assert.is(served.status, 200, served.output);
    assert.match(served.output, /Now listening on: http:\/\/127\.0\.0\.1:\d+/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a chunk edited in place after the build (newer than its cache) runs its new text, not the cached bytecode', async () => {
  const dir = packageCopy();
  try {
    // The same length, so V8's own check (the source's length) would take the stale cache.
    const core = codeCached(join(dir, 'bundle')).find((f) => f.text.includes('Now listening on: '));
    assert.ok(core !== undefined, 'the chunk that logs the listening line is code-cached');
    writeFileSync(core.file, core.text.replace('Now listening on: ', 'NOW LISTENING ON: '));
    const later = new Date(Date.now() + 60_000);
    utimesSync(core.file, later, later);
    const served = await serve(dir);
    assert.is(served.status, 200, served.output);
    assert.match(served.output, /NOW LISTENING ON: http:\/\/127\.0\.0\.1:\d+/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The first stack frame of a ConfigurationError thrown by the package's start-path code, with or without source maps. */
function throwingFrame(sourceMaps: boolean): Promise<string> {
  const code = `import { loadConfiguration } from 'tiercel/hosting';
    try { loadConfiguration({ commandLine: { logLevel: 'nope' } }); } catch (e) { process.stdout.write(e.stack.split('\\n')[1]); }`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...(sourceMaps ? ['--enable-source-maps'] : []), '--input-type=module', '-e', code], { cwd: ROOT, timeout: 10_000 }, (err, stdout, stderr) =>
      err !== null ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

test('under --enable-source-maps a code-cached chunk still maps its stack frames to the TypeScript sources', async () => {
  assert.match(await throwingFrame(true), /hosting\/configuration\/load-configuration\.ts:\d+:\d+\)$/);
  assert.match(await throwingFrame(false), /bundle\/chunks\/chunk-\w+\.script\.js:\d+:\d+\)$/);
});

test('an uncaught error thrown in the bundle prints a line of its code above the message, not a whole chunk', async () => {
  // Node shows the source line of the throw site: the bundle's minified lines are kept short for it.
  const code = `import { Server } from 'tiercel/hosting';
    new Server({ logLevel: 'warn' }).listen('http://127.0.0.1:0', (e) => e.useProtocols('Http2'));`;
  const { status, stderr } = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stderr }));
  });
  assert.is(status, 1);
  assert.match(stderr, /InvalidOptionError: Invalid option 'protocols': must be one of 'http1', 'http2', 'http1AndHttp2' \(got "Http2"\)/);
  const printed = stderr.slice(0, stderr.indexOf('InvalidOptionError'));
  assert.ok(printed.length < 2_000, `${printed.length} characters printed above the message`);
  for (const file of readdirSync(join(ROOT, 'bundle', 'chunks')).filter((f) => f.endsWith('.js'))) {
    const lines = readFileSync(join(ROOT, 'bundle', 'chunks', file), 'utf8').split('\n');
    // A line may run past the limit to finish a token (a long string), never to a chunk's length.
    assert.ok(Math.max(...lines.map((l) => l.length)) < 20_000, file);
  }
});

test.run();
