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

// Best and median of several rounds: the best is the figure least disturbed by other processes.
function measure(run, n) {
  const rounds = [];
  for (let r = 0; r < 10; r++) {
    const t0 = process.hrtime.bigint();
    run(n / 10);
    rounds.push(Number(process.hrtime.bigint() - t0) / (n / 10));
  }
  rounds.sort((a, b) => a - b);
  return { best: rounds[0], median: rounds[5] };
}

function report(name, size, { best, median }) {
  console.log(
    `${name.padEnd(28)} ${String(size).padStart(4)} B  best ${best.toFixed(0).padStart(5)} ns/request` +
      `  median ${median.toFixed(0).padStart(5)} ns  (${(1e3 / best).toFixed(2)} M req/s)`,
  );
}

function bench(name, text, n) {
  const buf = Buffer.from(text, 'latin1');
  const sink = new Sink();
  const parser = new Http1Parser(sink);
  for (let i = 0; i < 200_000; i++) parser.execute(buf); // warm up: let the JIT settle
  report(name, buf.length, measure((k) => {
    for (let i = 0; i < k; i++) parser.execute(buf);
  }, n));
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
  report('GET head split in two', buf.length, measure((k) => {
    for (let i = 0; i < k; i++) parser.execute(a), parser.execute(b);
  }, Math.floor(iterations / 2)));
}

// For scale, under the same load: Node's own llhttp (C) through its internal binding, with the
// callbacks node:http uses to build its request (strings made in C++). Not a public API.
try {
  const { HTTPParser } = process.binding('http_parser');
  const buf = Buffer.from(GET, 'latin1');
  const parser = new HTTPParser();
  parser.initialize(HTTPParser.REQUEST, {});
  let heads = 0;
  parser[HTTPParser.kOnHeadersComplete] = (major, minor, headers) => {
    heads += headers.length;
    return 0;
  };
  parser[HTTPParser.kOnMessageComplete] = () => {};
  parser[HTTPParser.kOnBody] = () => {};
  parser[HTTPParser.kOnExecute] = () => {};
  for (let i = 0; i < 200_000; i++) parser.execute(buf);
  report('(node llhttp, same GET)', buf.length, measure((k) => {
    for (let i = 0; i < k; i++) parser.execute(buf);
  }, iterations));
  if (heads === 0) throw new Error('llhttp parsed nothing');
} catch (err) {
  console.log(`(node llhttp reference unavailable: ${err.message})`);
}
