// The never-reading client of web-socket-floods.test.ts run beside ws on a bare node:http server, both
// servers with their defaults (ws's are what most Node apps run) and the same app code, attacked by
// the same raw client that never reads. tiercel must hold at least as well: where bare ws queues
// everything it is given, tiercel stops at its cap (maxBufferedAmount, 1 MiB) and closes the socket.
// (A ping flood that reads no pongs was tried beside bare ws too: ws 8 stopped reading after ~500
// pings and held no pongs, so there is nothing to compare; tiercel's cut is tested in the floods file.)
import 'reflect-metadata';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApplicationBuilder } from '../../pipeline/index.js';
import { delay } from '../support/streams.js';
import { Op, RawWebSocket, frame } from './raw-web-socket.js';
import { startWs } from './web-socket-support.js';

const MiB = 1024 * 1024;
const DEFAULT_CAP = MiB;
const CHUNK = Buffer.alloc(16 * 1024, 0x61);
/** 16 MiB: past what loopback's kernel buffers take, so the rest waits in the server process. */
const MESSAGES = 1024;
const OPEN = 1;

interface Seen {
  sent: number;
  refused: number;
  maxBuffered: number;
  closeCode?: number;
  /** The server socket's readyState when the watch ended (1 open, 2 closing, 3 closed). */
  state?: number;
}

/** The app both servers run: on any message, `MESSAGES` sends at once, as a careless broadcaster would. */
function careless(ws: WebSocket, seen: Seen): void {
  ws.on('message', () => {
    for (let i = 0; i < MESSAGES && ws.readyState === OPEN; i++) {
      ws.send(CHUNK, (err) => (err ? seen.refused++ : seen.sent++));
      seen.maxBuffered = Math.max(seen.maxBuffered, ws.bufferedAmount);
    }
  });
  ws.on('close', (code) => (seen.closeCode = code));
  ws.on('error', () => undefined);
}

/** Samples `bufferedAmount` while `ms` pass (pongs are queued by ws itself, not by the app). */
async function watch(ws: () => WebSocket | undefined, seen: Seen, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end && seen.closeCode === undefined) {
    const s = ws();
    if (s !== undefined) seen.maxBuffered = Math.max(seen.maxBuffered, s.bufferedAmount);
    await delay(10);
  }
}

interface Target {
  readonly port: number;
  socket(): WebSocket | undefined;
  stop(): Promise<void>;
}

async function bareWs(seen: Seen): Promise<Target> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  let last: WebSocket | undefined;
  wss.on('connection', (ws) => {
    last = ws;
    careless(ws, seen);
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  return {
    port: (http.address() as AddressInfo).port,
    socket: () => last,
    async stop() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      http.close();
      await once(http, 'close');
    },
  };
}

async function tiercel(seen: Seen): Promise<Target> {
  let last: WebSocket | undefined;
  const app = new ApplicationBuilder().useWebSockets().run(async (ctx) => {
    const ws = await ctx.webSockets.accept();
    last = ws;
    careless(ws, seen);
  });
  const h = await startWs(app);
  return { port: h.port, socket: () => last, stop: () => h.stop() };
}

const fresh = (): Seen => ({ sent: 0, refused: 0, maxBuffered: 0 });

test('a client that never reads, beside bare ws: bare ws queues every message (MiBs); tiercel holds at most its cap and closes', async () => {
  const result: Record<string, Seen> = {};
  for (const [name, start] of [['bare ws', bareWs], ['tiercel', tiercel]] as const) {
    const seen = fresh();
    const target = await start(seen);
    const attacker = await RawWebSocket.connect(target.port, '/');
    try {
      attacker.send(frame({ opcode: Op.text, payload: 'go' }));
      await watch(target.socket, seen, 1_000);
      // A copy: the sends still queued fail once the attacker goes.
      result[name] = { ...seen, state: target.socket()?.readyState };
    } finally {
      attacker.destroy();
      await target.stop();
    }
  }
  const bare = result['bare ws']!;
  const ours = result['tiercel']!;
  // Bare ws takes every send: what the kernel did not take waits in the process.
  assert.is(bare.refused, 0);
  assert.ok(bare.maxBuffered > 2 * DEFAULT_CAP, `bare ws held ${bare.maxBuffered} bytes`);
  // tiercel refuses past the cap (+ one message) and closes.
  assert.ok(ours.refused > 0, 'tiercel refused the sends past its cap');
  assert.ok(ours.maxBuffered <= DEFAULT_CAP + CHUNK.length + 4, `tiercel held ${ours.maxBuffered} bytes`);
  assert.is(bare.state, OPEN, 'bare ws kept the socket open');
  // Closing with 1008: the close frame cannot reach a peer that does not read, so the socket is
  // closing until closeTimeoutMs (10 s) destroys it (tested in web-socket-floods.test.ts).
  assert.ok((ours.state ?? 0) > OPEN, `tiercel is closing the socket (readyState ${ours.state})`);
});

test.run();
