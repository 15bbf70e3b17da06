// wss://: WebSockets through `httpsMiddleware` (TLS as connection middleware) on TCP, with ws's client.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket } from 'ws';
import type { TcpEndpoint } from '../../connection/index.js';
import { Server } from '../../hosting/index.js';
import { ApplicationBuilder } from '../../pipeline/index.js';
import { httpsMiddleware } from '../../protocols/tls/index.js';
import { CertDir, makeCa, makeLeaf } from '../support/tls-certificates.js';
import { closed, nextMessage, opened } from './web-socket-support.js';

const dir = new CertDir();
const ca = await makeCa();
const files = dir.writePem('localhost', await makeLeaf(['localhost', '127.0.0.1'], { ca }));

test.after(() => dir.remove());

test('wss:// over httpsMiddleware: echo, same-origin https page allowed, 1001 on stop', async () => {
  const mw = httpsMiddleware({ certificate: files });
  const app = new ApplicationBuilder().run(async (ctx) => {
    const ws = await ctx.webSockets.accept();
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  const server = new Server({ logLevel: 'silent' });
  server.useHttp(app);
  server.listen('http://127.0.0.1:0', (ep) => ep.use(mw.middleware));
  await server.start();
  const port = (server.endpoints[0] as TcpEndpoint).port;
  try {
    const ws = await opened(new WebSocket(`wss://127.0.0.1:${port}/ws`, { ca: ca.cert, origin: `https://127.0.0.1:${port}` }));
    const reply = nextMessage(ws);
    ws.send('over tls');
    assert.is((await reply).data.toString(), 'over tls');
    const c = closed(ws);
    await server.stop(5_000);
    assert.is((await c).code, 1001);
  } finally {
    mw.dispose();
    await server.stop(500);
  }
});

test.run();
