// WebSockets over HTTP/2 (RFC 8441 extended CONNECT): node:http2 as the client, ws framing over
// the stream on both sides.
import 'reflect-metadata';
import type { ClientHttp2Stream } from 'node:http2';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket } from 'ws';
import { ApplicationBuilder, WebSocketBufferFullError } from '../../pipeline/index.js';
import { removeScratch } from '../support/real-server.js';
import { Op, frame } from './raw-web-socket.js';
import { closed, h2ConnectWs, h2Session, nextMessage, startWs } from './web-socket-support.js';

interface ClientSideWebSocket {
  _isServer: boolean;
  setSocket(socket: ClientHttp2Stream, head: Buffer, options: Record<string, unknown>): void;
}

/**
 * A ws client over an HTTP/2 stream: ws has no public API for it, so this does what its client does
 * after the 101, with the client role (masked frames out, unmasked in).
 */
function clientOver(stream: ClientHttp2Stream): WebSocket {
  const ws = new WebSocket(null as never, undefined, { autoPong: true, maxPendingAutoPongs: 60, closeTimeout: 5_000 } as never);
  const internal = ws as unknown as ClientSideWebSocket;
  internal._isServer = false;
  internal.setSocket(stream, Buffer.alloc(0), { allowSynchronousEvents: true, maxPayload: 0, skipUTF8Validation: false });
  return ws;
}


function app(): ApplicationBuilder {
  return new ApplicationBuilder().run(async (ctx) => {
    const offered = ctx.webSockets.requestedProtocols;
    const ws = await ctx.webSockets.accept({ protocol: offered.includes('chat') ? 'chat' : undefined });
    ws.on('message', (data, isBinary) => ws.send(isBinary ? data : `${ctx.request.protocol} ${ws.protocol}: ${data.toString()}`, { binary: isBinary }));
  });
}

test('HTTP/2 extended CONNECT: accept() answers 200 with the subprotocol, and ws frames flow both ways', async () => {
  const h = await startWs(app());
  const s = await h2Session(h);
  try {
    const { headers, stream } = await h2ConnectWs(s, '/ws', { 'sec-websocket-protocol': 'chat, other' });
    assert.is(headers[':status'], 200);
    assert.is(headers['sec-websocket-protocol'], 'chat');
    const ws = clientOver(stream);
    const text = nextMessage(ws);
    ws.send('hello');
    assert.is((await text).data.toString(), 'HTTP/2 chat: hello');
    const bin = nextMessage(ws);
    ws.send(Buffer.from([9, 8, 7]));
    const got = await bin;
    assert.is(got.isBinary, true);
    assert.equal([...got.data], [9, 8, 7]);
    // Two WebSockets on one connection, each its own stream.
    const second = clientOver((await h2ConnectWs(s, '/ws')).stream);
    const reply = nextMessage(second);
    second.send('two');
    assert.is((await reply).data.toString(), 'HTTP/2 : two');
    const c = closed(ws);
    ws.close(1000, 'done');
    assert.is((await c).code, 1000);
    second.close();
    await closed(second);
  } finally {
    s.destroy();
    await h.stop();
  }
});

test('HTTP/2: a bad handshake (version 8) or a refused origin is an ordinary 426 / 403 response', async () => {
  const h = await startWs(app());
  const s = await h2Session(h);
  try {
    const v8 = await h2ConnectWs(s, '/ws', { 'sec-websocket-version': '8' });
    assert.is(v8.headers[':status'], 426);
    assert.is(v8.headers['sec-websocket-version'], '13');
    const evil = await h2ConnectWs(s, '/ws', { origin: 'https://evil.example' });
    assert.is(evil.headers[':status'], 403);
    const same = await h2ConnectWs(s, '/ws', { origin: 'http://tiercel.test' });
    assert.is(same.headers[':status'], 200);
    same.stream.close();
  } finally {
    s.destroy();
    await h.stop();
  }
});

test('HTTP/2: server.stop() closes the WebSocket with 1001 and completes', async () => {
  const h = await startWs(app());
  const s = await h2Session(h);
  try {
    const ws = clientOver((await h2ConnectWs(s, '/ws')).stream);
    const c = closed(ws);
    const start = Date.now();
    await h.stop(5_000);
    assert.is((await c).code, 1001);
    assert.ok(Date.now() - start < 2_000, `stop took ${Date.now() - start} ms`);
  } finally {
    s.destroy();
  }
});

test('HTTP/2: a client stream that never reads is held to maxBufferedAmount, closed with 1008, cut after closeTimeoutMs', async () => {
  const cap = 64 * 1024;
  const chunk = Buffer.alloc(16 * 1024, 1);
  const limit = 256; // 4 MiB: far past the stream's and the connection's windows
  let maxBuffered = 0;
  let sent = 0;
  const errors: unknown[] = [];
  let onClose!: (code: number) => void;
  const closeCode = new Promise<number>((r) => (onClose = r));
  const flood = new ApplicationBuilder().useWebSockets({ maxBufferedAmount: cap, closeTimeoutMs: 200 }).run(async (ctx) => {
    const ws = await ctx.webSockets.accept();
    if (ctx.request.path !== '/flood') {
      ws.on('message', (data) => ws.send(data));
      return;
    }
    ws.on('error', (err) => errors.push(err));
    ws.on('close', onClose);
    ws.on('message', function pump() {
      for (let i = 0; i < 8 && ws.readyState === WebSocket.OPEN && sent < limit; i++, sent++) {
        ws.send(chunk);
        maxBuffered = Math.max(maxBuffered, ws.bufferedAmount);
      }
      if (ws.readyState === WebSocket.OPEN && sent < limit) setImmediate(pump);
    });
  });
  const h = await startWs(flood);
  const attacker = await h2Session(h);
  const other = await h2Session(h);
  try {
    // A raw masked 'go'; the stream is never read, so flow control holds the server at its window.
    const { stream } = await h2ConnectWs(attacker, '/flood');
    stream.write(frame({ opcode: Op.text, payload: 'go' }));
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the flooded socket did not close')), 5_000).unref());
    assert.is(await Promise.race([closeCode, timeout]), 1006, 'the close frame could not reach a peer that does not read');
    assert.ok(sent < limit, `the flood was stopped after ${sent} messages`);
    assert.ok(maxBuffered > cap && maxBuffered <= cap + chunk.length + 4, `bufferedAmount peaked at ${maxBuffered}`);
    assert.instance(errors[0], WebSocketBufferFullError);
    // Another session is served as ever.
    const ws = clientOver((await h2ConnectWs(other, '/ws')).stream);
    const reply = nextMessage(ws);
    ws.send('still');
    assert.is((await reply).data.toString(), 'still');
    ws.close();
    await closed(ws);
  } finally {
    attacker.destroy();
    other.destroy();
    await h.stop();
  }
});

test.after(() => removeScratch());

test.run();
