// The WebSocket echo load: runs lib/ws-load.mjs (raw-socket WebSocket clients) in its own process pinned to its
// CPU, and checks that the `ws` package (a dependency of tiercel, in ../node_modules) is there.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runToEnd } from './processes.mjs';

const LOAD_SCRIPT = join(import.meta.dirname, 'ws-load.mjs');

function wsPackageJson() {
  // Resolved from bench/lib as the load generator and servers/ws-node.mjs resolve it.
  const entry = fileURLToPath(import.meta.resolve('ws'));
  return join(entry.slice(0, entry.lastIndexOf('/node_modules/ws/') + '/node_modules/ws/'.length), 'package.json');
}

/** Returns a list of problems (empty when the ws package resolves). */
export function checkWsClient() {
  try {
    readFileSync(wsPackageJson());
    return [];
  } catch {
    return ['the ws package is missing: run `npm install` in the repository root (it is a dependency of tiercel)'];
  }
}

export function wsVersion() {
  try {
    return JSON.parse(readFileSync(wsPackageJson(), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

/** One measured run; resolves with { rate (messages/s), messages, seconds, served (echoes, warm-up included), errors }. */
export async function runWsLoad({ url, connections, bytes, seconds, warmup, cpu, cwd, onStart }) {
  const args = [LOAD_SCRIPT, url, String(connections), String(bytes), String(seconds), String(warmup)];
  const { code, signal, stdout, stderr } = await runToEnd(process.execPath, args, {
    cpu,
    cwd,
    onStart,
    timeoutMs: (seconds + warmup + 30) * 1000,
  });
  const line = stdout.trim().split('\n').at(-1);
  if (code !== 0 || !line) {
    const why = stderr.split('\n').map((l) => l.trim()).find((l) => /Error\b/.test(l)) ?? stderr.trim().split('\n')[0];
    throw new Error(`WebSocket load generator failed (${signal ?? `code ${code}`}): ${why}`);
  }
  const r = JSON.parse(line);
  return { rate: r.perSecond, messages: r.messages, seconds: r.seconds, served: r.total, errors: r.errors };
}
