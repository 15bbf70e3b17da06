// ws is loaded when the first WebSocket is accepted, not when tiercel is imported or serves HTTP.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

// The layers a WebSocket app runs on, without hosting's test helpers (TestServer brings a ws client).
const layers = ['hosting/server.js', 'pipeline/index.js', 'transports/index.js'].map((f) => fileURLToPath(new URL(`../../../${f}`, import.meta.url)));

/** Runs `body` in a fresh process after importing the layers; returns whether ws was loaded by then. */
function wsLoadedAfter(body: string): boolean {
  const script = `
    import { createRequire } from 'node:module';
    import 'reflect-metadata';
    const t = Object.assign({}, ...(await Promise.all(${JSON.stringify(layers)}.map((f) => import(f)))));
    ${body}
    const loaded = Object.keys(createRequire(import.meta.url).cache).some((f) => /[\\\\/]node_modules[\\\\/]ws[\\\\/]/.test(f));
    process.stdout.write(String(loaded));
  `;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }) === 'true';
}

test('importing tiercel and serving HTTP does not load ws; the first accepted WebSocket does', () => {
  const serve = `
    const server = new t.Server({ logLevel: 'silent' });
    server.useHttp(new t.ApplicationBuilder().run(async (ctx) => {
      if (ctx.webSockets.isWebSocketRequest) (await ctx.webSockets.accept()).close();
      else ctx.response.send('plain');
    }));
    server.listen('http://memory:lazy');
    await server.start();
    const memory = server.getTransport(t.MemoryTransport);
    const exchange = (request) => new Promise((resolve) => {
      const c = memory.connect('lazy');
      let text = '';
      c.on('data', (d) => { text += d; if (text.includes('\\r\\n\\r\\n')) { c.destroy(); resolve(text); } });
      c.write(request);
    });
    await exchange('GET / HTTP/1.1\\r\\nhost: x\\r\\n\\r\\n');
  `;
  assert.is(wsLoadedAfter(serve + 'await server.stop(200);'), false, 'ws loaded without a WebSocket');
  const upgrade = `
    await exchange('GET / HTTP/1.1\\r\\nhost: x\\r\\nupgrade: websocket\\r\\nconnection: upgrade\\r\\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nsec-websocket-version: 13\\r\\n\\r\\n');
  `;
  assert.is(wsLoadedAfter(serve + upgrade + 'await server.stop(200);'), true, 'ws not loaded by an accepted WebSocket');
});

test.run();
