// The soak server as the harness sees it: started pinned to its CPU with an IPC channel, asked
// for diagnostics over that channel, its descriptors read from /proc, and waited on until what a
// phase opened is closed again.
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { spawnTracked } from '../../lib/processes.mjs';

const SERVER = join(import.meta.dirname, '..', 'server.mjs');
const DIAG_TIMEOUT_MS = 10_000;

/**
 * Starts server.mjs and resolves once it reports its URLs; rejects if it exits or stays silent.
 * With `semiSpaceMiB`, V8's young generation is fixed at that size (min = max) instead of growing
 * and shrinking with the allocation rate: each resize moves RSS by twice the step at once (16 MiB
 * for 8 → 16 MiB semi-spaces), which would read as a leak, or hide one, in a 5 % band.
 */
export function startSoakServer({ certFile, keyFile, cpu, timeoutMs, semiSpaceMiB }) {
  const v8 = semiSpaceMiB > 0 ? [`--min-semi-space-size=${semiSpaceMiB}`, `--max-semi-space-size=${semiSpaceMiB}`] : [];
  const child = spawnTracked(process.execPath, ['--expose-gc', ...v8, SERVER, certFile, keyFile], { cpu, ipc: true });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text) => {
    stderr = (stderr + text).slice(-4000);
  });
  child.stdout.resume();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the soak server did not start within ${timeoutMs} ms: ${stderr.trim()}`));
    }, timeoutMs);
    child.on('message', function ready(message) {
      if (message?.type !== 'ready') return;
      clearTimeout(timer);
      child.off('message', ready);
      resolve(new SoakServer(child, message.urls, () => stderr));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the soak server exited (${signal ?? `code ${code}`}) before it was ready: ${stderr.trim()}`));
    });
  });
}

/** Counts by kind of what a process's descriptors point at: `{ socket: 5, pipe: 2, anon_inode:[eventpoll]: 1, … }`. */
function fdKinds(pid) {
  const out = {};
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed between the listing and the look
    }
    const kind = /^(socket|pipe):/.exec(target)?.[1] ?? (target.startsWith('/') ? 'file' : target);
    out[kind] = (out[kind] ?? 0) + 1;
  }
  return out;
}

export class SoakServer {
  #child;
  #nextId = 0;
  #pending = new Map();
  #stderr;

  constructor(child, urls, stderr) {
    this.#child = child;
    this.#stderr = stderr;
    this.pid = child.pid;
    this.httpUrl = urls.find((u) => u.startsWith('http://'));
    this.httpsUrl = urls.find((u) => u.startsWith('https://'));
    child.on('message', (message) => {
      if (message?.type !== 'diag') return;
      const waiter = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      waiter?.resolve(message);
    });
    child.once('exit', (code, signal) => {
      const error = new Error(`the soak server exited (${signal ?? `code ${code}`}): ${this.#stderr().trim()}`);
      for (const waiter of this.#pending.values()) waiter.reject(error);
      this.#pending.clear();
    });
  }

  get exited() {
    return this.#child.exitCode !== null || this.#child.signalCode !== null;
  }

  /**
   * Memory, handles, live connections and requests served, from the server itself, plus its
   * descriptor count from /proc. With `gc`, a full collection runs first (heap figures then mean
   * live objects, not garbage not yet collected).
   */
  snapshot({ gc = false } = {}) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`the soak server did not answer a diagnostics request within ${DIAG_TIMEOUT_MS} ms`));
      }, DIAG_TIMEOUT_MS);
      this.#pending.set(id, {
        resolve: (message) => {
          clearTimeout(timer);
          resolve({ ...message, fds: readdirSync(`/proc/${this.pid}/fd`).length, at: Date.now() });
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#child.send({ type: gc ? 'gc' : 'diag', id });
    });
  }

  /** Descriptor kinds, for the report when a count does not come back. */
  fdKinds() {
    return fdKinds(this.pid);
  }

  /**
   * Waits until the server holds no connection and no more descriptors, handles and timers than
   * `baseline`, polling every 100 ms for up to `timeoutMs`. Resolves with { ok, snapshot, waitedMs }:
   * the last snapshot either way, so a leak is reported with its numbers.
   */
  async settle(baseline, timeoutMs) {
    const start = Date.now();
    for (;;) {
      const snapshot = await this.snapshot({ gc: true });
      const ok =
        snapshot.connections === 0 &&
        snapshot.fds <= baseline.fds &&
        snapshot.handles <= baseline.handles &&
        timers(snapshot) <= timers(baseline);
      const waitedMs = Date.now() - start;
      if (ok || waitedMs >= timeoutMs) return { ok, snapshot, waitedMs };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  stop() {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      const force = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
      this.#child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      this.#child.send({ type: 'stop' });
    });
  }
}

/** Live timers (`Timeout` in getActiveResourcesInfo): a timer per connection left behind is a leak too. */
export function timers(snapshot) {
  return snapshot.resources.Timeout ?? 0;
}
