// Phase (a): N keep-alive requests from wrk (one request in flight per connection, no
// pipelining), the server's memory sampled as it goes. wrk runs for "long enough" and is stopped
// with SIGINT (it then prints its report as usual) once the server has counted N requests, so the
// run is sized in requests, not seconds.
import { runToEnd } from '../../lib/processes.mjs';
import { parseWrk } from '../../lib/wrk.mjs';
import { log } from './log.mjs';

/** wrk's -d: time enough at 1,000 req/s, far below any real rate; a stall is caught sooner (below). */
const MIN_RATE = 1000;
/** No request served for this long while wrk runs: the server is stuck, stop and report. */
const STALL_MS = 15_000;
/** Samples after warm-up needed before a spread means anything. */
export const MIN_SAMPLES = 5;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs wrk against `${url}/plaintext` until the server has served `requests` more requests.
 * Every `gcEveryMs` (0: never) the sample is taken after a full collection in the server (`gc`
 * set), so that memory still in use can be told from garbage not yet collected.
 * Resolves with wrk's parsed report, the number served, the elapsed time and the samples
 * ({ t, done, gc, rss, heapUsed, heapTotal, external, fds, handles, connections }).
 */
export async function runKeepAlive(server, { url, requests, connections, cpu, sampleMs, gcEveryMs, label }) {
  const first = await server.snapshot();
  const seconds = Math.ceil(requests / MIN_RATE) + 30;
  let wrk;
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', `${url}/plaintext`];
  const run = runToEnd('wrk', args, { cpu, timeoutMs: (seconds + 60) * 1000, onStart: (child) => (wrk = child) });
  let finished = false;
  const ended = () => (finished = true);
  run.then(ended, ended);

  const started = Date.now();
  const samples = [];
  let lastProgress = { t: started, done: 0 };
  let lastLog = started;
  let stopReason = null;
  let delay = sampleMs;
  let lastGc = started;
  while (!finished) {
    await sleep(delay);
    if (finished) break;
    const gc = gcEveryMs > 0 && Date.now() - lastGc >= gcEveryMs;
    if (gc) lastGc = Date.now();
    const s = await server.snapshot({ gc });
    const done = s.requests - first.requests;
    const sample = {
      t: s.at - started,
      done,
      gc,
      rss: s.rss,
      heapUsed: s.heapUsed,
      heapTotal: s.heapTotal,
      external: s.external,
      fds: s.fds,
      handles: s.handles,
      connections: s.connections,
    };
    samples.push(sample);
    if (done >= requests) {
      wrk.kill('SIGINT');
      break;
    }
    if (done > lastProgress.done) lastProgress = { t: s.at, done };
    else if (s.at - lastProgress.t > STALL_MS) {
      stopReason = `no request served for ${STALL_MS / 1000} s after ${done.toLocaleString('en-US')}`;
      wrk.kill('SIGINT');
      break;
    }
    if (s.at - lastLog >= 10_000) {
      lastLog = s.at;
      const rate = done / ((s.at - started) / 1000);
      log(`${label}: ${((100 * done) / requests).toFixed(0)} % (${Math.round(rate).toLocaleString('en-US')} req/s), RSS ${(s.rss / 2 ** 20).toFixed(1)} MiB`);
    }
    // Near the end, look again when the rest should be done rather than a whole interval later,
    // so wrk stops close to N (it overshoots by what is in flight and one short poll).
    const rate = done / Math.max(1, sample.t);
    const msLeft = (requests - done) / rate;
    delay = Math.max(5, Math.min(sampleMs, msLeft));
  }
  const { code, signal, stdout, stderr } = await run;
  if (code !== 0) throw new Error(`wrk ${args.join(' ')} failed (${signal ?? `code ${code}`}): ${stderr.trim() || stdout.trim()}`);
  const report = parseWrk(stdout);
  const last = await server.snapshot();
  const served = last.requests - first.requests;
  if (stopReason === null && served < requests) stopReason = `wrk ended after ${served.toLocaleString('en-US')} of ${requests.toLocaleString('en-US')} requests`;
  return { wrk: report, served, seconds: (last.at - started) / 1000, samples, stopReason };
}

/**
 * The spread ((max - min) / min) of `field` over `samples` after the first `warmupFraction` of
 * the requests, and whether it stays within `tolerance`. Too few samples → not judged (ok: null).
 */
export function judgeSpread(samples, field, requests, { warmupFraction, tolerance }) {
  const after = samples.filter((s) => s.done >= warmupFraction * requests);
  if (after.length < MIN_SAMPLES) return { ok: null, count: after.length };
  let min = Infinity;
  let max = 0;
  for (const s of after) {
    min = Math.min(min, s[field]);
    max = Math.max(max, s[field]);
  }
  const spread = (max - min) / min;
  return { ok: spread <= tolerance, count: after.length, min, max, first: after[0][field], final: after.at(-1)[field], spread };
}

/** RSS when 0 %, 10 %, … 100 % of the requests were done (the nearest sample at or after each mark). */
export function rssByDecile(samples, requests) {
  const out = [];
  for (let i = 0; i <= 10; i++) {
    const mark = (i / 10) * requests;
    const s = samples.find((x) => x.done >= mark) ?? samples.at(-1);
    out.push(s ? s.rss : NaN);
  }
  return out;
}
