// Attacks on an open WebSocket, each from a raw client of its own over TCP (raw-web-socket.ts):
// a peer that never reads, ping floods, oversized and endless messages, malformed frames. Each
// test checks that the attacker is cut with the right code, that what the server holds for it stays
// bounded, and that a well-behaved client on another connection is served meanwhile.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket } from 'ws';
import { demoApp } from '../../hosting/demo-app.js';
import { ApplicationBuilder, WebSocketBufferFullError, type WebSocketOptions } from '../../pipeline/index.js';
import { removeScratch } from '../support/real-server.js';
import { delay } from '../support/streams.js';
import { Op, RawWebSocket, Rsv, closePayload, frame } from './raw-web-socket.js';
import { closed, nextMessage, opened, startWs, type WsHarness } from './web-socket-support.js';

const KiB = 1024;
const CHUNK = Buffer.alloc(16 * KiB, 0x61);
/** An unmasked server frame of CHUNK: 2 bytes + a 16-bit length. */
const CHUNK_FRAME = CHUNK.length + 4;
/** The flood's own safety bound, far past any kernel buffer: reaching it means nothing stopped it. */
const FLOOD_LIMIT = (64 * 1024 * KiB) / CHUNK.length;

/** What the server side of one socket saw. */
interface Seen {
  readonly ws: WebSocket;
  sent: number;
  /** Bytes whose send callback reported success (they left the server). */
  sentBytes: number;
  /** The largest `bufferedAmount` right after a send, a ping or a pong. */
  maxBuffered: number;
  messages: number;
  pings: number;
  readonly errors: Error[];
  readonly callbackErrors: Error[];
  refusedAt?: number;
  close?: { code: number; at: number };
  /** Resolves when the server side closed; rejects after 5 s (no test may hang on it). */
  closed(): Promise<void>;
}

/**
 * `/ws` echoes (ignoring bufferedAmount, as a naive app would); `/flood` answers the message `go`
 * by sending CHUNKs as fast as it can, never looking at bufferedAmount, until the socket closes;
 * `/bye` closes with 1000 on any message. Every server-side socket is recorded in `seen`.
 */
function floodApp(options: WebSocketOptions | undefined, seen: Seen[]): ApplicationBuilder {
  const app = new ApplicationBuilder();
  if (options !== undefined) app.useWebSockets(options);
  return app.run(async (ctx) => {
    const ws = await ctx.webSockets.accept();
    let onClose!: () => void;
    const closedPromise = new Promise<void>((r) => (onClose = r));
    const s: Seen = {
      ws,
      sent: 0,
      sentBytes: 0,
      maxBuffered: 0,
      messages: 0,
      pings: 0,
      errors: [],
      callbackErrors: [],
      closed: () => within(closedPromise, 5_000, 'the server side to close'),
    };
    seen.push(s);
    const note = (): void => {
      s.maxBuffered = Math.max(s.maxBuffered, ws.bufferedAmount);
    };
    ws.on('error', (err) => s.errors.push(err));
    ws.on('close', (code) => {
      s.close = { code, at: Date.now() };
      onClose();
    });
    ws.on('ping', () => {
      s.pings++;
      note();
    });
    const path = ctx.request.path;
    ws.on('message', (data, isBinary) => {
      s.messages++;
      if (path === '/ws') {
        ws.send(data, { binary: isBinary });
        note();
      } else if (path === '/bye') ws.close(1000, 'bye');
      else if (path === '/flood') pump();
    });
    const sent = (err?: Error | null): void => {
      if (!err) s.sentBytes += CHUNK.length;
      else {
        s.callbackErrors.push(err);
        if (err instanceof WebSocketBufferFullError) s.refusedAt ??= Date.now();
      }
    };
    function pump(): void {
      for (let i = 0; i < 8 && ws.readyState === WebSocket.OPEN && s.sent < FLOOD_LIMIT; i++) {
        s.sent++;
        ws.send(CHUNK, sent);
        note();
      }
      if (ws.readyState === WebSocket.OPEN && s.sent < FLOOD_LIMIT) setImmediate(pump);
    }
  });
}

async function withFloodServer(options: WebSocketOptions | undefined, fn: (h: WsHarness, seen: Seen[]) => Promise<void>): Promise<void> {
  const seen: Seen[] = [];
  const h = await startWs(floodApp(options, seen));
  try {
    await fn(h, seen);
  } finally {
    await h.stop();
  }
}

/** A well-behaved client on its own connection: it must be echoed while an attack runs. */
async function assertServed(h: WsHarness, ws: WebSocket, text: string): Promise<void> {
  const reply = nextMessage(ws);
  ws.send(text);
  assert.is((await reply).data.toString(), text, 'the legitimate client was echoed');
}

function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer!: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function until(predicate: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

// ---- a peer that does not read ------------------------------------------------------------------

test('a client that never reads: the server queues at most maxBufferedAmount (+1 message), closes with 1008, destroys the transport after closeTimeoutMs', async () => {
  const cap = 256 * KiB;
  const closeTimeoutMs = 300;
  await withFloodServer({ maxBufferedAmount: cap, closeTimeoutMs }, async (h, seen) => {
    const legit = await opened(h.client('tcp', '/ws'));
    const attacker = await RawWebSocket.connect(h.port, '/flood');
    attacker.send(frame({ opcode: Op.text, payload: 'go' }));
    await until(() => seen.length === 2 && seen[1].sent > 0, 'the flood to start');
    const s = seen[1];
    await assertServed(h, legit, 'during the flood');
    await s.closed();

    assert.ok(s.sent < FLOOD_LIMIT, 'the flood was stopped');
    assert.ok(s.maxBuffered <= cap + CHUNK_FRAME, `bufferedAmount peaked at ${s.maxBuffered}, over ${cap} + one message`);
    assert.ok(s.maxBuffered > cap, `the cap was reached (peak ${s.maxBuffered})`);
    const refusal = s.callbackErrors[0];
    assert.instance(refusal, WebSocketBufferFullError);
    assert.is((refusal as WebSocketBufferFullError).code, 'ERR_TIERCEL_WS_BUFFER_FULL');
    assert.instance(s.errors[0], WebSocketBufferFullError, "the socket's 'error' event tells the app why");
    // The 1008 could not reach a peer that does not read: no close frame came back, the deadline
    // destroyed the transport.
    assert.is(s.close!.code, 1006);
    const after = s.close!.at - s.refusedAt!;
    assert.ok(after >= closeTimeoutMs - 50 && after < closeTimeoutMs + 2_000, `destroyed ${after} ms after the refusal`);
    await assertServed(h, legit, 'after the flood');
    legit.close();
    await closed(legit);
    attacker.destroy();
  });
});

test('a client that reads slowly: it gets every byte the server accepted, then 1008', async () => {
  const cap = 256 * KiB;
  await withFloodServer({ maxBufferedAmount: cap, closeTimeoutMs: 5_000 }, async (h, seen) => {
    const slow = await RawWebSocket.connect(h.port, '/flood');
    slow.send(frame({ opcode: Op.text, payload: 'go' }));
    await until(() => seen[0]?.refusedAt !== undefined, 'the cap to be reached');
    const s = seen[0];
    // Now it reads: the backlog, then the close frame queued behind it.
    slow.read();
    await slow.until(() => slow.closeFrame !== undefined, 5_000, 'the close frame');
    assert.equal(slow.closeFrame, { code: 1008, reason: 'Send buffer full' });
    assert.is(slow.dataBytes, s.sentBytes, 'every message the server accepted arrived');
    assert.is(slow.dataFrames * CHUNK.length, slow.dataBytes);
    slow.send(frame({ opcode: Op.close, payload: closePayload(1008) }));
    await s.closed();
    assert.is(s.close!.code, 1008, 'the close handshake completed');
    await slow.until(() => slow.ended, 2_000, 'the end of the connection');
  });
});

test('the default maxBufferedAmount is 1 MiB', async () => {
  await withFloodServer(undefined, async (h, seen) => {
    const attacker = await RawWebSocket.connect(h.port, '/flood');
    attacker.send(frame({ opcode: Op.text, payload: 'go' }));
    await until(() => seen[0]?.refusedAt !== undefined, 'the cap to be reached');
    const s = seen[0];
    assert.ok(s.maxBuffered > 1024 * KiB && s.maxBuffered <= 1024 * KiB + CHUNK_FRAME, `peak ${s.maxBuffered}`);
    assert.is(s.ws.readyState, WebSocket.CLOSING);
    attacker.destroy();
    await s.closed();
  });
});

/** 8 MiB in one message: past the kernel's buffers, most of its echo stays queued for a client that does not read. */
const BIG = frame({ opcode: Op.binary, payload: Buffer.alloc(8 * 1024 * KiB, 1) });

test('one message larger than the cap goes out on a drained socket; then an app ping or pong is refused', async () => {
  const cap = 64 * KiB;
  await withFloodServer({ maxBufferedAmount: cap, keepAliveIntervalMs: 0, maxPayload: 16 * 1024 * KiB }, async (h, seen) => {
    const a = await RawWebSocket.connect(h.port, '/ws');
    const b = await RawWebSocket.connect(h.port, '/ws');
    a.send(BIG);
    b.send(BIG);
    await until(() => seen.length === 2 && seen.every((s) => s.messages === 1), 'the big messages');
    for (const s of seen) {
      assert.is(s.callbackErrors.length, 0, 'the check is before a send: the echo was not refused');
      assert.ok(s.maxBuffered > cap, `the echo was queued whole (${s.maxBuffered} bytes)`);
    }
    const [sa, sb] = seen;
    let pingError: Error | undefined;
    sa.ws.ping(Buffer.from('app'), undefined, (err?: Error) => (pingError = err ?? undefined));
    await until(() => pingError !== undefined, "the app's ping to be refused");
    assert.instance(pingError, WebSocketBufferFullError);
    assert.is(sa.ws.readyState, WebSocket.CLOSING);
    // An unsolicited pong, with the callback alone (as ws allows).
    let pongError: Error | undefined;
    (sb.ws.pong as unknown as (cb: (err?: Error) => void) => void)((err) => (pongError = err ?? undefined));
    await until(() => pongError !== undefined, "the app's pong to be refused");
    assert.instance(pongError, WebSocketBufferFullError);
    assert.is(sb.ws.readyState, WebSocket.CLOSING);
    a.destroy();
    b.destroy();
    await Promise.all(seen.map((s) => s.closed()));
  });
});

test("the keep-alive's ping is checked too: a backlog over the cap closes a socket the app no longer sends to", async () => {
  const cap = 64 * KiB;
  await withFloodServer({ maxBufferedAmount: cap, keepAliveIntervalMs: 100, maxPayload: 16 * 1024 * KiB }, async (h, seen) => {
    const client = await RawWebSocket.connect(h.port, '/ws');
    // Unsolicited pongs keep it alive for the keep-alive without reading a byte.
    const pongs = setInterval(() => client.send(frame({ opcode: Op.pong })), 20);
    try {
      client.send(BIG);
      await until(() => seen[0]?.messages === 1, 'the big message');
      const s = seen[0];
      await until(() => s.errors.length > 0, 'the keep-alive to refuse its ping');
      assert.instance(s.errors[0], WebSocketBufferFullError);
      assert.is(s.ws.readyState, WebSocket.CLOSING);
    } finally {
      clearInterval(pongs);
    }
    client.destroy();
    await seen[0].closed();
  });
});

// ---- ping floods -----------------------------------------------------------------------------

test('a ping flood that reads no pongs is cut; the server never holds more than a few pongs for it', async () => {
  await withFloodServer({ maxBufferedAmount: 64 * KiB }, async (h, seen) => {
    const legit = await opened(h.client('tcp', '/ws'));
    const attacker = await RawWebSocket.connect(h.port, '/ws');
    const ping = frame({ opcode: Op.ping, payload: Buffer.alloc(125, 7) });
    const burst = Buffer.concat(Array.from({ length: 5_000 }, () => ping));
    attacker.send(burst);
    await until(() => seen.length === 2 && seen[1].close !== undefined, 'the attacker to be cut');
    const s = seen[1];
    assert.is(s.close!.code, 1006, 'terminated');
    assert.ok(s.pings < 5_000, `answered ${s.pings} of 5,000 pings`);
    assert.ok(s.maxBuffered <= 64 * KiB, `pongs held: ${s.maxBuffered} bytes`);
    // A client's occasional ping is answered as ever.
    const pong = new Promise((r) => legit.once('pong', r));
    legit.ping('hi');
    await pong;
    await assertServed(h, legit, 'after the ping flood');
    legit.close();
    await closed(legit);
    attacker.destroy();
  });
});

test('a slow ping flood (a few pings at a time) that reads no pongs is cut as well', async () => {
  await withFloodServer({ maxBufferedAmount: 64 * KiB, closeTimeoutMs: 200 }, async (h, seen) => {
    const attacker = await RawWebSocket.connect(h.port, '/ws');
    await until(() => seen.length === 1, 'the socket');
    const s = seen[0];
    const batch = Buffer.concat(Array.from({ length: 20 }, () => frame({ opcode: Op.ping, payload: Buffer.alloc(125, 7) })));
    // Bounded: 200k pings would be 25 MiB of pongs, far past every buffer on the way.
    for (let i = 0; i < 10_000 && s.close === undefined; i++) {
      if (!attacker.send(batch)) await delay(1);
      if (i % 16 === 0) await new Promise((r) => setImmediate(r));
    }
    await s.closed();
    assert.ok(s.maxBuffered <= 64 * KiB + 131, `pongs held: ${s.maxBuffered} bytes`);
    attacker.destroy();
  });
});

// ---- oversized and endless messages -----------------------------------------------------------

test('a frame declaring more than maxPayload is refused with 1009 from its header, before any payload', async () => {
  await withFloodServer({ maxPayload: 64 * KiB }, async (h, seen) => {
    const attacker = await RawWebSocket.connect(h.port, '/ws');
    attacker.send(frame({ opcode: Op.binary, declaredLength: 1024 * 1024 * KiB }));
    const c = await attacker.closedByServer();
    assert.is(c.code, 1009);
    assert.is(seen[0].messages, 0);
  });
});

test('fragments that never end are bounded by maxPayload in total: alive at the limit, 1009 past it', async () => {
  await withFloodServer({ maxPayload: 64 * KiB }, async (h, seen) => {
    const legit = await opened(h.client('tcp', '/ws'));
    const attacker = await RawWebSocket.connect(h.port, '/ws');
    attacker.read();
    const part = Buffer.alloc(KiB, 0x62);
    attacker.send(frame({ opcode: Op.text, payload: part, fin: false }));
    for (let i = 1; i < 64; i++) attacker.send(frame({ opcode: Op.continuation, payload: part, fin: false }));
    // 64 KiB so far, no FIN: still open (a ping between fragments is answered).
    attacker.send(frame({ opcode: Op.ping, payload: 'alive?' }));
    await attacker.until(() => attacker.control.some((f) => f.opcode === Op.pong), 2_000, 'the pong');
    await assertServed(h, legit, 'during the endless message');
    attacker.send(frame({ opcode: Op.continuation, payload: Buffer.alloc(1, 0x62), fin: false }));
    const c = await attacker.closedByServer();
    assert.is(c.code, 1009);
    assert.is(seen[1].messages, 0);
    legit.close();
    await closed(legit);
  });
});

test('empty fragments that never end are bounded in number (16,384 per message) → 1008', async () => {
  await withFloodServer(undefined, async (h) => {
    const attacker = await RawWebSocket.connect(h.port, '/ws');
    attacker.read();
    const empty = frame({ opcode: Op.continuation, fin: false });
    attacker.send(frame({ opcode: Op.binary, fin: false }), ...Array.from({ length: 16_383 }, () => empty));
    attacker.send(frame({ opcode: Op.ping, payload: 'alive?' }));
    await attacker.until(() => attacker.control.some((f) => f.opcode === Op.pong), 2_000, 'the pong at 16,384 fragments');
    attacker.send(empty);
    const c = await attacker.closedByServer();
    assert.is(c.code, 1008);
  });
});

// ---- malformed frames ---------------------------------------------------------------------------

const MALFORMED: readonly { name: string; bytes: Buffer; code: number }[] = [
  { name: 'an unmasked frame (§5.1)', bytes: frame({ opcode: Op.text, payload: 'hi', masked: false }), code: 1002 },
  { name: 'RSV1 without an extension (§5.2)', bytes: frame({ opcode: Op.text, payload: 'hi', rsv: Rsv.one }), code: 1002 },
  { name: 'RSV2 set', bytes: frame({ opcode: Op.text, payload: 'hi', rsv: Rsv.two }), code: 1002 },
  { name: 'RSV3 set', bytes: frame({ opcode: Op.binary, payload: 'hi', rsv: Rsv.three }), code: 1002 },
  { name: 'reserved data opcode 0x3', bytes: frame({ opcode: 0x3, payload: 'hi' }), code: 1002 },
  { name: 'reserved control opcode 0xB', bytes: frame({ opcode: 0xb }), code: 1002 },
  { name: 'text that is not UTF-8 (§8.1)', bytes: frame({ opcode: Op.text, payload: Buffer.from([0x68, 0xff, 0xfe]) }), code: 1007 },
  { name: 'an overlong UTF-8 encoding', bytes: frame({ opcode: Op.text, payload: Buffer.from([0xc0, 0xaf]) }), code: 1007 },
  { name: 'a ping over 125 bytes (§5.5)', bytes: frame({ opcode: Op.ping, payload: Buffer.alloc(126) }), code: 1002 },
  { name: 'a fragmented ping (§5.5)', bytes: frame({ opcode: Op.ping, payload: 'x', fin: false }), code: 1002 },
  { name: 'a continuation with no message started', bytes: frame({ opcode: Op.continuation, payload: 'x' }), code: 1002 },
  {
    name: 'a new message inside a fragmented one',
    bytes: Buffer.concat([frame({ opcode: Op.text, payload: 'a', fin: false }), frame({ opcode: Op.text, payload: 'b' })]),
    code: 1002,
  },
  { name: 'a close frame with a 1-byte payload', bytes: frame({ opcode: Op.close, payload: Buffer.from([3]) }), code: 1002 },
  { name: 'a close frame with code 1005 (never sent, §7.4.1)', bytes: frame({ opcode: Op.close, payload: closePayload(1005) }), code: 1002 },
  { name: 'a close frame with code 999', bytes: frame({ opcode: Op.close, payload: closePayload(999) }), code: 1002 },
  {
    name: 'a close reason that is not UTF-8',
    bytes: frame({ opcode: Op.close, payload: Buffer.concat([closePayload(1000), Buffer.from([0xff])]) }),
    code: 1007,
  },
];

for (const split of [false, true]) {
  test(`malformed frames get their close code and the connection ends${split ? ' (written a byte at a time)' : ''}`, async () => {
    await withFloodServer(undefined, async (h, seen) => {
      const legit = await opened(h.client('tcp', '/ws'));
      for (const c of MALFORMED) {
        const attacker = await RawWebSocket.connect(h.port, '/ws');
        attacker.read();
        if (!split) attacker.send(c.bytes);
        else
          for (const byte of c.bytes) {
            attacker.send(Buffer.from([byte]));
            await new Promise((r) => setImmediate(r));
          }
        let got;
        try {
          got = await attacker.closedByServer();
        } catch (err) {
          throw new Error(`${c.name}: ${(err as Error).message}`);
        }
        assert.is(got.code, c.code, c.name);
        attacker.destroy();
      }
      await assertServed(h, legit, 'after every malformed frame');
      assert.is(seen.slice(1).reduce((n, s) => n + s.messages, 0), 0, 'no malformed frame reached the app');
      legit.close();
      await closed(legit);
    });
  });
}

// ---- deadlines ----------------------------------------------------------------------------------

test('closeTimeoutMs: a peer that never answers the close frame is cut when it passes', async () => {
  const closeTimeoutMs = 200;
  await withFloodServer({ closeTimeoutMs }, async (h, seen) => {
    const mute = await RawWebSocket.connect(h.port, '/bye');
    mute.read();
    const start = Date.now();
    mute.send(frame({ opcode: Op.text, payload: 'bye?' }));
    await mute.until(() => mute.closeFrame !== undefined, 2_000, 'the close frame');
    assert.equal(mute.closeFrame, { code: 1000, reason: 'bye' });
    await seen[0].closed();
    await mute.until(() => mute.ended, 2_000, 'the end of the connection');
    const after = Date.now() - start;
    assert.is(seen[0].close!.code, 1006, 'no close frame came back');
    assert.ok(after >= closeTimeoutMs - 20 && after < closeTimeoutMs + 2_000, `cut after ${after} ms`);
  });
});

test('useWebSockets refuses bad maxBufferedAmount and closeTimeoutMs; Infinity turns the cap off', () => {
  for (const bad of [{ maxBufferedAmount: 0 }, { maxBufferedAmount: 1.5 }, { maxBufferedAmount: -Infinity }, { closeTimeoutMs: 0 }, { closeTimeoutMs: Infinity }]) {
    assert.throws(
      () => new ApplicationBuilder().useWebSockets(bad as WebSocketOptions),
      (e: unknown) => (e as { code?: string }).code === 'ERR_TIERCEL_INVALID_OPTION' && new RegExp(Object.keys(bad)[0]).test((e as Error).message),
      JSON.stringify(bad),
    );
  }
  new ApplicationBuilder().useWebSockets({ maxBufferedAmount: Infinity });
});

test('with maxBufferedAmount: Infinity nothing is refused (the flood is stopped only by its own bound)', async () => {
  await withFloodServer({ maxBufferedAmount: Infinity }, async (h, seen) => {
    const attacker = await RawWebSocket.connect(h.port, '/flood');
    attacker.send(frame({ opcode: Op.text, payload: 'go' }));
    await until(() => seen[0]?.sent >= 256, 'the flood');
    // 4 MiB sent to a client that reads nothing: past the kernel's buffers, all held by the server.
    await until(() => seen[0].ws.bufferedAmount > 2 * 1024 * KiB, 'the backlog');
    assert.is(seen[0].callbackErrors.length, 0);
    assert.is(seen[0].ws.readyState, WebSocket.OPEN);
    attacker.destroy();
    await seen[0].closed();
  });
});

// ---- the demo echo ----------------------------------------------------------------------------

test('demo /ws: a text message comes back as text and a binary one as binary, each with its bytes', async () => {
  const h = await startWs(demoApp());
  try {
    const ws = await opened(h.client('tcp', '/ws'));
    for (const [data, binary] of [['hello', false], [Buffer.from([0, 1, 2, 0xff]), true], ['again', false]] as const) {
      const reply = nextMessage(ws);
      ws.send(data, { binary });
      const echoed = await reply;
      assert.is(echoed.isBinary, binary);
      assert.equal(echoed.data, Buffer.from(data));
    }
    ws.close();
  } finally {
    await h.stop();
  }
});

test("demo /ws: a client that sends far more than it reads is not read meanwhile, and gets every echo once it reads", async () => {
  const h = await startWs(demoApp());
  try {
    const client = await RawWebSocket.connect(h.port, '/ws');
    const message = frame({ opcode: Op.binary, payload: CHUNK });
    const count = (16 * 1024 * KiB) / CHUNK.length;
    for (let i = 0; i < count; i++) client.send(message);
    // Let the server take all it will. A naive echo reads everything and passes its 1 MiB cap (→ 1008);
    // this one stops reading once its queue for the client is over 64 KiB.
    await until(() => client.socket.writableLength > 0, 'the client to be held back', 5_000);
    await delay(200);
    client.read();
    await client.until(() => client.dataBytes === count * CHUNK.length, 10_000, 'every echo');
    assert.is(client.closeFrame, undefined, 'never closed');
    assert.is(client.dataFrames, count);
    client.send(frame({ opcode: Op.close, payload: closePayload(1000) }));
    assert.equal(await client.closedByServer(), { code: 1000, reason: '' });
  } finally {
    await h.stop();
  }
});

test('demo /chat: a member that never reads is cut with 1008; the others get every message', async () => {
  const h = await startWs(demoApp());
  try {
    const [alice, bob] = await Promise.all([h.client('tcp', '/chat/ws'), h.client('tcp', '/chat/ws')].map(opened));
    const mute = await RawWebSocket.connect(h.port, '/chat/ws');
    // 8 MiB of chat: past the kernel's buffers and the server's 1 MiB cap for the mute member.
    // Alice sends at the pace the readers read (8 messages, then wait for both to hear them), as a
    // person typing would; the server is not asked to hold more than that for either of them.
    const count = 512;
    const text = 'x'.repeat(16 * KiB);
    const heard = [0, 0];
    alice.on('message', () => heard[0]++);
    bob.on('message', () => heard[1]++);
    for (let i = 0; i < count; i += 8) {
      for (let j = 0; j < 8; j++) alice.send(text);
      await until(() => heard[0] === i + 8 && heard[1] === i + 8, `message ${i + 8} to reach alice and bob`);
    }
    assert.equal(heard, [count, count]);
    mute.read();
    await mute.until(() => mute.closeFrame !== undefined, 5_000, 'the close frame');
    assert.is(mute.closeFrame!.code, 1008);
    mute.send(frame({ opcode: Op.close, payload: closePayload(1008) }));
    await mute.until(() => mute.ended, 2_000, 'the end of the connection');
    assert.ok(mute.dataBytes < count * text.length, `the mute member got ${mute.dataBytes} bytes before its 1008`);
    // The room goes on without it.
    const again = [alice, bob].map((ws) => nextMessage(ws));
    bob.send('still here');
    for (const m of await Promise.all(again)) assert.is(m.data.toString(), 'still here');
    alice.close();
    bob.close();
    await Promise.all([closed(alice), closed(bob)]);
  } finally {
    await h.stop();
  }
});

test.after(() => removeScratch());

test.run();
