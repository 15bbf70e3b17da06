// permessage-deflate (RFC 7692) negotiated the same way whichever protocol carries the WebSocket:
// an HTTP/1.1 Upgrade (ws's client) and an HTTP/2 extended CONNECT (node:http2's client, with the
// compression done here by hand with zlib, independently of ws).
import 'reflect-metadata';
import type { ClientHttp2Stream } from 'node:http2';
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WebSocket } from 'ws';
import { ApplicationBuilder } from '../../pipeline/index.js';
import { Op, Rsv, frame } from './raw-web-socket.js';
import { closed, h2ConnectWs, h2Session, nextMessage, opened, startWs } from './web-socket-support.js';

// What ws's client offers with `perMessageDeflate: true`; the HTTP/2 client offers the same.
const OFFER = 'permessage-deflate; client_max_window_bits';
// RFC 7692 §7.2.1: a message is deflated with a sync flush, whose trailing 00 00 ff ff is dropped.
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

function deflateMessage(text: string): Buffer {
  const out = deflateRawSync(Buffer.from(text), { finishFlush: constants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - TAIL.length);
}

function echoApp(): ApplicationBuilder {
  return new ApplicationBuilder().useWebSockets({ perMessageDeflate: { threshold: 0 } }).run(async (ctx) => {
    const ws = await ctx.webSockets.accept();
    ws.on('message', (data) => ws.send(`${ctx.request.protocol}: ${data.toString()}`));
  });
}


/** The next whole server frame on the stream (unmasked, length up to 64 KiB). */
function nextFrame(stream: ClientHttp2Stream): Promise<{ rsv1: boolean; opcode: number; payload: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => done(new Error('no frame within 3 s')), 3_000);
    const done = (err?: Error, value?: { rsv1: boolean; opcode: number; payload: Buffer }): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      if (err !== undefined) reject(err);
      else resolve(value!);
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2) return;
      let length = buffered[1] & 0x7f;
      let at = 2;
      if (length === 126) {
        if (buffered.length < 4) return;
        length = buffered.readUInt16BE(2);
        at = 4;
      }
      if (buffered.length < at + length) return;
      done(undefined, { rsv1: (buffered[0] & Rsv.one) !== 0, opcode: buffered[0] & 0x0f, payload: buffered.subarray(at, at + length) });
    };
    stream.on('data', onData);
  });
}

test('permessage-deflate: HTTP/2 negotiates what HTTP/1.1 does, and compressed messages flow both ways', async () => {
  const h = await startWs(echoApp());
  const s = await h2Session(h);
  try {
    // HTTP/1.1, with ws's client.
    let http1Answer: string | undefined;
    const client: WebSocket = h.client('tcp', '/ws', undefined, { perMessageDeflate: true });
    client.on('upgrade', (res) => (http1Answer = res.headers['sec-websocket-extensions'] as string | undefined));
    await opened(client);
    assert.ok(http1Answer?.startsWith('permessage-deflate'), `HTTP/1.1 answer: ${http1Answer}`);
    const reply = nextMessage(client);
    client.send('over one');
    assert.is((await reply).data.toString(), 'HTTP/1.1: over one');
    const c = closed(client);
    client.close();
    await c;

    // HTTP/2: the same offer gets the same answer in the 200.
    const { headers, stream } = await h2ConnectWs(s, '/ws', { 'sec-websocket-extensions': OFFER });
    assert.is(headers[':status'], 200);
    assert.is(headers['sec-websocket-extensions'], http1Answer);
    const answer = nextFrame(stream);
    stream.write(frame({ opcode: Op.text, rsv: Rsv.one, payload: deflateMessage('over two') }));
    const got = await answer;
    assert.is(got.opcode, Op.text);
    assert.ok(got.rsv1, 'the server compressed its message (RSV1)');
    assert.is(inflateRawSync(Buffer.concat([got.payload, TAIL]), { finishFlush: constants.Z_SYNC_FLUSH }).toString(), 'HTTP/2: over two');
    stream.close();
  } finally {
    s.destroy();
    await h.stop();
  }
});

test('permessage-deflate: no offer, no extension (HTTP/2); compression off ignores the offer', async () => {
  const h = await startWs(echoApp());
  const plain = await startWs(new ApplicationBuilder().run(async (ctx) => void (await ctx.webSockets.accept())));
  const s = await h2Session(h);
  const s2 = await h2Session(plain);
  try {
    const none = await h2ConnectWs(s, '/ws', {});
    assert.is(none.headers[':status'], 200);
    assert.is(none.headers['sec-websocket-extensions'], undefined);
    none.stream.close();
    const off = await h2ConnectWs(s2, '/ws', { 'sec-websocket-extensions': OFFER });
    assert.is(off.headers[':status'], 200);
    assert.is(off.headers['sec-websocket-extensions'], undefined);
    off.stream.close();
  } finally {
    s.destroy();
    s2.destroy();
    await h.stop();
    await plain.stop();
  }
});

test('an extension offer that cannot be accepted is an ordinary 400 before anything is sent, on both versions', async () => {
  const h = await startWs(echoApp());
  const s = await h2Session(h);
  try {
    // RFC 7692 §7.1.2.1: server_max_window_bits is 8 to 15.
    const bad = 'permessage-deflate; server_max_window_bits=20';
    const http1 = await h.raw(
      'GET /ws HTTP/1.1\r\nhost: tiercel.test\r\nupgrade: websocket\r\nconnection: upgrade\r\n' +
        `sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\nsec-websocket-extensions: ${bad}\r\n\r\n`,
    );
    assert.ok(http1.startsWith('HTTP/1.1 400 '), http1);
    assert.ok(http1.includes('Sec-WebSocket-Extensions'), 'the reason is in the body');
    const http2 = await h2ConnectWs(s, '/ws', { 'sec-websocket-extensions': bad });
    assert.is(http2.headers[':status'], 400);
    assert.is(http2.headers['sec-websocket-extensions'], undefined);
    http2.stream.close();
  } finally {
    s.destroy();
    await h.stop();
  }
});

test.run();
