// N short-lived client cycles (a connection, a WebSocket) with at most `concurrency` in flight,
// each under a deadline so a server that never answers shows up as a counted failure, not a hang.
import { count, log } from './log.mjs';

/**
 * Calls `cycle(i, signal)` for i = 0 … total-1, `concurrency` at a time. A cycle that throws, or
 * outlives `timeoutMs` (its `signal` is then aborted and it must clean up), counts as a failure
 * under its message. Resolves with { total, failed, failures: { message: n }, seconds, rate }.
 */
export async function runCycles({ total, concurrency, timeoutMs, label, cycle }) {
  const failures = {};
  let failed = 0;
  let next = 0;
  let done = 0;
  const started = Date.now();
  let lastLog = started;

  async function one(i) {
    const controller = new AbortController();
    let timer;
    const deadline = new Promise((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`no end within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      await Promise.race([cycle(i, controller.signal), deadline]);
    } catch (error) {
      failed++;
      const key = String(error?.message ?? error).slice(0, 120);
      failures[key] = (failures[key] ?? 0) + 1;
    } finally {
      clearTimeout(timer);
    }
  }

  async function worker() {
    while (next < total) {
      await one(next++);
      done++;
      if (Date.now() - lastLog >= 10_000) {
        lastLog = Date.now();
        log(`${label}: ${count(done)} of ${count(total)} (${count(done / ((lastLog - started) / 1000))}/s)`);
      }
    }
  }

  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  const seconds = (Date.now() - started) / 1000;
  return { total, failed, failures, seconds, rate: total / seconds };
}
