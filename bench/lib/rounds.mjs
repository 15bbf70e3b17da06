// Interleaved rounds, shared by every row that compares servers under a load generator (wrk,
// h2load, the WebSocket client): start each server once (or once per round, for a row that asks),
// pinned to SERVER_CPU; check and warm it up; then measure round after round, rotating the order
// (A B C, B C A, …) so drift (thermal, other load) hits every server alike, with the CPU meter
// around each measured load run.
import { startCpuMeter } from './cpu.mjs';
import { startServer } from './processes.mjs';

export const log = (message) => process.stderr.write(`bench: ${message}\n`);
export const fmt = (n) => Math.round(n).toLocaleString('en-US');

/**
 * Runs `settings.rounds` interleaved rounds over `specs` ({ name, file } of servers/*.mjs).
 *  - check(server): resolves null when the server answers correctly, else a one-line problem.
 *  - warmup(server): one unrecorded load run (skipped when it is falsy).
 *  - measure(server, onStart): one load run; resolves with { rate, served, errors, … } (rate in the
 *    row's unit: req/s or messages/s; served: requests or messages answered over the whole run);
 *    call onStart(child) once the load generator has spawned.
 *  - describe(result): extra text for the per-round log line.
 *  - freshProcess: start (check, warm up) each server afresh for every round and stop it after, for
 *    a row whose cost is drawn once per process start (the POST echo's: how glibc's heap starts out
 *    decides whether each echo faults its pages in again), so that the median is over draws; "RSS
 *    after" is then the median round's.
 * Resolves with Map name → { rounds: [result + serverCpu/clientCpu/othersCpu/cpuMicros], startMemory, memory, failure },
 * where cpuMicros is the server's CPU time per request (or message) in µs and startMemory its
 * VmRSS when it printed "listening".
 */
export async function runInterleaved({ id, specs, settings, benchDir, check, warmup, measure, describe = () => '', unit, freshProcess = false }) {
  const entries = new Map();
  const running = [];
  const start = async (spec, entry) => {
    try {
      const server = await startServer({ ...spec, cpu: settings.serverCpu, timeoutMs: settings.startTimeoutMs, benchDir });
      entry.startMemory ??= server.startMemory;
      const wrong = await check(server);
      if (wrong) {
        await server.stop();
        throw new Error(wrong);
      }
      if (warmup) await warmup(server);
      return server;
    } catch (error) {
      entry.failure = error.message.split('\n')[0];
      log(`${id} ${spec.name}: ${entry.failure}`);
      return null;
    }
  };
  for (const spec of specs) {
    const entry = { rounds: [], startMemory: null, memory: null, failure: null, memories: [] };
    entries.set(spec.name, entry);
    const server = freshProcess ? null : await start(spec, entry);
    if (freshProcess || server !== null) running.push({ spec, server, entry });
  }

  const measureRound = async (round, spec, server, entry) => {
    if (server.exited) {
      entry.failure = `exited during the run (${server.exitReason})`;
      log(`${id} ${spec.name}: ${entry.failure}`);
      return;
    }
    try {
      const meter = startCpuMeter({ serverPid: server.pid, serverCpu: settings.serverCpu, clientCpu: settings.clientCpu });
      const result = await measure(server, (child) => meter.watchClient(child.pid));
      // Server well under 100%: something else set the pace (the client near 100%: it did). Others: contended.
      const cpu = meter.stop();
      const cpuMicros = result.served > 0 ? (cpu.serverSeconds * 1e6) / result.served : NaN;
      Object.assign(result, { serverCpu: cpu.server, clientCpu: cpu.client, othersCpu: cpu.others, cpuMicros });
      entry.rounds.push(result);
      log(
        `${id} round ${round + 1}/${settings.rounds} ${spec.name}: ${fmt(result.rate)} ${unit}${describe(result)}, ` +
          `${cpuMicros.toFixed(2)} µs server CPU each, CPU server ${(cpu.server * 100).toFixed(0)}%, client ${(cpu.client * 100).toFixed(0)}%, others ${(cpu.others * 100).toFixed(0)}%`,
      );
    } catch (error) {
      entry.failure = error.message.split('\n')[0];
      log(`${id} ${spec.name}: ${entry.failure}`);
    }
  };

  try {
    for (let round = 0; round < settings.rounds; round++) {
      const order = running.map((_, i) => running[(i + round) % running.length]);
      for (const { spec, server, entry } of order) {
        if (entry.failure) continue;
        if (!freshProcess) {
          await measureRound(round, spec, server, entry);
          continue;
        }
        const fresh = await start(spec, entry);
        if (fresh === null) continue;
        log(`${id} round ${round + 1}/${settings.rounds} ${spec.name}: a fresh process, pid ${fresh.pid}`);
        try {
          await measureRound(round, spec, fresh, entry);
        } finally {
          const memory = fresh.memory();
          if (memory) entry.memories.push(memory);
          await fresh.stop();
        }
      }
    }
  } finally {
    for (const { server, entry } of running) {
      if (freshProcess) {
        entry.memory = medianBy(entry.memories, (m) => m.rssKiB);
        continue;
      }
      entry.memory = server.memory();
      if (server.exited && !entry.failure) entry.failure = `exited during the run (${server.exitReason})`;
      await server.stop();
    }
  }
  return entries;
}

/** The item whose key is the median of `items` (the lower middle of an even count), or null when there are none. */
function medianBy(items, key) {
  if (items.length === 0) return null;
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return sorted[(sorted.length - 1) >> 1];
}
