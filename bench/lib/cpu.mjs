// CPU accounting from /proc, to tell a server-bound run from a contended one: how much
// of its pinned core the server used, and how much of that core went to anything else.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** CPU seconds (user + system, all threads) a live process has used so far; NaN once it has exited. */
export function readCpuSeconds(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return NaN;
  }
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * Seconds one core has spent on processes and hypervisor steal so far (user, nice,
 * system, steal). irq/softirq are left out: on loopback they are mostly the
 * benchmark's own packets, not someone else's work.
 */
export function readCoreBusySeconds(cpu) {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${cpu} `));
  if (!line) return NaN;
  const [user, nice, system, , , , , steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + (steal ?? 0)) / CLOCK_TICKS;
}

/**
 * Starts a measurement of `pid` on core `cpu`; calling the returned function gives
 * { server, others }: shares of that core (0..1) used by the server and by everything
 * else (other processes, hypervisor steal) since the start.
 */
export function startCpuMeter(pid, cpu) {
  const t0 = performance.now();
  const server0 = readCpuSeconds(pid);
  const core0 = readCoreBusySeconds(cpu);
  return () => {
    const seconds = (performance.now() - t0) / 1000;
    const server = (readCpuSeconds(pid) - server0) / seconds;
    const core = (readCoreBusySeconds(cpu) - core0) / seconds;
    return { server, others: Math.max(0, core - server) };
  };
}
