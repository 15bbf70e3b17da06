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
 * Measures one wrk run: the server on `serverCpu`, wrk on `clientCpu`. Call `watchClient(pid)`
 * once wrk has started (its CPU time is sampled every 100 ms, since an exited process can no
 * longer be read), then `stop()` for shares of one core (0..1): { server, client, others },
 * where `others` is what other processes and hypervisor steal took on the two cores together,
 * and `serverSeconds`, the server's CPU time over the run (divided by the requests it served, the
 * CPU cost of one request: unlike req/s it is not set by the load generator, and it moves less
 * when other work shares the machine, though contention inflates it too).
 */
export function startCpuMeter({ serverPid, serverCpu, clientCpu }) {
  const t0 = performance.now();
  const server0 = readCpuSeconds(serverPid);
  const cores0 = readCoreBusySeconds(serverCpu) + readCoreBusySeconds(clientCpu);
  let client = 0;
  let timer;
  return {
    watchClient(pid) {
      timer = setInterval(() => {
        const seconds = readCpuSeconds(pid);
        if (Number.isFinite(seconds)) client = seconds;
      }, 100);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      const seconds = (performance.now() - t0) / 1000;
      const serverSeconds = readCpuSeconds(serverPid) - server0;
      const server = serverSeconds / seconds;
      const cores = (readCoreBusySeconds(serverCpu) + readCoreBusySeconds(clientCpu) - cores0) / seconds;
      const clientShare = client / seconds;
      return { server, serverSeconds, client: clientShare, others: Math.max(0, cores - server - clientShare) };
    },
  };
}
