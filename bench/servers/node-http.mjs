// Bare node:http: the baseline every other row is compared against.
// Usage: node servers/node-http.mjs <port>   (prints "listening" when ready)
import http from 'node:http';

const port = Number(process.argv[2] ?? 3000);
const PLAINTEXT = 'Hello, World!';

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/plaintext') {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': PLAINTEXT.length });
    res.end(PLAINTEXT);
    return;
  }
  if (req.method === 'GET' && req.url === '/json') {
    // Serialised per request, as TechEmpower's JSON test requires.
    const body = JSON.stringify({ message: 'Hello, World!' });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  if (req.method === 'POST' && req.url === '/echo') {
    // Streamed back as it arrives (chunked), never buffered whole.
    res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' });
    req.pipe(res);
    return;
  }
  res.writeHead(404, { 'content-length': 0 });
  res.end();
});

server.listen(port, '127.0.0.1', () => console.log('listening'));
