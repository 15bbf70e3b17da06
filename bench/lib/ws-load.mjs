// WebSocket echo load generator, run as its own process (pinned to CLIENT_CPU) by lib/ws-client.mjs:
// CONNECTIONS clients, each with one message in flight (send, wait for the echo, send again), for
// WARMUP + DURATION seconds; counts the echoes in the measured window.
// Usage: node lib/ws-load.mjs <url> <connections> <bytes> <seconds> <warmupSeconds>
// Prints one JSON line: { messages, seconds, perSecond, errors: { socket, closed, wrongEcho } }.
import { WebSocket } from 'ws';

const [url, connections = '50', bytes = '32', seconds = '5', warmup = '1'] = process.argv.slice(2);
const n = Number(connections);
const size = Number(bytes);
const payload = Buffer.alloc(size, 'x').toString();

const sockets = await Promise.all(
  Array.from({ length: n }, () => new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  })),
);

let counting = false;
let running = true;
let messages = 0;
const errors = { socket: 0, closed: 0, wrongEcho: 0 };
for (const ws of sockets) {
  ws.on('message', (data) => {
    if (data.length !== size) errors.wrongEcho++;
    if (counting) messages++;
    ws.send(payload);
  });
  ws.on('error', () => errors.socket++);
  ws.on('close', () => {
    if (running) errors.closed++;
  });
  ws.send(payload);
}

await new Promise((r) => setTimeout(r, Number(warmup) * 1000));
counting = true;
const start = process.hrtime.bigint();
await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
counting = false;
running = false;
const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({ messages, seconds: elapsed, perSecond: messages / elapsed, errors }));
for (const ws of sockets) ws.terminate();
process.exit(0);
