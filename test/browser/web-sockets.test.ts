import 'reflect-metadata';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { test as uvuTest } from 'uvu';
import * as assert from 'uvu/assert';
import { Server } from '../../hosting/index.js';
import { demoApp } from '../../hosting/demo-app.js';
import { ApplicationBuilder } from '../../pipeline/index.js';
import { DEV_CERT_FILE } from '../../protocols/tls/index.js';
import { chromiumMissing, launchChromium, spkiHash, withDevCertDir } from '../support/browser.js';
import { testRequiring } from '../support/skip.js';
import type { PageGlobals, PageWebSocket } from './page-globals.js';

const test = testRequiring(uvuTest, chromiumMissing());

/** A WebSocket request as the server saw it. */
interface Seen {
  path: string;
  protocol: string;
  method: string;
  origin: string | undefined;
}

interface Setup {
  browser: Browser;
  /** Cleartext, HTTP/1.1 and h2c. */
  http: string;
  /** TLS with the development certificate, ALPN h2 and http/1.1: Chromium picks h2. */
  https: string;
  /** TLS offering http/1.1 only: a wss:// here is an HTTP/1.1 Upgrade inside TLS. */
  httpsHttp1: string;
  /** Another cleartext endpoint: another origin, for the cross-site page. */
  other: string;
  /** WebSocket requests (`/ws`, `/chat/ws`) in arrival order. */
  seen: Seen[];
}

/**
 * Starts the demo app on four endpoints with the development certificate in a fresh folder (never
 * ~/.tiercel), launches Chromium trusting that certificate's key, runs `body`, and tears it all down.
 */
async function withDemo(body: (s: Setup) => Promise<void>): Promise<void> {
  return withDevCertDir(async (certDir) => {
    const seen: Seen[] = [];
    const server = new Server({ logLevel: 'silent' });
    let launched: Awaited<ReturnType<typeof launchChromium>> | undefined;
    try {
      const app = new ApplicationBuilder().use((ctx, next) => {
        if (ctx.request.path.endsWith('/ws')) {
          seen.push({ path: ctx.request.path, protocol: ctx.request.protocol, method: ctx.request.method, origin: ctx.request.headers.get('origin') });
        }
        return next();
      });
      server.useHttp(demoApp(app));
      server.listen('http://127.0.0.1:0');
      server.listen('https://127.0.0.1:0');
      server.listen('https://127.0.0.1:0', (ep) => ep.useProtocols('http1'));
      server.listen('http://127.0.0.1:0');
      await server.start();
      const [http, https, httpsHttp1, other] = server.urls;
      launched = await launchChromium([`--ignore-certificate-errors-spki-list=${spkiHash(join(certDir, DEV_CERT_FILE))}`]);
      await body({ browser: launched.browser, http, https, httpsHttp1, other, seen });
    } finally {
      await launched?.close();
      await server.stop(500);
    }
  });
}

const LARGE = 300_000;

interface EchoResult {
  opened: boolean;
  /** What came back, in order: text as text, binary as its bytes (the large one summarised). */
  received: Array<{ text: string } | { bytes: number[] } | { length: number; intact: boolean }>;
  closeCode: number | undefined;
  wasClean: boolean | undefined;
  errored: boolean;
  timedOut: boolean;
}

/**
 * In the page: opens `url` and, once open, sends a text message, a small binary one and a
 * 300 000-byte binary one (several frames' worth on any transport), then closes after the third
 * echo. Resolves on close, or after 5 s with `timedOut`.
 */
function echoInPage(page: Page, url: string): Promise<EchoResult> {
  return page.evaluate(
    ({ url, large }) =>
      new Promise<EchoResult>((resolve) => {
        const w = globalThis as unknown as PageGlobals;
        const result: EchoResult = { opened: false, received: [], closeCode: undefined, wasClean: undefined, errored: false, timedOut: false };
        const timer = setTimeout(() => resolve({ ...result, timedOut: true }), 5000);
        let ws: PageWebSocket;
        try {
          ws = new w.WebSocket(url);
        } catch (err) {
          clearTimeout(timer);
          resolve({ ...result, errored: true, received: [{ text: String(err) }] });
          return;
        }
        ws.binaryType = 'arraybuffer';
        ws.onopen = () => {
          result.opened = true;
          ws.send('hello, wörld ✓');
          ws.send(new Uint8Array([0, 1, 2, 127, 128, 253, 254, 255]));
          const big = new Uint8Array(large);
          for (let i = 0; i < big.length; i++) big[i] = i % 251;
          ws.send(big);
        };
        ws.onmessage = (e) => {
          if (typeof e.data === 'string') result.received.push({ text: e.data });
          else if (e.data.byteLength < 1000) result.received.push({ bytes: Array.from(new Uint8Array(e.data)) });
          else {
            const bytes = new Uint8Array(e.data);
            result.received.push({ length: bytes.length, intact: bytes.every((b, i) => b === i % 251) });
          }
          if (result.received.length === 3) ws.close(1000, 'done');
        };
        ws.onerror = () => {
          result.errored = true;
        };
        ws.onclose = (e) => {
          clearTimeout(timer);
          resolve({ ...result, closeCode: e.code, wasClean: e.wasClean });
        };
      }),
    { url, large: LARGE },
  );
}

const ECHOED: EchoResult = {
  opened: true,
  received: [{ text: 'hello, wörld ✓' }, { bytes: [0, 1, 2, 127, 128, 253, 254, 255] }, { length: LARGE, intact: true }],
  closeCode: 1000,
  wasClean: true,
  errored: false,
  timedOut: false,
};

test('a page echoes text and binary over ws:// (HTTP/1.1 Upgrade)', () =>
  withDemo(async ({ browser, http, seen }) => {
    const page = await browser.newPage();
    assert.is((await page.goto(`${http}/`))?.status(), 200);
    assert.equal(await echoInPage(page, `${http.replace('http:', 'ws:')}/ws`), ECHOED);
    assert.equal(seen, [{ path: '/ws', protocol: 'HTTP/1.1', method: 'GET', origin: http }]);
  }));

test('a page loaded over HTTPS + h2 echoes text and binary over wss://, and over wss:// on an HTTP/1.1-only TLS endpoint', () =>
  withDemo(async ({ browser, https, httpsHttp1, seen }) => {
    const page = await browser.newPage();
    assert.is((await page.goto(`${https}/`))?.status(), 200);
    assert.equal(await echoInPage(page, `${https.replace('https:', 'wss:')}/ws`), ECHOED);

    const page1 = await browser.newPage();
    assert.is((await page1.goto(`${httpsHttp1}/`))?.status(), 200);
    assert.equal(await echoInPage(page1, `${httpsHttp1.replace('https:', 'wss:')}/ws`), ECHOED);

    assert.equal(seen, [
      // Chromium sees SETTINGS_ENABLE_CONNECT_PROTOCOL on the page's h2 connection and opens the
      // socket there as an extended CONNECT (RFC 8441), not as a second, HTTP/1.1 connection.
      { path: '/ws', protocol: 'HTTP/2', method: 'CONNECT', origin: https },
      { path: '/ws', protocol: 'HTTP/1.1', method: 'GET', origin: httpsHttp1 },
    ]);
  }));

/** Waits until the chat page's log shows `lines` (in order), then returns the whole log. */
async function chatLog(page: Page, lines: number): Promise<string[]> {
  await page.locator('#log li').nth(lines - 1).waitFor({ timeout: 3000 });
  return page.locator('#log li').allTextContents();
}

async function say(page: Page, text: string): Promise<void> {
  await page.fill('#m', text);
  await page.press('#m', 'Enter');
}

test('the /chat page broadcasts to every member, over ws://, wss:// on h2 and wss:// on HTTP/1.1 alike', () =>
  withDemo(async ({ browser, http, https, httpsHttp1, seen }) => {
    // Three people, each in their own browser context (own cookies, own connections).
    const pages: Page[] = [];
    for (const base of [http, https, httpsHttp1]) {
      const page = await (await browser.newContext()).newPage();
      assert.is((await page.goto(`${base}/chat`))?.status(), 200);
      assert.equal(await chatLog(page, 1), ['* connected']);
      pages.push(page);
    }
    assert.equal(seen, [
      { path: '/chat/ws', protocol: 'HTTP/1.1', method: 'GET', origin: http },
      { path: '/chat/ws', protocol: 'HTTP/2', method: 'CONNECT', origin: https },
      { path: '/chat/ws', protocol: 'HTTP/1.1', method: 'GET', origin: httpsHttp1 },
    ]);

    await say(pages[0], 'hello from ws');
    for (const page of pages) assert.equal(await chatLog(page, 2), ['* connected', 'hello from ws']);
    await say(pages[1], 'héllo from wss ✓');
    for (const page of pages) assert.equal(await chatLog(page, 3), ['* connected', 'hello from ws', 'héllo from wss ✓']);

    // Whoever leaves stops receiving; the others carry on.
    await pages[2].context().close();
    await say(pages[0], 'two left');
    for (const page of pages.slice(0, 2)) assert.equal(await chatLog(page, 4), ['* connected', 'hello from ws', 'héllo from wss ✓', 'two left']);
  }));

test("a page from another origin cannot open the server's /ws (same-origin default), while a same-origin page can", () =>
  withDemo(async ({ browser, http, other, seen }) => {
    const page = await browser.newPage();
    const handshakeErrors: string[] = [];
    page.on('websocket', (ws) => ws.on('socketerror', (message) => handshakeErrors.push(message)));
    assert.is((await page.goto(`${other}/`))?.status(), 200);

    const refused = await echoInPage(page, `${http.replace('http:', 'ws:')}/ws`);
    assert.equal(refused, { opened: false, received: [], closeCode: 1006, wasClean: false, errored: true, timedOut: false });
    assert.equal(seen, [{ path: '/ws', protocol: 'HTTP/1.1', method: 'GET', origin: other }]);
    assert.is(handshakeErrors.length, 1);
    assert.match(handshakeErrors[0], /403/);

    // The control: the same page may open its own origin's socket.
    assert.equal(await echoInPage(page, `${other.replace('http:', 'ws:')}/ws`), ECHOED);
  }));

test("a page from another HTTPS origin cannot open the server's wss:// /ws over its h2 connection (RFC 8441 path)", () =>
  withDemo(async ({ browser, https, httpsHttp1, seen }) => {
    const page = await browser.newPage();
    const handshakeErrors: string[] = [];
    page.on('websocket', (ws) => ws.on('socketerror', (message) => handshakeErrors.push(message)));
    assert.is((await page.goto(`${httpsHttp1}/`))?.status(), 200);
    // An opaque cross-origin request with credentials (a WebSocket's privacy mode) opens an h2
    // connection to the other origin; Chromium then sends the WebSocket as an extended CONNECT on
    // it, where the host is `:authority`. Without `credentials: 'include'` it would not share that
    // connection and would fall back to an HTTP/1.1 Upgrade (covered by the test above).
    await page.evaluate(async (url) => void (await fetch(url, { mode: 'no-cors', credentials: 'include' })), `${https}/plaintext`);

    const refused = await echoInPage(page, `${https.replace('https:', 'wss:')}/ws`);
    assert.equal(refused, { opened: false, received: [], closeCode: 1006, wasClean: false, errored: true, timedOut: false });
    assert.equal(seen, [{ path: '/ws', protocol: 'HTTP/2', method: 'CONNECT', origin: httpsHttp1 }]);
    assert.is(handshakeErrors.length, 1);
    assert.match(handshakeErrors[0], /403/);
  }));

uvuTest.run();
