// WebSocket echo load generator, run as its own process (pinned to CLIENT_CPU) by lib/ws-client.mjs:
// CONNECTIONS clients, each with one message in flight (send, wait for the echo, send again), for
// WARMUP + DURATION seconds; counts the echoes in the measured window.
// Usage: node lib/ws-load.mjs <url> <connections> <bytes> <seconds> <warmupSeconds>
// Prints one JSON line: { messages, seconds, perSecond, total, errors: { socket, closed, wrongEcho } }
// (`total`: echoes over the whole run, warm-up included, for the server's CPU time per message).
//
// A deliberately cheap client so that it, not the server, is not what sets the pace: raw `net`
// sockets, the HTTP/1.1 upgrade done by hand (101 and Sec-WebSocket-Accept checked, no
// extensions offered or accepted), one pre-built masked text frame per connection (RFC 6455
// requires client frames to be masked, not the mask to vary), and the server's unmasked echo
// frames parsed incrementally: only the header is read, the payload is skipped by length.
// Errors: `socket` socket errors and protocol violations (masked, fragmented or unexpected
// frames, which also drop the connection), `closed` a close frame or an early close, `wrongEcho`
// an echo of the wrong size.
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

const [url, connections = '50', bytes = '32', seconds = '5', warmup = '1'] = process.argv.slice(2);
const n = Number(connections);
const size = Number(bytes);
const target = new URL(url);
if (target.protocol !== 'ws:') throw new Error(`ws-load: only ws:// URLs are supported (got ${url})`);
const host = target.hostname;
const port = Number(target.port || 80);
const path = `${target.pathname}${target.search}`;

const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;

/** A masked, final text frame carrying `size` bytes of 'x' under a random (then fixed) mask. */
function buildFrame() {
  const headerLength = size < 126 ? 2 : size < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + 4 + size);
  frame[0] = 0x80 | OP_TEXT;
  if (size < 126) {
    frame[1] = 0x80 | size;
  } else if (size < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(size, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(size), 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, headerLength);
  const start = headerLength + 4;
  for (let i = 0; i < size; i++) frame[start + i] = 0x78 /* 'x' */ ^ mask[i & 3];
  return frame;
}

/** Opens a socket and completes the upgrade; resolves with { socket, rest } (bytes after the 101's headers). */
function handshake() {
  return new Promise((resolve, reject) => {
    const key = randomBytes(16).toString('base64');
    const expected = createHash('sha1').update(key + GUID).digest('base64');
    let onData = null;
    // One static read buffer shared by every socket (the callbacks run synchronously): no Buffer per read.
    const socket = net.connect({ host, port, onread: { buffer: READ_BUFFER, callback: (nread) => onData(READ_BUFFER, nread) } });
    socket.setNoDelay(true);
    let head = Buffer.alloc(0);
    let handshaking = true;
    const fail = (why) => {
      socket.destroy();
      reject(new Error(`ws-load: upgrade failed: ${why}`));
    };
    const onError = (err) => fail(err.message);
    const onClose = () => fail('connection closed during the handshake');
    onData = (buf, nread) => {
      if (!handshaking) return socket.deliver(buf, nread);
      head = Buffer.concat([head, buf.subarray(0, nread)]); // copies: the read buffer is reused
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) {
        if (head.length > 16384) fail('response headers too long');
        return;
      }
      handshaking = false;
      socket.deliver = () => {}; // set by drive()
      socket.off('error', onError);
      socket.off('close', onClose);
      const lines = head.subarray(0, end).toString('latin1').split('\r\n');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(lines[0]);
      if (!status || status[1] !== '101') return fail(`expected 101, got "${lines[0]}"`);
      const headers = new Map();
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      if ((headers.get('upgrade') ?? '').toLowerCase() !== 'websocket') return fail('missing Upgrade: websocket');
      if (headers.get('sec-websocket-accept') !== expected) return fail('wrong Sec-WebSocket-Accept');
      if (headers.has('sec-websocket-extensions')) return fail('server negotiated an extension that was not offered');
      resolve({ socket, rest: head.subarray(end + 4) });
    };
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}

let counting = false;
let running = true;
let messages = 0;
let total = 0;
const errors = { socket: 0, closed: 0, wrongEcho: 0 };

/** Drives one upgraded connection: send, parse the echo frame(s), send again. */
function drive(socket, rest) {
  const frame = buildFrame();
  // Parser state: collecting a header (at most 10 bytes for an unmasked server frame) or skipping payload.
  const header = Buffer.alloc(10);
  let have = 0; // header bytes collected
  let need = 2; // header bytes needed (grows to 4 or 10 once the length byte is seen)
  let remaining = 0; // payload bytes still to skip
  let inPayload = false;
  let dead = false;

  const violate = () => {
    if (dead) return;
    dead = true;
    errors.socket++;
    socket.destroy();
  };
  const frameDone = () => {
    total++;
    if (counting) messages++;
    socket.write(frame);
  };
  const headerDone = () => {
    const b0 = header[0];
    const b1 = header[1];
    const opcode = b0 & 0x0f;
    if (opcode === OP_CLOSE) {
      dead = true;
      if (running) errors.closed++;
      socket.destroy();
      return false;
    }
    // Server frames must be unmasked, final, without RSV bits, and (we send text) text.
    if ((b1 & 0x80) !== 0 || (b0 & 0xf0) !== 0x80 || opcode !== OP_TEXT) {
      violate();
      return false;
    }
    const len7 = b1 & 0x7f;
    const length = len7 < 126 ? len7 : len7 === 126 ? header.readUInt16BE(2) : Number(header.readBigUInt64BE(2));
    if (length !== size) errors.wrongEcho++;
    have = 0;
    need = 2;
    if (length === 0) {
      frameDone();
    } else {
      remaining = length;
      inPayload = true;
    }
    return true;
  };
  const onData = (chunk, end) => {
    let i = 0;
    while (i < end && !dead) {
      if (inPayload) {
        const take = Math.min(remaining, end - i);
        remaining -= take;
        i += take;
        if (remaining === 0) {
          inPayload = false;
          frameDone();
        }
        continue;
      }
      header[have++] = chunk[i++];
      if (have === 2) {
        const len7 = header[1] & 0x7f;
        need = len7 < 126 ? 2 : len7 === 126 ? 4 : 10;
      }
      if (have === need && !headerDone()) return;
    }
  };

  socket.deliver = onData;
  socket.on('error', () => {
    if (running) errors.socket++;
  });
  socket.on('close', () => {
    if (running && !dead) errors.closed++;
    dead = true;
  });
  socket.write(frame);
  if (rest.length) onData(rest, rest.length);
}

const opened = await Promise.all(Array.from({ length: n }, handshake));
const sockets = opened.map(({ socket }) => socket);
for (const { socket, rest } of opened) drive(socket, rest);

await new Promise((r) => setTimeout(r, Number(warmup) * 1000));
counting = true;
const start = process.hrtime.bigint();
await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
counting = false;
running = false;
const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({ messages, seconds: elapsed, perSecond: messages / elapsed, total, errors }));
for (const socket of sockets) socket.destroy();
process.exit(0);
