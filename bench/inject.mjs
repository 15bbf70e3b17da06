// In-process comparison: GET /plaintext through each framework's in-memory client,
// N requests one after another (no sockets, no parallelism), requests/s.
//
// Usage: node inject.mjs [--json]   (env INJECT_REQUESTS, default 20000; INJECT_WARMUP, default 2000)
// run.mjs runs this in its own process and copies the result into RESULTS.md.
import { performance } from 'node:perf_hooks';
import { build as buildFastify } from './servers/fastify.mjs';

const N = Number(process.env.INJECT_REQUESTS ?? 20_000);
const WARMUP = Number(process.env.INJECT_WARMUP ?? 2_000);

async function timeSequential(name, client, send) {
  for (let i = 0; i < WARMUP; i++) await send();
  const start = performance.now();
  for (let i = 0; i < N; i++) await send();
  const ms = performance.now() - start;
  return { name, client, requests: N, ms, rps: (N / ms) * 1000 };
}

/** fastify.inject (light-my-request): the real fastify handler, fake req/res objects. */
async function fastifyInject() {
  const app = buildFastify();
  await app.ready();
  const send = async () => {
    const response = await app.inject({ method: 'GET', url: '/plaintext' });
    if (response.statusCode !== 200 || response.body !== 'Hello, World!') {
      throw new Error(`fastify.inject answered ${response.statusCode}: ${response.body}`);
    }
  };
  const result = await timeSequential('fastify', 'inject (light-my-request)', send);
  await app.close();
  return result;
}

// ---------------------------------------------------------------------------------
// TIERCEL: the lead adds tiercel's in-memory client run here.
// Build the same /plaintext app as servers/tiercel.mjs, send N sequential requests
// through tiercel's in-memory transport (real bytes, real parser), check status and
// body like fastifyInject does, and return timeSequential('tiercel', '<client>', send).
// Until then it returns null and RESULTS.md says "not yet measured".
async function tiercelInMemory() {
  return null;
}
// ---------------------------------------------------------------------------------

const results = [];
for (const run of [fastifyInject, tiercelInMemory]) {
  const result = await run();
  if (result) results.push(result);
}

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ requests: N, warmup: WARMUP, results }));
} else {
  for (const r of results) console.log(`${r.name.padEnd(10)} ${r.client.padEnd(28)} ${Math.round(r.rps)} req/s  (${N} requests in ${r.ms.toFixed(0)} ms)`);
}
