import 'reflect-metadata';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { test as uvuTest } from 'uvu';
import * as assert from 'uvu/assert';
import { Server } from '../../hosting/index.js';
import { demoApp } from '../../hosting/demo-app.js';
import { DEV_CERT_FILE } from '../../protocols/tls/index.js';
import { chromiumMissing, launchChromium, spkiHash, withDevCertDir } from '../support/browser.js';
import { testRequiring } from '../support/skip.js';
import type { PageGlobals } from './page-globals.js';

const test = testRequiring(uvuTest, chromiumMissing());

/** The next-hop protocol Chromium used for the page's navigation and for a fetch from it. */
async function protocolsSeen(page: Page): Promise<{ navigation: string; fetch: string; json: unknown }> {
  return page.evaluate(async () => {
    const w = globalThis as unknown as PageGlobals;
    const navigation = w.performance.getEntriesByType('navigation')[0]?.nextHopProtocol ?? '(no navigation entry)';
    const url = new URL('/json', w.location.href).href;
    const json: unknown = await (await fetch(url)).json();
    const entries = w.performance.getEntriesByName(url, 'resource');
    return { navigation, fetch: entries.at(-1)?.nextHopProtocol ?? '(no resource entry)', json };
  });
}

test('headless Chromium gets the demo page over HTTPS + HTTP/2 with the development certificate, and over HTTP/1.1 on cleartext', async () => {
  // A fresh folder for the development certificate, set before start: the test never touches ~/.tiercel.
  return withDevCertDir(async (certDir) => {
    const server = new Server({ logLevel: 'silent' });
    let launched: Awaited<ReturnType<typeof launchChromium>> | undefined;
    try {
      server.useHttp(demoApp());
      server.listen('https://127.0.0.1:0'); // no useHttps: the development certificate
      server.listen('http://127.0.0.1:0');
      await server.start();
      const [https, http] = server.urls;
      assert.match(https, /^https:\/\/127\.0\.0\.1:\d+$/);
      // start() created the certificate in certDir; trust exactly its key.
      const spki = spkiHash(join(certDir, DEV_CERT_FILE));
      launched = await launchChromium([`--ignore-certificate-errors-spki-list=${spki}`]);

      const page = await launched.browser.newPage();
      const secure = await page.goto(`${https}/`);
      assert.is(secure?.status(), 200);
      assert.is(secure?.headers()['server'], 'tiercel');
      assert.is(await page.locator('h1').textContent(), 'tiercel');
      // An https page is a secure context (what wss:// pages, service workers and the like need).
      assert.is(await page.evaluate(() => (globalThis as unknown as PageGlobals).isSecureContext), true);
      const overTls = await protocolsSeen(page);
      assert.equal(overTls, { navigation: 'h2', fetch: 'h2', json: { message: 'Hello, World!' } });
      // A request body over h2 (DATA frames) comes back whole.
      const echoed = await page.evaluate(async () => (await fetch('/echo', { method: 'POST', body: 'x'.repeat(100_000) })).text());
      assert.is(echoed.length, 100_000);

      const plain = await page.goto(`${http}/`);
      assert.is(plain?.status(), 200);
      assert.equal(await protocolsSeen(page), { navigation: 'http/1.1', fetch: 'http/1.1', json: { message: 'Hello, World!' } });
    } finally {
      await launched?.close();
      await server.stop(500);
    }
  });
});

test('without the SPKI pin Chromium refuses the development certificate (the pin above is what makes it trusted)', async () => {
  return withDevCertDir(async (certDir) => {
    const server = new Server({ logLevel: 'silent' });
    let launched: Awaited<ReturnType<typeof launchChromium>> | undefined;
    try {
      server.useHttp(demoApp());
      server.listen('https://127.0.0.1:0');
      await server.start();
      launched = await launchChromium();
      const page = await launched.browser.newPage();
      const error = await page.goto(`${server.urls[0]}/`).then(
        () => undefined,
        (err: Error) => err,
      );
      assert.ok(error !== undefined, 'navigation should fail on an untrusted certificate');
      assert.match(error.message, /ERR_CERT_AUTHORITY_INVALID/);
    } finally {
      await launched?.close();
      await server.stop(500);
    }
  });
});

uvuTest.run();
