// Memory held per idle connection: open many connections that each complete one exchange and then
// stay silent, and compare the server's VmRSS before and after. Three kinds, each against its own
// baseline: HTTP/1.1 keep-alive (raw sockets, one GET), HTTP/2 (node:http2 client sessions, h2c
// prior knowledge, one GET stream) and WebSocket (raw sockets, the upgrade and one 32-byte echo).
import { createHash, randomBytes } from 'node:crypto';
import http2 from 'node:http2';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const REQUEST = 'GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const WS_ECHO_BYTES = 32;

/** Rejects after `timeoutMs` unless `settle` ran first; `destroy` tears the half-open connection down. */
function deadline(timeoutMs, destroy, reject) {
  const timer = setTimeout(() => {
    destroy();
    reject(new Error('no response'));
  }, timeoutMs);
  timer.unref();
  return timer;
}

/** HTTP/1.1: one socket, one GET; resolves once the first response bytes arrive. */
function openHttp1(port, timeoutMs) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const timer = deadline(timeoutMs, () => socket.destroy(), reject);
    socket.once('error', reject);
    socket.once('data', () => {
      clearTimeout(timer);
      socket.removeListener('error', reject);
      socket.on('error', () => {});
      socket.on('data', () => {}); // anything further is drained, not buffered
      resolve({ close: () => socket.destroy(), isOpen: () => !socket.destroyed && socket.readyState === 'open' });
    });
    socket.write(REQUEST);
  });
}

/** HTTP/2: one client session (h2c, prior knowledge), one GET stream read to its end. */
function openHttp2(port, timeoutMs) {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const timer = deadline(timeoutMs, () => session.destroy(), reject);
    const fail = (error) => {
      clearTimeout(timer);
      session.destroy();
      reject(error);
    };
    session.once('error', fail);
    const stream = session.request({ ':method': 'GET', ':path': '/plaintext' });
    stream.on('error', fail);
    stream.resume();
    stream.on('end', () => {
      clearTimeout(timer);
      session.removeListener('error', fail);
      session.on('error', () => {});
      resolve({ close: () => session.destroy(), isOpen: () => !session.closed && !session.destroyed });
    });
  });
}

/** A masked, final text frame of WS_ECHO_BYTES 'x' bytes (RFC 6455 requires client frames to be masked). */
function maskedTextFrame() {
  const frame = Buffer.allocUnsafe(2 + 4 + WS_ECHO_BYTES);
  frame[0] = 0x81;
  frame[1] = 0x80 | WS_ECHO_BYTES;
  const mask = randomBytes(4);
  mask.copy(frame, 2);
  for (let i = 0; i < WS_ECHO_BYTES; i++) frame[6 + i] = 0x78 ^ mask[i & 3];
  return frame;
}

/** WebSocket: the upgrade by hand (no extensions offered), then one echo of a 32-byte text message. */
function openWebSocket(port, timeoutMs) {
  return new Promise((resolve, reject) => {
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1').update(key + WS_GUID).digest('base64');
    const socket = net.connect(port, '127.0.0.1');
    const timer = deadline(timeoutMs, () => socket.destroy(), reject);
    const fail = (why) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`WebSocket: ${why}`));
    };
    socket.once('error', (error) => fail(error.message));
    let received = Buffer.alloc(0);
    let headEnd = -1;
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (headEnd === -1) {
        headEnd = received.indexOf('\r\n\r\n');
        if (headEnd === -1) return;
        const head = received.subarray(0, headEnd).toString('latin1');
        if (!head.startsWith('HTTP/1.1 101')) return fail(`expected 101, got "${head.split('\r\n')[0]}"`);
        if (!head.includes(accept)) return fail('wrong Sec-WebSocket-Accept');
        socket.write(maskedTextFrame());
      }
      // The echo: an unmasked 2-byte header and the payload.
      if (received.length - (headEnd + 4) < 2 + WS_ECHO_BYTES) return;
      clearTimeout(timer);
      socket.removeAllListeners('data').removeAllListeners('error');
      socket.on('error', () => {});
      socket.on('data', () => {});
      received = null;
      resolve({ close: () => socket.destroy(), isOpen: () => !socket.destroyed && socket.readyState === 'open' });
    });
    socket.write(
      `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}

/** The idle kinds: `open(port, timeoutMs)` resolves with { close, isOpen } once the exchange is done. */
export const IDLE_OPENERS = { h1: openHttp1, h2: openHttp2, ws: openWebSocket };

async function openMany(open, port, count, { batch = 100, timeoutMs = 5000 } = {}) {
  const connections = [];
  let failed = 0;
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    const results = await Promise.allSettled(Array.from({ length: size }, () => open(port, timeoutMs)));
    for (const result of results) {
      if (result.status === 'fulfilled') connections.push(result.value);
      else failed++;
    }
  }
  return { connections, failed };
}

/**
 * Warms the server with a few short-lived connections of the same kind, reads VmRSS, opens `count`
 * idle connections, waits `settleMs` and reads VmRSS again: the cold figure, a fresh server's first
 * `count` connections. Holding those, it opens `count` more and reads again: the marginal figure,
 * what each further connection adds to a server that already holds `count` (the slope of RSS over
 * connections held). Then all are closed and `count` are opened on the same server once more: the
 * warm figure, a server that has held connections before (pages freed by the closed ones are
 * reused). The cold figure carries one-time costs: V8's young generation doubles while the first
 * connections are kept (1 → 16 MiB or more, by steps of megabytes that depend on what the process
 * allocated before), so a server that starts with a grown heap (fastify) reads low there and one
 * that starts small reads high; the marginal figure is free of that step, the warm one of most of
 * it. Results in KiB; `open` is how many were still open when the readings were taken.
 */
export async function measureIdle(server, { kind = 'h1', count, settleMs }) {
  const open = IDLE_OPENERS[kind];
  const warm = await openMany(open, server.port, 50, { batch: 50 });
  for (const connection of warm.connections) connection.close();
  await sleep(settleMs);

  const cold = await holdIdle(server, open, count, settleMs);
  const more = await holdIdle(server, open, count, settleMs);
  cold.close();
  more.close();
  await sleep(settleMs);
  const again = await holdIdle(server, open, count, settleMs);
  again.close();
  return {
    startKiB: server.startMemory?.rssKiB ?? NaN,
    beforeKiB: cold.before,
    afterKiB: cold.after,
    perConnectionKiB: (cold.after - cold.before) / count,
    marginalPerConnectionKiB: (more.after - more.before) / count,
    warmPerConnectionKiB: (again.after - again.before) / count,
    opened: cold.opened,
    failed: Math.max(cold.failed, more.failed, again.failed),
    open: Math.min(cold.open, more.open, again.open),
  };
}

/** VmRSS (KiB) before and after opening `count` idle connections, which stay open until `close()`. */
async function holdIdle(server, open, count, settleMs) {
  const before = server.memory();
  const { connections, failed } = await openMany(open, server.port, count);
  await sleep(settleMs);
  const after = server.memory();
  const stillOpen = connections.filter((c) => c.isOpen()).length;
  const close = () => {
    for (const connection of connections) connection.close();
  };
  if (!before || !after) {
    close();
    throw new Error(`${server.name} exited during the idle-connection test`);
  }
  return { before: before.rssKiB, after: after.rssKiB, opened: connections.length, failed, open: stillOpen, close };
}
