// Bare node:http2 (cleartext, prior knowledge), stream API: the HTTP/2 baseline. The compat
// req/res API measured 1.75x slower here, so the stream API is the fair ceiling for node:http2.
// It sends the very response tiercel's demo sends (the same fields and values; node adds `date`
// to both), so the ratio is the cost of tiercel's layers, not of a longer or shorter response.
// Usage: node servers/h2-node.mjs <port>   (prints "listening" when ready)
import http2 from 'node:http2';

const port = Number(process.argv[2] ?? 3000);
const PLAINTEXT = 'Hello, World!';

// The same SETTINGS tiercel sends by default (Kestrel's limits), so nghttp2 does the same work.
const server = http2.createServer({
  settings: { maxConcurrentStreams: 100, initialWindowSize: 768 * 1024, maxHeaderListSize: 65536, enableConnectProtocol: true, enablePush: false },
});
server.on('session', (session) => session.setLocalWindowSize(1024 * 1024));
server.on('stream', (stream, headers) => {
  stream.on('error', () => {});
  if (headers[':method'] === 'GET' && headers[':path'] === '/plaintext') {
    stream.respond({ ':status': 200, 'content-type': 'text/plain; charset=utf-8', 'content-length': PLAINTEXT.length, server: 'tiercel' });
    stream.end(PLAINTEXT);
    return;
  }
  stream.respond({ ':status': 404, 'content-length': 0 }, { endStream: true });
});

server.listen(port, '127.0.0.1', () => console.log('listening'));
