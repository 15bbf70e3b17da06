import 'reflect-metadata';
import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket } from 'ws';
import { demoApp } from '../../hosting/demo-app.js';
import { ApplicationBuilder, type WebSocketOptions } from '../../pipeline/index.js';
import { removeScratch } from '../support/real-server.js';
import { readUntil } from '../support/streams.js';
import { closed, nextMessage, opened, startWs } from './web-socket-support.js';

function echoApp(options?: WebSocketOptions): ApplicationBuilder {
  const app = new ApplicationBuilder();
  if (options !== undefined) app.useWebSockets(options);
  return app.run(async (ctx) => {
    const ws = await ctx.webSockets.accept();
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
}

/** A client-to-server text frame (masked, RFC 6455 §5.3), written by hand. */
function maskedText(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = Buffer.from([1, 2, 3, 4]);
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x81;
  frame[1] = 0x80 | payload.length;
  mask.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i] ^ mask[i % 4];
  return frame;
}

test('a message sent in the same packet as the handshake is not lost (the app listens after await accept())', async () => {
  const h = await startWs(echoApp());
  try {
    const socket = connect(h.port, '127.0.0.1');
    const request =
      'GET / HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: upgrade\r\n' +
      'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n';
    socket.write(Buffer.concat([Buffer.from(request), maskedText('early')]));
    const text = await readUntil(socket, (t) => t.includes('early'));
    assert.ok(text.startsWith('HTTP/1.1 101 '), text);
    // An unmasked server text frame: 0x81, length 5, 'early'.
    assert.ok(text.endsWith('\x81\x05early'), JSON.stringify(text));
    socket.destroy();
  } finally {
    await h.stop();
  }
});

test('a message sent as soon as the 101 is read is not lost, when the app listens some microtasks after await accept()', async () => {
  const app = new ApplicationBuilder().run(async (ctx) => {
    const ws = await ctx.webSockets.accept();
    await null;
    await null;
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  const h = await startWs(app);
  try {
    for (let i = 0; i < 10; i++) {
      const socket = connect(h.port, '127.0.0.1');
      socket.write('GET / HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n');
      const head = await readUntil(socket, (t) => t.includes('\r\n\r\n'));
      assert.ok(head.startsWith('HTTP/1.1 101 '), head);
      socket.write(maskedText(`soon ${i}`));
      const text = await readUntil(socket, (t) => t.includes(`soon ${i}`), 2_000);
      assert.ok(text.endsWith(`\x81\x06soon ${i}`), JSON.stringify(text));
      socket.destroy();
    }
  } finally {
    await h.stop();
  }
});

test('keep-alive: a peer that stops answering pings is terminated; one that answers stays', async () => {
  const h = await startWs(echoApp({ keepAliveIntervalMs: 40 }));
  try {
    const live = await opened(h.client('tcp', '/'));
    // autoPong off: this client never answers a ping, like a peer whose network vanished.
    const dead = await opened(h.client('tcp', '/', undefined, { autoPong: false }));
    let pings = 0;
    dead.on('ping', () => pings++);
    const c = await closed(dead, 2_000);
    assert.is(c.code, 1006, 'terminated: no close frame');
    assert.ok(pings >= 1);
    assert.ok(c.afterMs < 500, `closed after ${c.afterMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
    assert.is(live.readyState, WebSocket.OPEN);
    const reply = nextMessage(live);
    live.send('still here');
    assert.is((await reply).data.toString(), 'still here');
    live.close();
    await closed(live);
  } finally {
    await h.stop();
  }
});

test('keepAliveIntervalMs: 0 sends no pings', async () => {
  const h = await startWs(echoApp({ keepAliveIntervalMs: 0 }));
  try {
    const ws = await opened(h.client('memory', '/'));
    let pings = 0;
    ws.on('ping', () => pings++);
    await new Promise((r) => setTimeout(r, 100));
    assert.is(pings, 0);
    ws.close();
    await closed(ws);
  } finally {
    await h.stop();
  }
});

test('server.stop() closes every WebSocket with 1001, lets the close handshake finish, and completes', async () => {
  const h = await startWs(echoApp());
  const clients = await Promise.all([h.client('tcp', '/'), h.client('unix', '/'), h.client('memory', '/')].map(opened));
  const closes = clients.map((ws) => closed(ws));
  const start = Date.now();
  await h.stop(10_000);
  const took = Date.now() - start;
  for (const c of await Promise.all(closes)) {
    assert.is(c.code, 1001);
    assert.is(c.reason, 'Server shutting down');
  }
  assert.ok(took < 2_000, `stop took ${took} ms (it should not wait for the shutdown timeout)`);
  assert.is(h.server.stats.active, 0);
});

test('the host still watches a socket whose app removed every listener: pongs count, events with three arguments arrive whole, stop() closes with 1001', async () => {
  const app = new ApplicationBuilder().useWebSockets({ keepAliveIntervalMs: 40 }).run(async (ctx) => {
    const ws = await ctx.webSockets.accept();
    ws.removeAllListeners();
    ws.on('triple', (a: unknown, b: unknown, c: unknown) => ws.send(JSON.stringify([a, b, c])));
    ws.on('message', (data, isBinary) => {
      if (data.toString() === 'triple') ws.emit('triple', 1, 2, 3);
      else ws.send(data, { binary: isBinary });
    });
  });
  const h = await startWs(app);
  const ws = await opened(h.client('tcp', '/'));
  const closing = closed(ws);
  try {
    // Five keep-alive rounds: a socket whose pongs went unseen would be terminated at the second.
    await new Promise((r) => setTimeout(r, 200));
    assert.is(ws.readyState, WebSocket.OPEN);
    let reply = nextMessage(ws);
    ws.send('still here');
    assert.is((await reply).data.toString(), 'still here');
    reply = nextMessage(ws);
    ws.send('triple');
    assert.is((await reply).data.toString(), '[1,2,3]');
  } finally {
    await h.stop(5_000);
  }
  const c = await closing;
  assert.is(c.code, 1001);
  assert.is(h.server.stats.active, 0);
});

test('1,000 concurrent WebSockets over TCP: all echo, and memory per socket stays bounded', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const h = await startWs(echoApp());
  const N = 1_000;
  try {
    // Warm up (the ws server, code paths) so the baseline holds what every socket shares.
    const warm = await opened(h.client('tcp', '/'));
    warm.close();
    await closed(warm);
    gc();
    const before = process.memoryUsage();
    const sockets: WebSocket[] = [];
    for (let i = 0; i < N; i += 100) {
      const batch = Array.from({ length: 100 }, () => h.client('tcp', '/'));
      await Promise.all(batch.map(opened));
      sockets.push(...batch);
    }
    const replies = sockets.map((ws) => nextMessage(ws, 10_000));
    sockets.forEach((ws, i) => ws.send(`m${i}`));
    const got = await Promise.all(replies);
    got.forEach((m, i) => assert.is(m.data.toString(), `m${i}`));
    gc();
    const after = process.memoryUsage();
    // Both ends live in this process, so this is per client + server pair: a loose upper bound.
    const heapPer = (after.heapUsed - before.heapUsed) / N;
    const rssPer = (after.rss - before.rss) / N;
    console.log(`\n  1,000 WebSockets: heapUsed +${(heapPer / 1024).toFixed(1)} KiB, rss +${(rssPer / 1024).toFixed(1)} KiB per socket (client and server ends)`);
    assert.ok(heapPer < 64 * 1024, `heapUsed grew ${heapPer} bytes per socket`);
    assert.ok(rssPer < 128 * 1024, `rss grew ${rssPer} bytes per socket`);
    const closes = sockets.map((ws) => closed(ws, 10_000));
    for (const ws of sockets) ws.close();
    await Promise.all(closes);
  } finally {
    await h.stop(5_000);
  }
});

test('an open WebSocket lets go of the HTTP/1.1 request it came from: the exchange is collected, the socket echoes on', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // The request's headers are cached on its exchange, which holds the connection, parser and head:
  // while any of them is kept for the socket's sake, so are the headers.
  const requests: WeakRef<object>[] = [];
  const app = new ApplicationBuilder().run(async (ctx) => {
    requests.push(new WeakRef(ctx.request.headers));
    const ws = await ctx.webSockets.accept();
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  const h = await startWs(app);
  try {
    const sockets: WebSocket[] = [];
    for (const transport of ['tcp', 'memory'] as const) {
      const ws = await opened(h.client(transport, '/'));
      const reply = nextMessage(ws);
      ws.send('first');
      assert.is((await reply).data.toString(), 'first');
      sockets.push(ws);
    }
    // Past the accept's setImmediate (resumeAfterAccept) and any microtask that still names the request.
    await new Promise((r) => setTimeout(r, 20));
    gc();
    assert.equal(
      requests.map((r) => r.deref() === undefined),
      [true, true],
      'an upgraded request is still reachable while its WebSocket is open',
    );
    for (const ws of sockets) {
      const reply = nextMessage(ws);
      ws.send('still open');
      assert.is((await reply).data.toString(), 'still open');
    }
    const closes = sockets.map((ws) => closed(ws));
    for (const ws of sockets) ws.close();
    await Promise.all(closes);
  } finally {
    await h.stop();
  }
});

test('an upgraded TCP transport keeps no listener of the HTTP side: its connection context and ws watch it close, nothing else', async () => {
  // A third 'close' listener (the upgrade counter's, once) grew the transport's listener array to
  // 20 slots that each open WebSocket kept; the counter now learns of the end from the context.
  const transports: import('node:stream').Duplex[] = [];
  const app = new ApplicationBuilder().useWebSockets({ keepAliveIntervalMs: 0 }).run(async (ctx) => {
    transports.push(ctx.exchange.connection.transport);
    const ws = await ctx.webSockets.accept();
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  const h = await startWs(app);
  try {
    const ws = await opened(h.client('tcp', '/'));
    const reply = nextMessage(ws);
    ws.send('hi');
    assert.is((await reply).data.toString(), 'hi');
    const [transport] = transports;
    assert.is(transport.listenerCount('close'), 2, "the context's and ws's 'close' listeners");
    assert.is(transport.listenerCount('data'), 1, "ws's 'data' listener");
    assert.is(transport.listenerCount('drain'), 0);
    const done = closed(ws);
    ws.close();
    await done;
  } finally {
    await h.stop();
  }
});

test('a closed WebSocket is let go of: neither the host nor its connection keeps the server-side socket', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const serverSockets: WeakRef<object>[] = [];
  const app = new ApplicationBuilder().useWebSockets({ keepAliveIntervalMs: 10_000 }).run(async (ctx) => {
    const ws = await ctx.webSockets.accept();
    serverSockets.push(new WeakRef(ws));
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  const h = await startWs(app);
  try {
    const open: WebSocket[] = [];
    for (const transport of ['tcp', 'memory', 'tcp'] as const) {
      const ws = await opened(h.client(transport, '/'));
      const reply = nextMessage(ws);
      ws.send('hi');
      assert.is((await reply).data.toString(), 'hi');
      open.push(ws);
    }
    // The first two close; the third stays open, so the host (and its keep-alive) stays too.
    await Promise.all(open.slice(0, 2).map((ws) => {
      const done = closed(ws);
      ws.close();
      return done;
    }));
    await new Promise((r) => setTimeout(r, 50));
    gc();
    assert.equal(
      serverSockets.map((r) => r.deref() === undefined),
      [true, true, false],
      'the closed sockets are collected, the open one is not',
    );
    const reply = nextMessage(open[2]);
    open[2].send('still open');
    assert.is((await reply).data.toString(), 'still open');
    const done = closed(open[2]);
    open[2].close();
    await done;
  } finally {
    await h.stop();
  }
});

test('demo app: /ws echoes and /chat serves a page whose socket broadcasts to every member', async () => {
  const h = await startWs(demoApp());
  try {
    const echo = await opened(h.client('memory', '/ws'));
    const reply = nextMessage(echo);
    echo.send('ping me');
    assert.is((await reply).data.toString(), 'ping me');
    echo.close();

    const page = await fetch(`http://127.0.0.1:${h.port}/chat`);
    assert.is(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /\/chat\/ws/);

    const [alice, bob, carol] = await Promise.all([h.client('tcp', '/chat/ws'), h.client('unix', '/chat/ws'), h.client('memory', '/chat/ws')].map(opened));
    const heard = [alice, bob, carol].map((ws) => nextMessage(ws));
    bob.send('hello room');
    for (const m of await Promise.all(heard)) {
      assert.is(m.data.toString(), 'hello room');
      assert.is(m.isBinary, false);
    }
    // A member who left no longer receives (and is no longer sent to).
    carol.close();
    await closed(carol);
    const heard2 = [alice, bob].map((ws) => nextMessage(ws));
    alice.send('still here?');
    for (const m of await Promise.all(heard2)) assert.is(m.data.toString(), 'still here?');
    // The plain routes still answer.
    assert.is(await (await fetch(`http://127.0.0.1:${h.port}/plaintext`)).text(), 'Hello, World!');
  } finally {
    await h.stop();
  }
});

test.after(() => removeScratch());

test.run();
