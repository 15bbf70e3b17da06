// wrk: the load generator. Checks the tools exist, runs wrk pinned to its CPU, and
// parses its text report (wrk 4.x with --latency).
import { spawnSync } from 'node:child_process';
import { runToEnd } from './processes.mjs';

/** Returns a list of problems (empty when wrk, if `wrk` is set, and taskset are usable). */
export function checkTools({ wrk: needWrk = true } = {}) {
  const problems = [];
  const wrk = needWrk ? spawnSync('wrk', ['--version'], { encoding: 'utf8' }) : {};
  if (wrk.error) {
    problems.push('wrk is not installed (or not on PATH). Install it as root:\n    apt-get update && apt-get install -y wrk');
  }
  const taskset = spawnSync('taskset', ['-c', '0', 'true'], { encoding: 'utf8' });
  if (taskset.error) {
    problems.push('taskset is not installed; it comes with util-linux:\n    apt-get install -y util-linux');
  } else if (taskset.status !== 0) {
    problems.push(`taskset -c 0 failed: ${taskset.stderr.trim()}`);
  }
  return problems;
}

export function wrkVersion() {
  const out = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  return /wrk (\S+)/.exec(`${out.stdout}${out.stderr}`)?.[1] ?? 'unknown';
}

/** One wrk run; resolves with the parsed report (see parseWrk) plus the raw text. */
export async function runWrk({ url, seconds, connections, script, scriptArgs = [], headers = [], cpu, cwd, onStart }) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency'];
  for (const header of headers) args.push('-H', header);
  if (script) args.push('-s', script);
  args.push(url);
  if (scriptArgs.length) args.push('--', ...scriptArgs);
  const { code, signal, stdout, stderr } = await runToEnd('wrk', args, { cpu, cwd, timeoutMs: (seconds + 30) * 1000, onStart });
  if (code !== 0) throw new Error(`wrk ${args.join(' ')} failed (${signal ?? `code ${code}`}): ${stderr.trim() || stdout.trim()}`);
  return { ...parseWrk(stdout), raw: stdout };
}

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function toMs(text) {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text);
  if (!match) return NaN;
  return Number(match[1]) * UNIT_MS[match[2]];
}

/**
 * Extracts requests/s, the latency percentiles, request count and errors from wrk's
 * report. Errors: socket connect/read/write/timeout counts and non-2xx/3xx responses.
 */
export function parseWrk(text) {
  const rps = Number(/^Requests\/sec:\s+([\d.]+)/m.exec(text)?.[1] ?? NaN);
  const latency = {};
  for (const [, pct, value] of text.matchAll(/^\s+(50|75|90|99)%\s+(\S+)/gm)) latency[`p${pct}`] = toMs(value);
  const requests = Number(/^\s+(\d+) requests in/m.exec(text)?.[1] ?? NaN);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const errors = {
    connect: Number(socket?.[1] ?? 0),
    read: Number(socket?.[2] ?? 0),
    write: Number(socket?.[3] ?? 0),
    timeout: Number(socket?.[4] ?? 0),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0),
  };
  if (!Number.isFinite(rps) || latency.p99 === undefined) throw new Error(`could not parse wrk output:\n${text}`);
  // wrk 4.x sometimes prints "99%  0.00us" when it holds few latency samples (a
  // pipelined run records one per batch): a p99 below p90 is unknown, not zero.
  if (latency.p99 < (latency.p90 ?? 0) || latency.p99 === 0) latency.p99 = NaN;
  return { rps, latency, requests, errors };
}
