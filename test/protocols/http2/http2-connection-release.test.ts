// What an HTTP/2 connection leaves behind on its transport: its listeners are shared by every
// connection and found through the session, so the transport must be let go of by the time the
// connection completes (a listener left on a kept-alive transport would keep the connection too).
// Without connection middleware the server serves it by callback (no promise): its end and a
// close the server requests must still reach it.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import { LifetimeFeature, type TcpEndpoint } from '../../../connection/index.js';
import { Server } from '../../../hosting/index.js';
import type { HttpApplication } from '../../../protocols/index.js';
import { eventually } from '../../support/real-server.js';
import { get } from './h2-support.js';
import { RawH2, T } from './raw-h2.js';

const app: HttpApplication = { handle: (ex) => ex.end('ok') };

interface Seen {
  endListenersBefore: number;
  endListenersAfter: number;
  completed: number;
}

async function serve(seen: Seen[]): Promise<{ server: Server; port: number }> {
  const server = new Server({ logLevel: 'silent' });
  server.useHttp(app);
  server.listen('http://127.0.0.1:0', (ep) =>
    ep.use(async (ctx, next) => {
      const t: Duplex = ctx.transport;
      const s: Seen = {
        endListenersBefore: t.listenerCount('end'),
        endListenersAfter: -1,
        completed: 0,
      };
      seen.push(s);
      await next();
      s.endListenersAfter = t.listenerCount('end');
      s.completed++;
    }),
  );
  await server.start();
  return { server, port: (server.endpoints[0] as TcpEndpoint).port };
}

test('an HTTP/2 connection completes when its session closes and leaves no listener of its own on the transport', async () => {
  const seen: Seen[] = [];
  const { server, port } = await serve(seen);
  try {
    for (const close of ['client close', 'client destroy'] as const) {
      const session = http2.connect(`http://127.0.0.1:${port}`);
      session.on('error', () => {});
      const res = await get(session, '/');
      assert.is(res.status, 200);
      assert.is(res.body.toString(), 'ok');
      if (close === 'client close') session.close();
      else session.destroy();
      await eventually(`the connection completed after a ${close}`, () => seen.length > 0 && seen.at(-1)!.completed === 1);
      const s = seen.at(-1)!;
      assert.is(s.endListenersAfter, s.endListenersBefore, `'end' listeners after a ${close}`);
    }
    assert.is(seen.length, 2);
  } finally {
    await server.stop(1_000);
  }
});

test('without connection middleware an HTTP/2 connection leaves the server when its session closes, and a stop closes it with GOAWAY', async () => {
  const server = new Server({ logLevel: 'silent' });
  server.useHttp(app);
  server.listen('http://127.0.0.1:0');
  await server.start();
  const port = (server.endpoints[0] as TcpEndpoint).port;
  let stopped = false;
  try {
    const first = http2.connect(`http://127.0.0.1:${port}`);
    first.on('error', () => {});
    assert.is((await get(first, '/')).status, 200);
    assert.is(server.stats.active, 1);
    first.close();
    await eventually('the connection left the server after the client closed its session', () => server.stats.active === 0);

    const second = http2.connect(`http://127.0.0.1:${port}`);
    second.on('error', () => {});
    assert.is((await get(second, '/')).status, 200);
    const goaway = new Promise<number>((resolve) => second.once('goaway', (code: number) => resolve(code)));
    // The stop's timeout is far longer than the test: it completes only if the connection heard
    // the close request and its end was reported.
    const stop = server.stop(30_000);
    assert.is(await goaway, http2.constants.NGHTTP2_NO_ERROR);
    await stop;
    stopped = true;
    assert.is(server.stats.active, 0);
    second.destroy();
  } finally {
    if (!stopped) await server.stop(1_000);
  }
});

test('a close the server asks for before the HTTP/2 session has started still sends GOAWAY and completes the connection', async () => {
  const server = new Server({ logLevel: 'silent' });
  server.useHttp(app);
  let completed = 0;
  server.listen('http://127.0.0.1:0', (ep) =>
    ep.use(async (ctx, next) => {
      const done = next();
      // Asked before the client's preface is even read: HTTP/2 hears it as it takes the connection,
      // before its session starts.
      ctx.features.get(LifetimeFeature)!.requestClose();
      await done;
      completed++;
    }),
  );
  await server.start();
  const port = (server.endpoints[0] as TcpEndpoint).port;
  try {
    const client = await RawH2.connect(port);
    // A session left open would answer neither: the close would wait for the server's stop.
    assert.is(await client.goawayCode(), http2.constants.NGHTTP2_NO_ERROR);
    assert.ok(client.frames.some((f) => f.type === T.SETTINGS), 'the server preface came before the GOAWAY');
    client.socket.end();
    await eventually('the connection completed', () => completed === 1);
    await client.closed;
  } finally {
    await server.stop(1_000);
  }
});

test.run();
