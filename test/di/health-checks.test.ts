// HEALTH_CHECKS in the container: addTiercel's default is one per server, made on first use, that
// an app adds checks to by resolving it; a registration of one's own replaces it; the demo app,
// useHealthChecks and the configuration's health paths all answer with the one registered.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HEALTH_CHECKS, resolve } from '../../di/index.js';
import { Server } from '../../hosting/index.js';
import { demoApp } from '../../hosting/demo-app.js';
import { HealthChecks, useHealthChecks, type HealthReport } from '../../middleware/index.js';
import { ApplicationBuilder } from '../../pipeline/index.js';

async function serve(server: Server, app: ApplicationBuilder): Promise<string> {
  server.listen('http://127.0.0.1:0');
  server.useHttp(app);
  await server.start();
  return server.urls[0];
}

async function get(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { headers: { connection: 'close' } });
  return { status: res.status, text: await res.text() };
}

test('the default HEALTH_CHECKS: one per server, made on first use; a check added to it shows in the demo app /readyz over TCP', async () => {
  const server = new Server({ logLevel: 'silent' });
  const other = new Server({ logLevel: 'silent' });
  const health = resolve(server.services, HEALTH_CHECKS);
  assert.ok(health instanceof HealthChecks);
  assert.is(resolve(server.services, HEALTH_CHECKS), health, 'one instance per container');
  assert.is.not(resolve(other.services, HEALTH_CHECKS), health, 'never shared between servers');
  health.add({ name: 'database', check: async () => ({ status: 'unhealthy', description: 'connection refused' }) });
  const url = await serve(server, demoApp(new ApplicationBuilder(server.services)));
  try {
    const ready = await get(`${url}/readyz`);
    assert.is(ready.status, 503);
    const report = JSON.parse(ready.text) as HealthReport;
    assert.is(report.checks.database.description, 'connection refused');
    assert.ok('event-loop' in report.checks);
    // Liveness runs only the checks tagged 'live': the database is not one.
    assert.is((await get(`${url}/healthz`)).status, 200);
  } finally {
    await server.stop(500);
    health.dispose();
    resolve(other.services, HEALTH_CHECKS).dispose();
  }
});

test('a HEALTH_CHECKS registered after addTiercel replaces the default: useHealthChecks answers with it on its paths', async () => {
  const server = new Server({ logLevel: 'silent' });
  const mine = new HealthChecks({ livenessPath: '/alive', readinessPath: '/ready', eventLoopDelay: false });
  mine.add({ name: 'cache', check: async () => 'degraded' });
  server.services.register(HEALTH_CHECKS, { useValue: mine });
  const app = new ApplicationBuilder(server.services);
  assert.is(useHealthChecks(app), mine);
  app.run((ctx) => ctx.response.send('app'));
  const url = await serve(server, app);
  try {
    const ready = await get(`${url}/ready`);
    assert.is(ready.status, 200);
    assert.equal(Object.keys((JSON.parse(ready.text) as HealthReport).checks), ['cache']);
    assert.is((JSON.parse(ready.text) as HealthReport).status, 'degraded');
    assert.is((await get(`${url}/alive`)).status, 200);
    // The default paths are the app's now.
    assert.equal(await get(`${url}/healthz`), { status: 200, text: 'app' });
  } finally {
    await server.stop(500);
  }
});

test("Server.fromConfig's health options make the server's HEALTH_CHECKS; options given to useHealthChecks make its own", () => {
  const server = Server.fromConfig({ endpoints: { web: { url: 'http://127.0.0.1:0' } }, health: { livenessPath: '/live', timeoutMs: 250 } });
  const health = resolve(server.services, HEALTH_CHECKS);
  assert.is(health.options.livenessPath, '/live');
  assert.is(health.options.readinessPath, '/readyz');
  assert.is(health.options.timeoutMs, 250);
  const own = useHealthChecks(new ApplicationBuilder(server.services), { readinessPath: '/r' });
  assert.is.not(own, health);
  assert.is(own.options.readinessPath, '/r');
});

test.run();
