// Chromium honours tiercel's 103 Early Hints: over HTTPS + HTTP/2 it fetches the hinted resource
// while the final response is still being prepared (the server holds it until the fetch arrives).
import 'reflect-metadata';
import { join } from 'node:path';
import { test as uvuTest } from 'uvu';
import * as assert from 'uvu/assert';
import { Server } from '../../hosting/index.js';
import { ApplicationBuilder } from '../../pipeline/index.js';
import { DEV_CERT_FILE } from '../../protocols/tls/index.js';
import { chromiumMissing, launchChromium, spkiHash, withDevCertDir } from '../support/browser.js';
import { testRequiring } from '../support/skip.js';

const test = testRequiring(uvuTest, chromiumMissing());

/**
 * How long the page waits for Chromium to fetch the hinted file before answering anyway. Only a
 * failing run waits this long; it is generous because a loaded CI machine once took over 5 s between
 * the 103 and Chromium's preload request, and the test then failed on a healthy server.
 */
const WAIT_FOR_PRELOAD_MS = 25_000;

test('headless Chromium fetches a 103 preload over HTTPS + HTTP/2 before the page itself arrives', () =>
  withDevCertDir(async (certDir) => {
    let hintedFetched!: () => void;
    const fetched = new Promise<void>((resolve) => (hintedFetched = resolve));
    const order: string[] = [];
    const app = new ApplicationBuilder().run(async (ctx) => {
      const { request, response } = ctx;
      if (request.path === '/hinted.css') {
        order.push('hinted.css requested');
        hintedFetched();
        response.headers.set('content-type', 'text/css');
        response.headers.set('cache-control', 'max-age=60');
        response.send('h1 { color: rgb(1, 2, 3); }');
        return;
      }
      if (request.path === '/page') {
        response.sendEarlyHints('</hinted.css>; rel=preload; as=style');
        order.push('103 sent');
        // The final response waits for the preload (or gives up): Chromium acted on the 103 alone.
        const timer = new Promise<void>((resolve) => setTimeout(resolve, WAIT_FOR_PRELOAD_MS).unref());
        await Promise.race([fetched, timer]);
        order.push('200 sent');
        response.headers.set('content-type', 'text/html; charset=utf-8');
        response.send('<!doctype html><link rel="stylesheet" href="/hinted.css"><h1>early</h1>');
        return;
      }
      response.status = 404;
      response.send('');
    });
    const server = new Server({ logLevel: 'silent' });
    let launched: Awaited<ReturnType<typeof launchChromium>> | undefined;
    try {
      server.useHttp(app);
      server.listen('https://127.0.0.1:0');
      await server.start();
      launched = await launchChromium([`--ignore-certificate-errors-spki-list=${spkiHash(join(certDir, DEV_CERT_FILE))}`]);
      const page = await launched.browser.newPage();
      const res = await page.goto(`${server.urls[0]}/page`);
      assert.is(res?.status(), 200);
      assert.equal(order, ['103 sent', 'hinted.css requested', '200 sent']);
      // The page used the preloaded stylesheet.
      const color = await page.evaluate(() => {
        const g = globalThis as unknown as { document: { querySelector(s: string): unknown }; getComputedStyle(e: unknown): { color: string } };
        return g.getComputedStyle(g.document.querySelector('h1')).color;
      });
      assert.is(color, 'rgb(1, 2, 3)');
    } finally {
      await launched?.close();
      await server.stop(500);
    }
  }));

uvuTest.run();
