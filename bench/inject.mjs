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
/**
 * tiercel's TestServer: the demo app on an in-memory endpoint; real bytes through the real parser.
 * Measured three ways: `ts.request` (the documented path: a lean HTTP/1.1 client over the
 * in-memory duplex), `ts.fetch` (undici's fetch, for WHATWG Responses) and undici's `request` on
 * the same dispatcher.
 */
async function tiercelInMemory() {
  await import('reflect-metadata');
  const { TestServer } = await import('../dist/hosting/index.js');
  const { demoApp } = await import('../dist/hosting/demo-app.js');
  const { request } = await import('undici');
  const ts = await TestServer.start(demoApp(), { server: { logLevel: 'silent' } });
  const check = (status, body) => {
    if (status !== 200 || body !== 'Hello, World!') throw new Error(`tiercel answered ${status}: ${body}`);
  };
  const viaRequest = await timeSequential('tiercel', 'TestServer.request', async () => {
    const res = await ts.request('/plaintext');
    check(res.status, res.text());
  });
  const viaFetch = await timeSequential('tiercel', 'TestServer.fetch (undici fetch)', async () => {
    const res = await ts.fetch('/plaintext');
    check(res.status, await res.text());
  });
  const viaUndici = await timeSequential('tiercel', 'undici request, same dispatcher', async () => {
    const res = await request(`${ts.origin}/plaintext`, { dispatcher: ts.dispatcher });
    check(res.statusCode, await res.body.text());
  });
  await ts.stop();
  return [viaRequest, viaFetch, viaUndici];
}
// ---------------------------------------------------------------------------------

const results = [];
for (const run of [fastifyInject, tiercelInMemory]) {
  const result = await run();
  if (Array.isArray(result)) results.push(...result);
  else if (result) results.push(result);
}

// The documented path against fastify.inject, in this run: the ratio the README states.
const fastify = results.find((r) => r.name === 'fastify');
const documented = results.find((r) => r.client === 'TestServer.request');
const ratio = fastify && documented ? documented.rps / fastify.rps : undefined;

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ requests: N, warmup: WARMUP, results, ratio }));
} else {
  for (const r of results) console.log(`${r.name.padEnd(10)} ${r.client.padEnd(32)} ${Math.round(r.rps)} req/s  (${N} requests in ${r.ms.toFixed(0)} ms)`);
  if (ratio !== undefined) console.log(`TestServer.request / fastify.inject: ${ratio.toFixed(2)}×`);
}
