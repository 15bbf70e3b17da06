// The long HTTP/1.1 flood soaks (test/soak/http1-floods.soak.ts): each attack runs wave after wave
// against tiercel and then against a bare node:http server, a legitimate client beside every wave;
// a soak fails when an attacker is never cut, a legitimate request fails, or the heap keeps growing
// after the first wave. Exits 1 if any failed.
//
//   npm run soak:floods                     (from the repository root: builds tiercel first)
//   SOAK_FLOOD_SECONDS=120 SOAK_FLOOD_ONLY='slow read' node bench/soak/floods.mjs
import 'reflect-metadata';
import { HTTP1_FLOOD_SOAKS } from '../../dist/test/soak/http1-floods.soak.js';

const seconds = Number(process.env.SOAK_FLOOD_SECONDS ?? '120');
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error(`soak:floods: SOAK_FLOOD_SECONDS must be a positive number of seconds, not ${JSON.stringify(process.env.SOAK_FLOOD_SECONDS)}`);
  process.exit(1);
}
const only = process.env.SOAK_FLOOD_ONLY;
const soaks = only === undefined ? HTTP1_FLOOD_SOAKS : HTTP1_FLOOD_SOAKS.filter((s) => s.name === only);
if (soaks.length === 0) {
  console.error(`soak:floods: no soak named ${JSON.stringify(only)}; there are: ${HTTP1_FLOOD_SOAKS.map((s) => s.name).join(', ')}`);
  process.exit(1);
}

let failed = 0;
for (const soak of soaks) {
  const started = Date.now();
  try {
    const report = await soak.run({ durationMs: seconds * 1000 });
    console.log(`ok   ${report.name} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    for (const line of report.lines) console.log(`     ${line}`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${soak.name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
console.log(`${soaks.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
