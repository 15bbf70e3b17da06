// Child processes of the harness: server processes pinned to one CPU, wrk pinned to
// another. Every child is tracked so that exit, ctrl-c or a crash never leaves one behind.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { readCpuSeconds } from './cpu.mjs';

const live = new Set();

function killAll() {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    killAll();
    process.stderr.write(`\nbench: ${signal}, server processes stopped\n`);
    process.exit(130);
  });
}

/**
 * Spawns a tracked child; with `cpu` set it runs under `taskset -c <cpu>` (taskset execs, so the
 * pid is the program's and an `ipc` channel reaches it).
 */
export function spawnTracked(command, args, { cpu, cwd, env, ipc = false } = {}) {
  const [file, argv] = cpu === undefined ? [command, args] : ['taskset', ['-c', String(cpu), command, ...args]];
  const stdio = ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'];
  const child = spawn(file, argv, { cwd, env: env ?? process.env, stdio });
  live.add(child);
  child.on('exit', () => live.delete(child));
  return child;
}

/** A TCP port that was free a moment ago (the server is retried on a fresh one if it was taken meanwhile). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** VmRSS and VmHWM (peak) of a live process, in KiB; null once it has exited. */
export function readMemory(pid) {
  let status;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKiB: field('VmRSS'), peakKiB: field('VmHWM') };
}

/**
 * Starts `node servers/<file> <port>` pinned to `cpu` and resolves once it prints
 * `listening`. Rejects if it exits first or stays silent for `timeoutMs`; retries
 * on a fresh port when the first one was taken in the meantime.
 */
export async function startServer({ name, file, cpu, timeoutMs, benchDir, attempts = 3 }) {
  let lastError;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = await freePort();
    try {
      return await startOnce({ name, file, cpu, timeoutMs, benchDir, port });
    } catch (error) {
      lastError = error;
      if (!/EADDRINUSE/.test(error.message)) break;
    }
  }
  throw lastError;
}

/** The most telling line of a child's stderr: the first "SomethingError: …" line, else the first line. */
function errorLine(text) {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^([A-Z]\w*)?(Error|Exception)\b/.test(l)) ?? lines[0] ?? '';
}

function startOnce({ name, file, cpu, timeoutMs, benchDir, port }) {
  const child = spawnTracked(process.execPath, [join(benchDir, 'servers', file), String(port)], { cpu, cwd: benchDir });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text) => {
    stderr = (stderr + text).slice(-4000);
  });

  const server = {
    name,
    port,
    pid: child.pid,
    /** VmRSS/VmHWM when it printed "listening" (nothing served yet). */
    startMemory: null,
    get exited() {
      return child.exitCode !== null || child.signalCode !== null;
    },
    /** How it ended, e.g. "code 3" or "SIGSEGV", plus the error line of its stderr if any. */
    get exitReason() {
      const how = child.signalCode ?? `code ${child.exitCode}`;
      const line = errorLine(stderr);
      return line ? `${how}: ${line}` : how;
    },
    memory: () => readMemory(child.pid),
    cpuSeconds: () => readCpuSeconds(child.pid),
    stop() {
      if (server.exited) return Promise.resolve();
      return new Promise((resolve) => {
        const force = setTimeout(() => child.kill('SIGKILL'), 2000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      });
    },
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      const line = errorLine(stderr);
      reject(new Error(`${name} did not print "listening" within ${timeoutMs} ms${line ? `: ${line}` : ''}`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (text) => {
      stdout += text;
      if (/^listening\b/m.test(stdout)) {
        clearTimeout(timer);
        child.stdout.removeAllListeners('data').resume();
        server.startMemory = readMemory(child.pid);
        resolve(server);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const line = errorLine(stderr);
      reject(new Error(`${name} exited (${signal ?? `code ${code}`}) before listening${line ? `: ${line}` : ''}`));
    });
  });
}

/** Runs a tracked child to completion, resolving with its output; kills it after `timeoutMs`. */
export function runToEnd(command, args, { cpu, cwd, env, timeoutMs, onStart }) {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(command, args, { cpu, cwd, env });
    onStart?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t) => (stderr += t));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
