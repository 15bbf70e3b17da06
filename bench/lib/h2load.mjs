// h2load (nghttp2): the HTTP/2 load generator. Checks it exists, runs it pinned to its CPU and
// parses its report.
import { spawnSync } from 'node:child_process';
import { runToEnd } from './processes.mjs';

/** Returns a list of problems (empty when h2load is usable). */
export function checkH2load() {
  const out = spawnSync('h2load', ['--version'], { encoding: 'utf8' });
  return out.error ? ['h2load is not installed (or not on PATH). Install it as root:\n    apt-get update && apt-get install -y nghttp2-client'] : [];
}

export function h2loadVersion() {
  const out = spawnSync('h2load', ['--version'], { encoding: 'utf8' });
  return /nghttp2\/(\S+)/.exec(`${out.stdout}${out.stderr}`)?.[1] ?? 'unknown';
}

export const h2loadArgs = ({ requests, clients, streams }) => ['-n', String(requests), '-c', String(clients), '-m', String(streams)];

/** One h2load run (h2c, prior knowledge); resolves with the parsed report (see parseH2load) plus the raw text. */
export async function runH2load({ url, requests, clients, streams, cpu, cwd, onStart }) {
  const args = [...h2loadArgs({ requests, clients, streams }), url];
  const { code, signal, stdout, stderr } = await runToEnd('h2load', args, { cpu, cwd, timeoutMs: 300_000, onStart });
  if (code !== 0) throw new Error(`h2load ${args.join(' ')} failed (${signal ?? `code ${code}`}): ${stderr.trim() || stdout.trim().split('\n').at(-1)}`);
  return { ...parseH2load(stdout, requests), raw: stdout };
}

const UNIT_MS = { us: 0.001, ms: 1, s: 1000 };
const toMs = (text) => {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text ?? '');
  return match ? Number(match[1]) * UNIT_MS[match[2]] : NaN;
};

/**
 * req/s, mean and max time per request, and errors: requests that failed, errored or timed
 * out, answers other than 2xx, and requests h2load never got to (total − succeeded − failed).
 */
export function parseH2load(text, requested) {
  const rate = /^finished in [\d.]+m?s, ([\d.]+) req\/s/m.exec(text);
  const counts = /^requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/m.exec(text);
  const status = /^status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/m.exec(text);
  const time = /^time for request:\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(text);
  if (!rate || !counts || !status) throw new Error(`could not parse h2load output:\n${text}`);
  const [total, , succeeded, failed, errored, timeout] = counts.slice(1).map(Number);
  const errors = {
    failed,
    errored,
    timeout,
    non2xx: Number(status[2]) + Number(status[3]) + Number(status[4]),
    unfinished: Math.max(0, (requested ?? total) - succeeded - failed),
  };
  return { rate: Number(rate[1]), rps: Number(rate[1]), latency: { mean: toMs(time?.[3]), max: toMs(time?.[2]) }, requests: succeeded, errors };
}
