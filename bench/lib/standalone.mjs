// `node h2.mjs` / `node ws.mjs`: one bar row on its own, with run.mjs's settings, checks and
// rendering; prints the row's Markdown section (RESULTS.md is left alone) and exits 1 if the row
// could not be measured. A row below its bar is reported, not an error.
import { checkH2load } from './h2load.mjs';
import { barVerdict, renderRow } from './report.mjs';
import { log } from './rounds.mjs';
import { runRow } from './rows.mjs';
import { BASELINE, readSettings } from './settings.mjs';
import { checkWsClient } from './ws-client.mjs';
import { checkTools } from './wrk.mjs';

export async function runStandalone(id, benchDir) {
  if (process.env.SCENARIOS && process.env.SCENARIOS !== id) log(`warning: ${id}.mjs runs only the ${id} row; SCENARIOS=${process.env.SCENARIOS} is ignored`);
  const { settings, problems } = readSettings({ ...process.env, SCENARIOS: id });
  const renamed = { REQUESTS: 'H2_REQUESTS', CLIENTS: 'H2_CLIENTS', STREAMS: 'H2_STREAMS', WARMUP_REQUESTS: 'H2_WARMUP_REQUESTS', BYTES: 'WS_BYTES' };
  for (const [old, now] of Object.entries(renamed)) if (process.env[old]) problems.push(`${old} is now ${now} (the names run.mjs uses)`);
  if (id === 'ws' && process.env.CONNECTIONS) problems.push('CONNECTIONS is the wrk rows\' setting; the WebSocket row uses WS_CONNECTIONS');
  const tools = [...checkTools({ wrk: false }), ...(id === 'h2' ? checkH2load() : checkWsClient())];
  if (problems.length || tools.length) {
    console.error(`bench: ${problems.length ? 'bad settings' : 'cannot run'}:\n  - ${[...problems, ...tools].join('\n  - ')}`);
    process.exit(1);
  }
  const [scenario] = settings.scenarios;
  log(`scenario ${id}: ${scenario.servers.map((s) => s.name).join(', ')}`);
  const entries = await runRow(scenario, [], settings, benchDir);
  console.log(renderRow(scenario, entries, settings, BASELINE));
  const verdict = barVerdict(scenario, entries);
  if (verdict.status !== 'met') log(`warning: ${verdict.text.replace(/\*\*/g, '')}`);
  if ([...entries.values()].some((e) => e.failure)) process.exitCode = 1;
}
