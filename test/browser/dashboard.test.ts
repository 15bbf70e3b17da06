// The live dashboard in headless Chromium: the page loads from the demo app (`--dashboard`), its
// script opens the WebSocket, and under a few hundred requests the requests/s figure moves.
import 'reflect-metadata';
import { test as uvuTest } from 'uvu';
import * as assert from 'uvu/assert';
import { request } from 'undici';
import { Server } from '../../hosting/index.js';
import { demoApp } from '../../hosting/demo-app.js';
import { ServerMetrics } from '../../observability/index.js';
import { chromiumMissing, launchChromium } from '../support/browser.js';
import { testRequiring } from '../support/skip.js';

const test = testRequiring(uvuTest, chromiumMissing());

/** The text of the page's element `#id`, read in the page. */
interface PageDocument {
  getElementById(id: string): { textContent: string | null } | null;
}

test('the dashboard page loads, goes live over its WebSocket, and its requests/s figure follows a burst of requests', async () => {
  const metrics = new ServerMetrics();
  const server = new Server({ logLevel: 'silent' });
  server.useHttp(demoApp(undefined, { metrics, dashboard: { intervalMs: 200 } }));
  server.listen('http://127.0.0.1:0');
  await server.start();
  const launched = await launchChromium();
  try {
    const url = server.urls[0];
    const page = await launched.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    page.on('console', (m) => (m.type() === 'error' ? errors.push(m.text()) : undefined));
    assert.is((await page.goto(`${url}/_tiercel`))?.status(), 200);
    await page.waitForFunction(() => (globalThis as unknown as { document: PageDocument }).document.getElementById('state')?.textContent === 'live', undefined, { timeout: 5_000 });
    // The first frame has been drawn: the connections table lists this endpoint.
    await page.waitForFunction((host) => ((globalThis as unknown as { document: PageDocument }).document.getElementById('connections')?.textContent ?? '').includes(host), new URL(url).host, { timeout: 5_000 });

    // Idle first (the page's own requests have left the rate), then every figure the page shows
    // is recorded from before the burst, so that none is missed between two ticks.
    await page.waitForFunction(() => (globalThis as unknown as { document: PageDocument }).document.getElementById('rps')?.textContent === '0', undefined, { timeout: 5_000 });
    const before = Number(await page.textContent('#total'));
    await page.evaluate(`{
      const rps = document.getElementById('rps');
      globalThis.shown = [];
      new MutationObserver(() => globalThis.shown.push(Number(rps.textContent))).observe(rps, { childList: true, characterData: true, subtree: true });
    }`);
    // 400 requests, 8 at a time, keep-alive.
    const paths = ['/plaintext', '/json'];
    let sent = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (sent < 400) {
          const res = await request(`${url}${paths[sent++ % 2]}`);
          assert.is(res.statusCode, 200);
          await res.body.text();
        }
      }),
    );
    await page.waitForFunction(
      (least) => Number((globalThis as unknown as { document: PageDocument }).document.getElementById('total')?.textContent) >= least,
      before + 400,
      { timeout: 5_000 },
    );
    const shown = (await page.evaluate('globalThis.shown')) as number[];
    assert.ok(shown.some((n) => n > 0), `requests/s shown during the burst: ${shown.join(', ')}`);
    assert.match((await page.textContent('#protocols')) ?? '', /HTTP\/1\.1/);
    assert.equal(errors, []);
  } finally {
    await launched.close();
    await server.stop(500);
    metrics.dispose();
  }
});

uvuTest.run();
