// Turns the measurements into the Markdown written to RESULTS.md (and printed).
import { IDLE_KINDS, rowCommand } from './settings.mjs';

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
/** Server CPU µs per request: the median over rounds, then the spread (one round: no spread). */
const micros = ({ median: m, min, max }) =>
  !Number.isFinite(m) ? '–' : min === max ? `${m.toFixed(1)} µs` : `${m.toFixed(1)} µs (${min.toFixed(1)}–${max.toFixed(1)})`;
const ratio = (value, base) => (Number.isFinite(value) && Number.isFinite(base) && base > 0 ? `${(value / base).toFixed(2)}×` : '–');

const ERROR_LABELS = { non2xx: 'non-2xx', wrongEcho: 'wrong echo', closed: 'closed early', unfinished: 'unfinished' };

/** Every error count of a load generator is a number under `errors`; any of them above 0 flags the row. */
export const errorTotal = (errors) => Object.values(errors).reduce((sum, n) => sum + n, 0);

function describeErrors(errors) {
  return Object.entries(errors)
    .filter(([, n]) => n)
    .map(([kind, n]) => `${ERROR_LABELS[kind] ?? kind} ${n}`)
    .join(', ');
}

/** Medians over rounds (rate is req/s or messages/s), errors summed over rounds; a row with any is flagged ⚠ in the table. */
export function summarize(entry) {
  const rate = median(entry.rounds.map((r) => r.rate));
  const p99 = median(entry.rounds.map((r) => r.latency?.p99));
  const mean = median(entry.rounds.map((r) => r.latency?.mean));
  const errors = {};
  for (const round of entry.rounds) for (const [key, n] of Object.entries(round.errors ?? {})) errors[key] = (errors[key] ?? 0) + n;
  const serverCpu = median(entry.rounds.map((r) => r.serverCpu));
  const clientCpu = median(entry.rounds.map((r) => r.clientCpu));
  const othersCpu = median(entry.rounds.map((r) => r.othersCpu));
  const micros = entry.rounds.map((r) => r.cpuMicros).filter(Number.isFinite);
  const cpuMicros = { median: median(micros), min: Math.min(...micros), max: Math.max(...micros) };
  return { rate, rps: rate, p99, mean, serverCpu, clientCpu, othersCpu, cpuMicros, errors, flagged: errorTotal(errors) > 0 || Boolean(entry.failure) };
}

const contendedNote = (s) => (s.othersCpu > CONTENDED ? ` (contended: other work took ${pct(s.othersCpu)} of a core)` : '');

function scenarioTable(scenario, entries, baselineName) {
  const base = entries.get(baselineName);
  const vs = `vs ${baselineName === 'node-http' ? 'node:http' : baselineName}`;
  const baseSummary = base?.rounds.length ? summarize(base) : null;
  const p99 = (value) => (scenario.latency === false ? 'n/a' : ms(value));
  const p99Ratio = (value) => (scenario.latency === false ? 'n/a' : ratio(value, baseSummary?.p99));
  const baseRss = base?.memory?.rssKiB;
  const lines = [
    `### ${scenario.title}`,
    '',
    `\`${scenario.request}\``,
    '',
    ...(scenario.note ? [scenario.note, ''] : []),
    `| Server | req/s (median) | ${vs} | server CPU per request | p99 (median) | ${vs} | RSS at start | RSS after | ${vs} | peak RSS | CPU server / wrk / others | req/s per round | errors |`,
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|',
  ];
  for (const [name, entry] of entries) {
    if (entry.rounds.length === 0) {
      lines.push(`| ⚠ ${name} | – | – | – | – | – | ${mib(entry.startMemory?.rssKiB)} | – | – | – | – | – | **not measured: ${entry.failure}** |`);
      continue;
    }
    const s = summarize(entry);
    const errorText = [describeErrors(s.errors), entry.failure].filter(Boolean).join('; ');
    const contended = contendedNote(s);
    lines.push(
      `| ${s.flagged ? '⚠ ' : ''}${name} | ${int(s.rate)} | ${ratio(s.rate, baseSummary?.rate)} | ${micros(s.cpuMicros)} | ${p99(s.p99)} | ${p99Ratio(s.p99)} ` +
        `| ${mib(entry.startMemory?.rssKiB)} | ${mib(entry.memory?.rssKiB)} | ${ratio(entry.memory?.rssKiB, baseRss)} | ${mib(entry.memory?.peakKiB)} | ${pct(s.serverCpu)} / ${pct(s.clientCpu)} / ${pct(s.othersCpu)} ` +
        `| ${entry.rounds.map((r) => int(r.rate)).join(' / ')} | ${errorText ? `**${errorText}**` : 'none'}${contended} |`,
    );
  }
  // Server CPU per request against the ceiling's: the share of the work that is tiercel's own.
  const ceiling = entries.get('ceiling');
  const tiercel = entries.get('tiercel');
  if (ceiling?.rounds.length && tiercel?.rounds.length) {
    const paired = tiercel.rounds.map((r, i) => (ceiling.rounds[i] ? ratio(r.cpuMicros, ceiling.rounds[i].cpuMicros) : null)).filter(Boolean);
    lines.push(
      '',
      `tiercel / ceiling server CPU per request: ${ratio(summarize(tiercel).cpuMicros.median, summarize(ceiling).cpuMicros.median)}` +
        `${paired.length > 1 ? ` (per round: ${paired.join(' / ')})` : ''}.`,
    );
  }
  return lines.join('\n');
}

function idleTable(kind, idle, count) {
  const lines = [
    `### ${kind.title}`,
    '',
    `${int(count)} ${kind.what}; server VmRSS is read before and after (median over rounds, a fresh server process each round). ` +
      'RSS at start is read when the server printed "listening". "Cold" is a fresh server\'s first connections: it moves with V8\'s ' +
      'young generation, which grows by megabytes while they are kept (how far depends on what the process allocated before); ' +
      '"marginal" is what the next connections add while those are still held (the slope of RSS over connections held, free of that one-time step): ' +
      'what a connection itself costs; "warm" is a fresh batch on the same server once all were closed (it reuses the pages they freed).',
    '',
    `| Server | RSS at start | RSS before | RSS after | per ${kind.unitName} (median) | per ${kind.unitName} per round | vs ${kind.baseline} | ` +
      `per ${kind.unitName}, marginal (median) | marginal per round | marginal vs ${kind.baseline} | ` +
      `per ${kind.unitName}, warm (median) | warm per round | warm vs ${kind.baseline} | still open | notes |`,
    '|---|--:|--:|--:|--:|---|--:|--:|---|--:|--:|---|--:|--:|---|',
  ];
  const perOf = (entry, key = 'perConnectionKiB') => (entry?.runs?.length ? median(entry.runs.map((r) => r[key])) : NaN);
  const basePer = perOf(idle.get(kind.baseline));
  const baseMarginal = perOf(idle.get(kind.baseline), 'marginalPerConnectionKiB');
  const baseWarm = perOf(idle.get(kind.baseline), 'warmPerConnectionKiB');
  for (const [name, entry] of idle) {
    if (!entry.runs.length) {
      lines.push(`| ⚠ ${name} | – | – | – | – | – | – | – | – | – | – | – | – | – | **not measured: ${entry.failure}** |`);
      continue;
    }
    const per = perOf(entry);
    const marginal = perOf(entry, 'marginalPerConnectionKiB');
    const warm = perOf(entry, 'warmPerConnectionKiB');
    const open = Math.min(...entry.runs.map((r) => r.open));
    const failed = Math.max(...entry.runs.map((r) => r.failed));
    const notes = [failed ? `${failed} failed to open` : '', open < count ? `only ${open} open at the reading` : '', entry.failure ?? '']
      .filter(Boolean)
      .join('; ');
    const at = (key) => mib(median(entry.runs.map((r) => r[key])));
    lines.push(
      `| ${notes ? '⚠ ' : ''}${name} | ${at('startKiB')} | ${at('beforeKiB')} | ${at('afterKiB')} ` +
        `| ${kib(per)} | ${entry.runs.map((r) => r.perConnectionKiB.toFixed(1)).join(' / ')} | ${ratio(per, basePer)} ` +
        `| ${kib(marginal)} | ${entry.runs.map((r) => r.marginalPerConnectionKiB.toFixed(1)).join(' / ')} | ${ratio(marginal, baseMarginal)} ` +
        `| ${kib(warm)} | ${entry.runs.map((r) => r.warmPerConnectionKiB.toFixed(1)).join(' / ')} | ${ratio(warm, baseWarm)} | ${int(open)} | ${notes ? `**${notes}**` : ''} |`,
    );
  }
  // The HTTP/1.1 target is fastify's figure (the leanest of the peers), not node:http's.
  if (kind.id === 'h1' && idle.has('fastify') && idle.has('tiercel')) {
    const of = (key) => ratio(perOf(idle.get('tiercel'), key), perOf(idle.get('fastify'), key));
    lines.push('', `tiercel / fastify per idle connection: ${of('perConnectionKiB')} cold, ${of('marginalPerConnectionKiB')} marginal, ${of('warmPerConnectionKiB')} warm.`);
  }
  return lines.join('\n');
}

/**
 * RSS at start of every server, over every process this run started (each row and each idle round
 * starts its own): VmRSS when the server printed "listening", before anything was served.
 */
const delta = (kiB) => `${kiB < 0 ? '−' : '+'}${(Math.abs(kiB) / 1024).toFixed(1)} MiB`;

function startTable(results, idle, baselineName) {
  const byServer = new Map();
  const add = (name, kiB) => {
    if (!Number.isFinite(kiB)) return;
    if (!byServer.has(name)) byServer.set(name, []);
    byServer.get(name).push(kiB);
  };
  for (const entries of results.values()) for (const [name, entry] of entries) add(name, entry.startMemory?.rssKiB);
  for (const entries of idle?.values() ?? []) for (const [name, entry] of entries) for (const run of entry.runs) add(name, run.startKiB);
  if (byServer.size === 0) return null;
  const base = median(byServer.get(baselineName) ?? []);
  const lines = [
    '### RSS at start',
    '',
    'VmRSS of each server process when it printed "listening" (nothing served yet), over every process this run started (one per row, one per idle round).',
    '',
    `| Server | RSS at start (median) | min–max | processes | vs ${baselineName} |`,
    '|---|--:|--:|--:|--:|',
  ];
  for (const [name, values] of byServer) {
    lines.push(`| ${name} | ${mib(median(values))} | ${mib(Math.min(...values))}–${mib(Math.max(...values))} | ${values.length} | ${Number.isFinite(base) ? `${ratio(median(values), base)} (${delta(median(values) - base)})` : '–'} |`);
  }
  return lines.join('\n');
}

export function injectTable(inject) {
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
  // The documented test client against fastify.inject, in the same run (bar: at least 2×).
  if (inject.ratio !== undefined && inject.ratio !== null) {
    const met = inject.ratio >= 2;
    lines.push('', `${met ? '' : '⚠ '}**TestServer.request / fastify.inject = ${inject.ratio.toFixed(2)}×**: ${met ? 'meets' : '**below**'} the ≥ 2× bar.`);
  }
  return lines.join('\n');
}

/**
 * A bar row's verdict: the subject's median over the baseline's, against the bar. `status` is
 * 'met', 'below' or 'unchecked' (one side not measured); `text` is the Markdown line.
 */
export function barVerdict(scenario, entries) {
  const subject = entries.get(scenario.subject);
  const base = entries.get(scenario.baseline);
  const who = `${scenario.subject} / ${scenario.baseline}`;
  if (!subject?.rounds.length || !base?.rounds.length) {
    const missing = [scenario.subject, scenario.baseline].filter((n) => !entries.get(n)?.rounds.length).join(' and ');
    return { status: 'unchecked', value: NaN, text: `⚠ **${who}: bar (≥ ${scenario.bar}×) not checked: ${missing} could not be measured.**` };
  }
  const value = summarize(subject).rate / summarize(base).rate;
  const paired = subject.rounds.map((r, i) => (base.rounds[i] ? ratio(r.rate, base.rounds[i].rate) : null)).filter(Boolean);
  const rounds = paired.length > 1 ? ` (per round, interleaved: ${paired.join(' / ')})` : '';
  const met = value >= scenario.bar;
  return {
    status: met ? 'met' : 'below',
    value,
    text: met
      ? `**${who} = ${value.toFixed(2)}×**${rounds}: meets the ≥ ${scenario.bar}× bar.`
      : `⚠ **${who} = ${value.toFixed(2)}×**${rounds}: **below the ${scenario.bar}× bar.**`,
  };
}

/** The table of a row with a bar (h2, ws): each server against the row's baseline, then the verdict. */
function barTable(scenario, entries, reproduce) {
  const base = entries.get(scenario.baseline);
  const baseSummary = base?.rounds.length ? summarize(base) : null;
  const baseRss = base?.memory?.rssKiB;
  const hasMean = scenario.kind === 'h2';
  const verdict = barVerdict(scenario, entries);
  const lines = [
    `### ${scenario.title}`,
    '',
    `\`${scenario.request}\``,
    '',
    scenario.note,
    '',
    `| Server | ${scenario.unit} (median) | vs ${scenario.baseline} | server CPU per ${scenario.unitName} | ${hasMean ? 'mean latency (median) | ' : ''}RSS at start | RSS after | vs ${scenario.baseline} | peak RSS | ` +
      `CPU server / ${scenario.client} / others | ${scenario.unit} per round | errors | bar (≥ ${scenario.bar}×) |`,
    `|---|--:|--:|--:|${hasMean ? '--:|' : ''}--:|--:|--:|--:|--:|---|---|---|`,
  ];
  for (const [name, entry] of entries) {
    const barCell = name === scenario.baseline ? 'baseline' : verdict.status === 'met' ? 'met' : verdict.status === 'below' ? `**below the ${scenario.bar}× bar**` : '**not checked**';
    if (entry.rounds.length === 0) {
      lines.push(`| ⚠ ${name} | – | – | – | ${hasMean ? '– | ' : ''}${mib(entry.startMemory?.rssKiB)} | – | – | – | – | – | **not measured: ${entry.failure}** | ${barCell} |`);
      continue;
    }
    const s = summarize(entry);
    const errorText = [describeErrors(s.errors), entry.failure].filter(Boolean).join('; ');
    const mark = s.flagged || (name === scenario.subject && verdict.status !== 'met') ? '⚠ ' : '';
    lines.push(
      `| ${mark}${name} | ${int(s.rate)} | ${ratio(s.rate, baseSummary?.rate)} | ${micros(s.cpuMicros)} | ${hasMean ? `${ms(s.mean)} | ` : ''}` +
        `${mib(entry.startMemory?.rssKiB)} | ${mib(entry.memory?.rssKiB)} | ${ratio(entry.memory?.rssKiB, baseRss)} | ${mib(entry.memory?.peakKiB)} | ${pct(s.serverCpu)} / ${pct(s.clientCpu)} / ${pct(s.othersCpu)} ` +
        `| ${entry.rounds.map((r) => int(r.rate)).join(' / ')} | ${errorText ? `**${errorText}**` : 'none'}${contendedNote(s)} | ${barCell} |`,
    );
  }
  lines.push('', verdict.text, '', `Reproduce this row: ${reproduce}.`);
  return lines.join('\n');
}

/** One row's section: its table and the command that reproduces it alone. */
export function renderRow(scenario, entries, settings, baselineName, env = process.env) {
  const direct = `\`cd bench && ${rowCommand(scenario, settings, env)}\``;
  if (!scenario.bar) return [scenarioTable(scenario, entries, scenario.baseline ?? baselineName), '', `Reproduce this row: ${direct} (rewrites RESULTS.md with this row only).`].join('\n');
  const alone = `\`cd bench && ${rowCommand(scenario, settings, env, scenario.standalone)}\``;
  return barTable(scenario, entries, `${direct} (rewrites RESULTS.md with this row only), or ${alone} (prints this section, leaves RESULTS.md alone)`);
}

export function renderReport({ meta, settings, scenarios, results, idle, inject, baselineName, env = process.env }) {
  const wrkRows = scenarios.some((s) => s.kind === 'wrk');
  const barRows = scenarios.filter((s) => s.bar);
  const tools = [wrkRows ? `wrk ${meta.wrk}` : '', scenarios.some((s) => s.kind === 'h2') ? `h2load ${meta.h2load}` : '', scenarios.some((s) => s.kind === 'ws') ? `ws ${meta.ws}` : '']
    .filter(Boolean)
    .join('; ');
  const sections = [
    '# tiercel benchmark results',
    '',
    `- Date: ${meta.date}`,
    `- Machine: ${meta.nproc} CPUs, ${meta.cpuModel}; ${meta.memTotal} RAM; Linux ${meta.kernel}; load average at start ${meta.load} (other work on the machine skews results: see the CPU column)`,
    `- Node ${meta.node}${tools ? `; ${tools}` : ''}${wrkRows ? `; ${meta.peers}` : ''}`,
    `- Server pinned to CPU ${settings.serverCpu} (\`taskset -c ${settings.serverCpu}\`), the load generator to CPU ${settings.clientCpu}` +
      (wrkRows ? `; HTTP/1.1 rows: \`wrk -t1 -c${settings.connections} -d${settings.duration}s --latency\`, wrk's default 2 s timeout (a timed-out request counts as a socket error)` : '') +
      `; ${settings.rounds} interleaved round(s) per scenario after a warm-up of each server; one process per server per scenario.`,
    `- Reproduce: \`${meta.command}\` from the repository root (or \`${meta.directCommand}\` in \`bench/\` with tiercel already built).`,
    '- tiercel runs as users get it: every tiercel server (bench/servers/tiercel*.mjs) imports the published esbuild bundle (`bundle/`), ' +
      "not tsc's one-module-per-file `dist/` the tests run, and no `import 'reflect-metadata'` of its own (tiercel loads it).",
  ];
  for (const scenario of barRows) {
    const verdict = barVerdict(scenario, results.get(scenario.id));
    const value = Number.isFinite(verdict.value) ? `${verdict.value.toFixed(2)}×` : 'not measured';
    const status = verdict.status === 'met' ? 'meets the bar' : verdict.status === 'below' ? `**below the ${scenario.bar}× bar**` : '**not checked**';
    sections.push(`- Bar, ${scenario.title}: ${scenario.subject} / ${scenario.baseline} ${value} (bar ≥ ${scenario.bar}×): ${verdict.status === 'met' ? '' : '⚠ '}${status}`);
  }
  sections.push(
    '',
    'Ratios are against node:http (req/s: higher is better; p99 and RSS: lower is better), except in the HTTP/2 and WebSocket rows, which compare tiercel with ' +
      'their own baseline and must reach a bar. "Server CPU per request" is the server process\'s CPU time (user + system) over a round divided by ' +
      'the requests (or messages) it answered in that round: the median over rounds, then the lowest and highest round. It is not set by the load generator ' +
      'and moves less than req/s when other work shares the machine, but contention (caches, hyperthreads) inflates it too: compare servers within one run, by ratio. "RSS at start" is VmRSS when the server printed "listening", ' +
      '"RSS after" is VmRSS read at the end of the scenario, "peak RSS" is VmHWM. ' +
      '"CPU server / wrk / others" are shares of one core while the load generator ran (medians over rounds): the server on its core, the load generator on ' +
      'its core, and other processes plus hypervisor steal on the two cores together. Server well under 100% means something ' +
      'else set the pace (the load generator, if it is near 100%); others above 10% marks the row contended: rerun on a quiet machine before trusting it. A p99 of – means wrk printed no usable 99th percentile. ⚠ marks a server that had socket errors or non-2xx responses, or could not be measured, or missed its bar. ' +
      'The ceiling is a bare `net` server that answers every CRLFCRLF with a prebuilt response: no server on Node can go faster on plaintext.',
    '',
  );
  for (const scenario of scenarios) sections.push(renderRow(scenario, results.get(scenario.id), settings, scenario.baseline ?? baselineName, env), '');
  for (const kind of IDLE_KINDS) if (idle?.has(kind.id)) sections.push(idleTable(kind, idle.get(kind.id), settings.idleConnections), '');
  const start = startTable(results, idle, baselineName);
  if (start) sections.push(start, '');
  if (inject) sections.push(injectTable(inject), '');
  return sections.join('\n');
}
