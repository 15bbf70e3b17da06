// Makes docs/dashboard.png: the demo app with its dashboard (`tiercel serve --dashboard`) under a
// few seconds of mixed load (a few bad requests among them), photographed by headless Chromium.
// Run after `npm run build`: node scripts/dashboard-screenshot.mjs [out.png]
import 'reflect-metadata';
import { connect } from 'node:net';
import { chromium } from 'playwright-core';
import { request } from 'undici';
import { Server } from '../dist/hosting/index.js';
import { demoApp } from '../dist/hosting/demo-app.js';
import { ServerMetrics } from '../dist/observability/index.js';

const out = process.argv[2] ?? new URL('../docs/dashboard.png', import.meta.url).pathname;
const metrics = new ServerMetrics();
const server = new Server({ logLevel: 'silent' });
server.useHttp(demoApp(undefined, { metrics, dashboard: true }));
server.listen('http://127.0.0.1:0');
await server.start();
const url = server.urls[0];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 460 } });
  await page.goto(`${url}/_tiercel`);
  const paths = ['/plaintext', '/json', '/big.json', '/users/42', '/nope', '/whoami'];
  const end = Date.now() + 6_000;
  let i = 0;
  await Promise.all([
    ...Array.from({ length: 16 }, async () => {
      while (Date.now() < end) {
        const res = await request(`${url}${paths[i++ % paths.length]}`);
        await res.body.text();
        // A varying rate, so that the sparkline has a shape.
        if (i % 200 === 0) await new Promise((r) => setTimeout(r, (i / 200) % 4 === 0 ? 300 : 20));
      }
    }),
    (async () => {
      for (const bad of ['GET /\r\n\r\n', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 'GET / HTTP/1.1\r\nBad Header\r\n\r\n']) {
        await new Promise((resolve) => {
          const s = connect(Number(new URL(url).port), '127.0.0.1');
          s.on('data', () => {});
          s.on('close', resolve);
          s.on('error', resolve);
          s.end(bad);
        });
      }
    })(),
  ]);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await server.stop(500);
  metrics.dispose();
}
