import 'reflect-metadata';
import { test as uvuTest } from 'uvu';
import * as assert from 'uvu/assert';
import { Server } from '../../hosting/index.js';
import { demoApp } from '../../hosting/demo-app.js';
import { chromiumMissing, launchChromium } from '../support/browser.js';
import { testRequiring } from '../support/skip.js';

const test = testRequiring(uvuTest, chromiumMissing());

test('headless Chromium loads the demo page and fetches from it over HTTP/1.1', async () => {
  const launched = await launchChromium();
  const server = new Server({ logLevel: 'silent' });
  server.useHttp(demoApp());
  server.listen('http://127.0.0.1:0');
  await server.start();
  try {
    const page = await launched.browser.newPage();
    const response = await page.goto(`${server.urls[0]}/`);
    assert.is(response?.status(), 200);
    assert.is(response?.headers()['server'], 'tiercel');
    assert.is(await page.locator('h1').textContent(), 'tiercel');
    const json = await page.evaluate(async () => (await fetch('/json')).json());
    assert.equal(json, { message: 'Hello, World!' });
    const echoed = await page.evaluate(async () => (await fetch('/echo', { method: 'POST', body: 'from the browser' })).text());
    assert.is(echoed, 'from the browser');
  } finally {
    await launched.close();
    await server.stop(500);
  }
});

uvuTest.run();
