// Turns the measurements into the Markdown written to RESULTS.md (and printed).
import { errorTotal } from './wrk.mjs';

export const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Median share of the server's core taken by other work above which a row is called contended. */
const CONTENDED = 0.1;

const int = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const ms = (n) => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms` : '–');
const mib = (kib) => (Number.isFinite(kib) ? `${(kib / 1024).toFixed(1)} MiB` : '–');
const kib = (n) => (Number.isFinite(n) ? `${n.toFixed(1)} KiB` : '–');
const pct = (n) => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : '–');
const ratio = (value, base) => (Number.isFinite(value) && Number.isFinite(base) && base > 0 ? `${(value / base).toFixed(2)}×` : '–');

function describeErrors(errors) {
  const parts = [];
  if (errors.non2xx) parts.push(`non-2xx ${errors.non2xx}`);
  for (const kind of ['connect', 'read', 'write', 'timeout']) if (errors[kind]) parts.push(`${kind} ${errors[kind]}`);
  return parts.join(', ');
}

/** Sums errors over rounds; a row with any is flagged ⚠ in the table. */
export function summarize(entry) {
  const rps = median(entry.rounds.map((r) => r.rps));
  const p99 = median(entry.rounds.map((r) => r.latency.p99));
  const errors = { connect: 0, read: 0, write: 0, timeout: 0, non2xx: 0 };
  for (const round of entry.rounds) for (const key of Object.keys(errors)) errors[key] += round.errors[key];
  const serverCpu = median(entry.rounds.map((r) => r.serverCpu));
  const clientCpu = median(entry.rounds.map((r) => r.clientCpu));
  const othersCpu = median(entry.rounds.map((r) => r.othersCpu));
  return { rps, p99, serverCpu, clientCpu, othersCpu, errors, flagged: errorTotal(errors) > 0 || Boolean(entry.failure) };
}

function scenarioTable(scenario, entries, baselineName) {
  const base = entries.get(baselineName);
  const baseSummary = base?.rounds.length ? summarize(base) : null;
  const p99 = (value) => (scenario.latency === false ? 'n/a' : ms(value));
  const p99Ratio = (value) => (scenario.latency === false ? 'n/a' : ratio(value, baseSummary?.p99));
  const baseRss = base?.memory?.rssKiB;
  const lines = [
    `### ${scenario.title}`,
    '',
    `\`${scenario.request}\``,
    '',
    '| Server | req/s (median) | vs node:http | p99 (median) | vs node:http | RSS after | vs node:http | peak RSS | CPU server / wrk / others | req/s per round | errors |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|',
  ];
  for (const [name, entry] of entries) {
    if (entry.rounds.length === 0) {
      lines.push(`| ⚠ ${name} | – | – | – | – | – | – | – | – | – | **not measured: ${entry.failure}** |`);
      continue;
    }
    const s = summarize(entry);
    const errorText = [describeErrors(s.errors), entry.failure].filter(Boolean).join('; ');
    const contended = s.othersCpu > CONTENDED ? ` (contended: other work took ${pct(s.othersCpu)} of a core)` : '';
    lines.push(
      `| ${s.flagged ? '⚠ ' : ''}${name} | ${int(s.rps)} | ${ratio(s.rps, baseSummary?.rps)} | ${p99(s.p99)} | ${p99Ratio(s.p99)} ` +
        `| ${mib(entry.memory?.rssKiB)} | ${ratio(entry.memory?.rssKiB, baseRss)} | ${mib(entry.memory?.peakKiB)} | ${pct(s.serverCpu)} / ${pct(s.clientCpu)} / ${pct(s.othersCpu)} ` +
        `| ${entry.rounds.map((r) => int(r.rps)).join(' / ')} | ${errorText ? `**${errorText}**` : 'none'}${contended} |`,
    );
  }
  return lines.join('\n');
}

function idleTable(idle, count, baselineName) {
  const lines = [
    `### Idle keep-alive connections`,
    '',
    `${int(count)} raw sockets each send \`GET /plaintext\`, read the response and stay open; server VmRSS is read before and after (median over rounds).`,
    '',
    '| Server | RSS before | RSS after | per connection | vs node:http | still open | notes |',
    '|---|--:|--:|--:|--:|--:|---|',
  ];
  const baseline = idle.get(baselineName);
  const basePer = baseline?.runs?.length ? median(baseline.runs.map((r) => r.perConnectionKiB)) : NaN;
  for (const [name, entry] of idle) {
    if (!entry.runs.length) {
      lines.push(`| ⚠ ${name} | – | – | – | – | – | **not measured: ${entry.failure}** |`);
      continue;
    }
    const per = median(entry.runs.map((r) => r.perConnectionKiB));
    const open = Math.min(...entry.runs.map((r) => r.open));
    const failed = Math.max(...entry.runs.map((r) => r.failed));
    const notes = [failed ? `${failed} failed to open` : '', open < count ? `only ${open} open at the reading` : '', entry.failure ?? '']
      .filter(Boolean)
      .join('; ');
    lines.push(
      `| ${notes ? '⚠ ' : ''}${name} | ${mib(median(entry.runs.map((r) => r.beforeKiB)))} | ${mib(median(entry.runs.map((r) => r.afterKiB)))} ` +
        `| ${kib(per)} | ${ratio(per, basePer)} | ${int(open)} | ${notes ? `**${notes}**` : ''} |`,
    );
  }
  return lines.join('\n');
}

function injectTable(inject) {
  const lines = ['### In-process client: `GET /plaintext`, sequential', ''];
  if (inject.error) return [...lines, `⚠ **not measured: ${inject.error}**`].join('\n');
  lines.push(
    `${int(inject.requests)} requests one after another (after ${int(inject.warmup)} warm-up requests) through each framework's in-memory client; no sockets. \`node bench/inject.mjs\` runs it alone.`,
    '',
    '| Server | client | req/s | time |',
    '|---|---|--:|--:|',
  );
  for (const r of inject.results) lines.push(`| ${r.name} | ${r.client} | ${int(r.rps)} | ${ms(r.ms)} |`);
  if (!inject.results.some((r) => r.name === 'tiercel')) lines.push('| tiercel | in-memory transport | not yet measured (see the TIERCEL block in `bench/inject.mjs`) | – |');
  return lines.join('\n');
}

export function renderReport({ meta, settings, scenarios, results, idle, inject, baselineName }) {
  const sections = [
    '# tiercel benchmark results',
    '',
    `- Date: ${meta.date}`,
    `- Machine: ${meta.nproc} CPUs, ${meta.cpuModel}; ${meta.memTotal} RAM; Linux ${meta.kernel}; load average at start ${meta.load} (other work on the machine skews results: see the CPU column)`,
    `- Node ${meta.node}; wrk ${meta.wrk}; ${meta.peers}`,
    `- Server pinned to CPU ${settings.serverCpu} (\`taskset -c ${settings.serverCpu}\`), wrk to CPU ${settings.clientCpu}: \`wrk -t1 -c${settings.connections} -d${settings.duration}s --latency\`; ` +
      `${settings.rounds} interleaved round(s) per scenario after a ${settings.warmup} s warm-up of each server; one process per server per scenario; wrk's default 2 s timeout (a timed-out request counts as a socket error).`,
    `- Reproduce: \`${meta.command}\` from the repository root (or \`${meta.directCommand}\` in \`bench/\` with tiercel already built).`,
    '',
    'Ratios are against node:http (req/s: higher is better; p99 and RSS: lower is better). "RSS after" is VmRSS read at the end of the ' +
      'scenario, "peak RSS" is VmHWM. ' +
      '"CPU server / wrk / others" are shares of one core while wrk ran (medians over rounds): the server on its core, wrk on ' +
      'its core, and other processes plus hypervisor steal on the two cores together. Server well under 100% means something ' +
      'else set the pace (wrk, if it is near 100%); others above 10% marks the row contended: rerun on a quiet machine before trusting it. A p99 of – means wrk printed no usable 99th percentile. ⚠ marks a server that had socket errors or non-2xx responses, or could not be measured. ' +
      'The ceiling is a bare `net` server that answers every CRLFCRLF with a prebuilt response: no server on Node can go faster on plaintext.',
    '',
  ];
  for (const scenario of scenarios) {
    sections.push(scenarioTable(scenario, results.get(scenario.id), baselineName), '');
  }
  if (idle) sections.push(idleTable(idle, settings.idleConnections, baselineName), '');
  if (inject) sections.push(injectTable(inject), '');
  return sections.join('\n');
}
