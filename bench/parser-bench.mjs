// Micro-benchmark of the HTTP/1.1 request parser: a typical ~200-byte GET head, parsed N times by
// one parser (keep-alive, so each execute is one full request). Usage:
//   node bench/parser-bench.mjs <dist folder> [iterations]
// e.g. `npx tsc -p . --outDir dist-parser && node bench/parser-bench.mjs dist-parser`
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = process.argv[2];
if (!dist) {
  console.error('usage: node bench/parser-bench.mjs <dist folder> [iterations]');
  process.exit(2);
}
const iterations = Number(process.argv[3] ?? 2_000_000);
const { Http1Parser } = await import(pathToFileURL(resolve(dist, 'protocols/http1/http1-parser.js')).href);

const GET =
  'GET /api/v1/users/12345?fields=name,email HTTP/1.1\r\n' +
  'Host: api.example.com\r\n' +
  'User-Agent: Mozilla/5.0 (X11; Linux x86_64) bench/1.0\r\n' +
  'Accept: application/json\r\n' +
  'Accept-Encoding: gzip, br\r\n' +
  'Connection: keep-alive\r\n' +
  '\r\n';
const POST =
  'POST /api/v1/users HTTP/1.1\r\nHost: api.example.com\r\nContent-Type: application/json\r\n' +
  'Content-Length: 27\r\n\r\n{"name":"a","email":"b@c"}\n';
const CHUNKED =
  'POST /upload HTTP/1.1\r\nHost: api.example.com\r\nTransfer-Encoding: chunked\r\n\r\n' +
  '10\r\n0123456789abcdef\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n';

class Sink {
  heads = 0;
  bytes = 0;
  onRequestHead(head) {
    this.heads += head.rawHeaders.length;
  }
  onBody(chunk) {
    this.bytes += chunk.length;
  }
  onMessageComplete() {}
}

function bench(name, text, n) {
  const buf = Buffer.from(text, 'latin1');
  const sink = new Sink();
  const parser = new Http1Parser(sink);
  for (let i = 0; i < 200_000; i++) parser.execute(buf); // warm up: let the JIT settle
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) parser.execute(buf);
  const ns = Number(process.hrtime.bigint() - t0) / n;
  console.log(`${name.padEnd(28)} ${String(buf.length).padStart(4)} B  ${ns.toFixed(0).padStart(5)} ns/request  ${(1e3 / ns).toFixed(2)} M req/s`);
  if (sink.heads === 0) throw new Error('nothing was parsed');
}

bench('GET head (typical)', GET, iterations);
bench('POST + 27 B body', POST, iterations);
bench('chunked POST, 2 chunks', CHUNKED, iterations);

// The same GET split in two at its middle: the carry path.
{
  const buf = Buffer.from(GET, 'latin1');
  const a = buf.subarray(0, 100);
  const b = buf.subarray(100);
  const parser = new Http1Parser(new Sink());
  for (let i = 0; i < 200_000; i++) parser.execute(a), parser.execute(b);
  const n = Math.floor(iterations / 2);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) parser.execute(a), parser.execute(b);
  const ns = Number(process.hrtime.bigint() - t0) / n;
  console.log(`${'GET head split in two'.padEnd(28)} ${String(buf.length).padStart(4)} B  ${ns.toFixed(0).padStart(5)} ns/request`);
}
