// The ceiling for any HTTP server on Node: a bare net server that parses nothing.
// It counts request terminators (CRLF CRLF) and answers each with a prebuilt
// plaintext response, so it is only meaningful for GET /plaintext (keep-alive or
// pipelined); the harness uses it for those rows only.
// Usage: node servers/ceiling.mjs <port>   (prints "listening" when ready)
import net from 'node:net';

const port = Number(process.argv[2] ?? 3000);
const TERMINATOR = Buffer.from('\r\n\r\n');
const CR = 13;
const LF = 10;

// Prebuilt response with the same headers node:http sends; the Date header is
// refreshed once a second like every real server's cache.
let responses = [];
function rebuild() {
  const one = Buffer.from(
    'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n' +
      `Date: ${new Date().toUTCString()}\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\nHello, World!`,
  );
  responses = [one];
}
function responsesFor(count) {
  // Cache one buffer per pipelining depth seen, so a burst is a single write.
  return (responses[count - 1] ??= Buffer.concat(Array(count).fill(responses[0])));
}
rebuild();
setInterval(rebuild, 1000).unref();

// state = how much of CR LF CR LF the previous chunk ended with (0..3).
function advance(state, byte) {
  if (byte === CR) return state === 2 ? 3 : 1;
  if (byte === LF) {
    if (state === 1) return 2;
    if (state === 3) return 4; // complete terminator
  }
  return 0;
}

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  let state = 0;
  socket.on('data', (chunk) => {
    let count = 0;
    let i = 0;
    // Finish a terminator split across reads.
    while (state !== 0 && i < chunk.length) {
      state = advance(state, chunk[i++]);
      if (state === 4) {
        count++;
        state = 0;
      }
    }
    // Whole terminators inside this chunk.
    let at;
    while ((at = chunk.indexOf(TERMINATOR, i)) !== -1) {
      count++;
      i = at + 4;
    }
    // A partial terminator at the end (at most 3 bytes).
    for (let j = Math.max(i, chunk.length - 3); j < chunk.length; j++) state = advance(state, chunk[j]);
    if (count > 0) socket.write(responsesFor(count));
  });
  socket.on('error', () => socket.destroy());
});

server.listen(port, '127.0.0.1', () => console.log('listening'));
