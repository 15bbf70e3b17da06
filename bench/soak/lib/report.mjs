// The soak's summary table (printed) and its Markdown report (bench/SOAK.md).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { rssByDecile } from './keep-alive.mjs';
import { count, mib, percent } from './log.mjs';
import { timers } from './server-process.mjs';

function rssCell(p) {
  if (p.rss === undefined) return `${mib(p.before.rss)} → ${mib(p.after.rss)}`;
  if (p.rss.ok === null) return `not judged (${p.rss.count} samples)`;
  return `${mib(p.rss.min)} / ${mib(p.rss.max)} / ${mib(p.rss.final)} (spread ${percent(p.rss.spread, 2)})`;
}

function result(p) {
  const failed = p.checks.filter((c) => c.ok === false);
  if (failed.length > 0) return `**FAIL**: ${failed.map((c) => c.name).join(', ')}`;
  const unjudged = p.checks.filter((c) => c.ok === null);
  return unjudged.length > 0 ? `pass (not judged: ${unjudged.map((c) => c.name.split(' within')[0]).join(', ')})` : 'pass';
}

/** The summary table: one row per phase and scheme. */
export function renderSummary(run) {
  const b = run.baseline;
  const rows = run.phases.map((p) =>
    [
      `${p.id} (${p.scheme})`,
      p.work,
      `${p.seconds.toFixed(1)} s`,
      p.rate,
      percent(p.serverCpuSeconds / p.seconds, 0),
      rssCell(p),
      `${b.fds} → ${p.after.fds}`,
      `${b.handles} → ${p.after.handles}`,
      `${timers(b)} → ${timers(p.after)}`,
      result(p),
    ].join(' | '),
  );
  return [
    '| Phase | Work | Time | Rate | Server CPU | RSS: after warm-up min / max / final; else before → after | Descriptors | Handles | Timers | Result |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r} |`),
  ].join('\n');
}

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown CPU';
  // os.cpus(), not availableParallelism(): the harness pins itself to the client CPU.
  return `${os.cpus().length} × ${model}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${os.release()}, Node ${process.version}`;
}

function checksList(run) {
  const lines = [];
  for (const p of run.phases) {
    lines.push(`- **${p.id} (${p.scheme})**: ${p.checks.map((c) => `${c.name} — ${c.ok === false ? '**failed**' : c.ok === null ? 'not judged' : 'ok'} (${c.detail})`).join('; ')}`);
  }
  return lines.join('\n');
}

function rssSeries(run) {
  const keepAlive = run.phases.filter((p) => p.samples !== undefined);
  if (keepAlive.length === 0) return '';
  const head = '| Phase | ' + Array.from({ length: 11 }, (_, i) => `${i * 10} %`).join(' | ') + ' |';
  const rows = keepAlive.map((p) => {
    const requests = run.settings.requests[p.scheme];
    return `| ${p.id} (${p.scheme}) | ${rssByDecile(p.samples, requests).map((v) => (Number.isFinite(v) ? (v / 2 ** 20).toFixed(1) : '–')).join(' | ')} |`;
  });
  const latency = keepAlive.map((p) => `${p.id} (${p.scheme}) p50 ${p.latency.p50} ms, p99 ${Number.isFinite(p.latency.p99) ? p.latency.p99 : '–'} ms`);
  return [
    '## RSS through the keep-alive phases (MiB, by share of the requests done)',
    '',
    head,
    '| --- |' + ' --- |'.repeat(11),
    ...rows,
    '',
    `wrk latency: ${latency.join('; ')}.`,
    '',
  ].join('\n');
}

function youngGeneration(s) {
  if (s.semiSpaceMiB === 0) return "V8 sizes the young generation itself (SOAK_SEMI_SPACE_MB=0), so RSS steps by tens of MiB when it grows or shrinks.";
  return `The server runs with V8's young generation fixed at ${s.semiSpaceMiB} MiB semi-spaces (\`--min-semi-space-size\` =
  \`--max-semi-space-size\`; ${s.semiSpaceMiB} MiB is V8's own largest default on 64-bit): left to V8, it
  grows from 8 to 16 MiB semi-spaces or shrinks back whenever the allocation rate changes, which moves RSS
  by 16 MiB at once (measured here: 93 → 109 MiB, with the live heap at 14.5 MiB throughout), a
  step that would read as a leak in a 5 % band, or hide one.`;
}

/** The whole report, as bench/SOAK.md holds it. */
export function renderReport(run) {
  const s = run.settings;
  const b = run.baseline;
  const load = os.loadavg().map((l) => l.toFixed(2)).join(', ');
  return `# tiercel soak results

Written by \`npm run soak\` (bench/soak/soak.mjs) on ${run.date}; the run took ${run.minutes.toFixed(1)} minutes.
Reproduce with \`${run.command}\`.

- Machine: ${machine()}; load average at the end ${load} (other work shares these CPUs, so rates
  are lower than an idle machine's; the checks do not depend on speed).
- Server: tiercel's demo app (\`/plaintext\`, \`/ws\`) in its own process${s.serverCpu === undefined ? '' : ` on CPU ${s.serverCpu}`}, one
  cleartext and one TLS endpoint (HTTP/1.1 and HTTP/2 offered, the clients speak HTTP/1.1; the
  development certificate, EC P-256), default limits. ${youngGeneration(s)} Clients${s.clientCpu === undefined ? '' : ` on CPU ${s.clientCpu}`}: wrk
  (${s.connections} keep-alive connections, one request in flight on each) and this harness
  (${s.concurrency} connect or WebSocket cycles in flight).
- Baseline, after a warm-up of every phase and a full GC: ${b.fds} descriptors, ${b.handles} handles,
  ${timers(b)} timers, RSS ${mib(b.rss)}, heap ${mib(b.heapUsed)}. End of the run (after GC):
  ${run.end.fds} descriptors, ${run.end.handles} handles, ${timers(run.end)} timers, RSS ${mib(run.end.rss)}, heap ${mib(run.end.heapUsed)}.

## Summary

${renderSummary(run)}

Server CPU is the server's CPU time over the phase's wall time (100 % is one core). Descriptors,
handles and timers: the baseline → after the phase, once the server had let go (no connection
left, waited up to ${(s.settleMs / 1000).toFixed(0)} s; timers are the referenced ones
\`process.getActiveResourcesInfo()\` lists). RSS for the keep-alive phases: sampled every ${s.sampleMs} ms;
after the first ${percent(s.warmupFraction, 0)} of the requests it must stay within a ${percent(s.rssTolerance, 0)} spread ((max − min) / min).
${s.gcEveryMs > 0 ? `Every ${s.gcEveryMs / 1000} s the sample is taken right after a full GC in the server, and the live heap
(\`heapUsed\` then) must stay within the same spread. ` : ''}For the other phases, RSS before → after, both after a full GC.

## Checks

${checksList(run)}

${rssSeries(run)}
## What each phase does

- **keep-alive**: wrk sends \`GET /plaintext\` on ${s.connections} keep-alive connections until the server
  has counted ${count(s.requests.http)} requests (${count(s.requests.https)} over TLS), then is stopped. Every error
  wrk counts (connect, read, write, timeout, non-2xx) fails the phase.
- **connects**: connections opened and closed one after another, ${s.concurrency} at a time, ending four ways in
  turn: a request with \`Connection: close\` (the server closes), a keep-alive request then the client's
  FIN, connect and close with nothing sent (over TLS: before the handshake), and half a request line
  then a TCP RST. Over TLS all but the third complete a verified handshake.
- **websocket**: \`ws\` clients open \`/ws\` and end four ways in turn: echo then a close handshake, a
  close handshake at once, echo then the TCP connection dropped, dropped at once.
`;
}
