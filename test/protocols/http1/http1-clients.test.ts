// tiercel's HTTP/1.1 server over real sockets (TCP on 127.0.0.1:0, and a unix socket) with real
// clients: curl, Node's http client, undici, and raw net sockets. No in-memory transport, no mocks.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { Client, Pool, request } from 'undici';
import type { PipeEndpoint } from '../../../connection/index.js';
import { curl, parseResponses } from '../../support/clients.js';
import { eventually, randomFile, removeScratch, scratch, serverEnds, startServer, streamBody } from '../../support/real-server.js';
import { readAll, readUntil } from '../../support/streams.js';
import { connectPipe, connectTcp } from '../../transports/socket-client.js';

// ---- curl ----------------------------------------------------------------------------------

test('curl: a chunked upload of a 1 MiB random file is echoed back byte for byte', async () => {
  const h = await startServer();
  try {
    const file = randomFile();
    const r = await curl(['-sS', '-v', '--fail', '-H', 'Transfer-Encoding: chunked', '-H', 'Expect:', '--data-binary', `@${file.path}`, `${h.origin}/echo`]);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stderr, /^> Transfer-Encoding: chunked\r?$/m);
    assert.match(r.stderr, /^< transfer-encoding: chunked\r?$/m);
    assert.is(r.stdout.length, file.data.length);
    assert.is(createHash('sha256').update(r.stdout).digest('hex'), file.sha);
    assert.is(h.seen.bodyBytes, file.data.length);
    assert.equal(h.seen.requests, ['POST /echo']);
  } finally {
    await h.stop();
  }
});

test('curl: `-T -` streams stdin as a chunked PUT and the server reads all of it', async () => {
  const h = await startServer();
  try {
    const file = randomFile();
    const r = await curl(['-sS', '-v', '--fail', '-H', 'Expect:', '-T', '-', `${h.origin}/sha`], file.data);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stderr, /^> Transfer-Encoding: chunked\r?$/m);
    assert.is(r.stdout.toString(), `${file.sha} ${file.data.length} PUT`);
  } finally {
    await h.stop();
  }
});

test('curl: Expect: 100-continue gets `100 Continue` once the app reads, then the body is read whole', async () => {
  const h = await startServer();
  try {
    const file = randomFile();
    const r = await curl(['-sS', '-v', '--fail', '-H', 'Expect: 100-continue', '--data-binary', `@${file.path}`, `${h.origin}/sha`]);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stderr, /^> Expect: 100-continue\r?$/m);
    assert.match(r.stderr, /^< HTTP\/1\.1 100 Continue\r?$/m);
    // curl only waits a second for the 100 before sending anyway; it must not have had to.
    assert.not.match(r.stderr, /Done waiting for 100-continue/);
    assert.match(r.stderr, /We are completely uploaded and fine/);
    assert.is(r.stdout.toString(), `${file.sha} ${file.data.length} POST`);
    assert.equal(h.seen.expects, ['100-continue']);
  } finally {
    await h.stop();
  }
});

test('curl: Expect: 100-continue answered without reading gets no 100, and curl never sends the body', async () => {
  const h = await startServer();
  try {
    const file = randomFile();
    // Both URLs get the body (and the Expect); neither handler reads it.
    const r = await curl(['-sS', '-v', '-H', 'Expect: 100-continue', '--data-binary', `@${file.path}`, `${h.origin}/no-read`, `${h.origin}/hello`]);
    assert.is(r.code, 0, r.stderr);
    assert.not.match(r.stderr, /100 Continue/);
    assert.not.match(r.stderr, /completely uploaded/);
    assert.not.match(r.stderr, /Done waiting for 100-continue/);
    assert.match(r.stderr, /^< HTTP\/1\.1 403 Forbidden\r?$/m);
    // The unread body is not worth draining: the server says close, and curl opens a new connection.
    assert.match(r.stderr, /^< connection: close\r?$/m);
    assert.is(r.stdout.toString(), 'nohello');
    assert.is(h.server.stats.accepted, 2);
    assert.is(h.seen.bodyBytes, 0);
  } finally {
    await h.stop();
  }
});

test('curl: HEAD (-I) gets the content-length and no body, and the connection stays usable', async () => {
  const h = await startServer();
  try {
    // -I then a GET (--next) on the same connection: a stray HEAD body would corrupt the GET.
    const r = await curl(['-sS', '-v', '-I', `${h.origin}/hello`, '--next', `${h.origin}/hello`]);
    assert.is(r.code, 0, r.stderr);
    const out = r.stdout.toString('latin1');
    assert.ok(out.startsWith('HTTP/1.1 200 OK\r\n'), out);
    assert.match(out, /\r\ncontent-length: 5\r\n/);
    assert.ok(out.endsWith('\r\n\r\nhello'), out);
    assert.is(out.split('hello').length, 2, 'exactly one body: the GET one');
    assert.match(r.stderr, /Re-using existing connection/);
    assert.is(h.server.stats.accepted, 1);
    assert.equal(h.seen.requests, ['HEAD /hello', 'GET /hello']);

    // The same check byte for byte on a raw socket: HEAD of a streamed (chunked) GET, then a GET.
    const s = await connectTcp(h.tcp);
    s.write('HEAD /stream?n=3&size=4 HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const text = await readAll(s);
    const [head, get] = parseResponses(text, (i) => i === 0);
    assert.is(head.status, 200);
    assert.is(get.body, 'hello');
    assert.ok(!text.includes('aaaa'), text);
  } finally {
    await h.stop();
  }
});

test('curl: two URLs in one invocation reuse one keep-alive connection', async () => {
  const h = await startServer();
  try {
    const r = await curl(['-sS', '-v', `${h.origin}/conn`, `${h.origin}/conn`, `${h.origin}/hello`]);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stderr, /Re-using existing connection/);
    assert.match(r.stderr, /left intact/);
    assert.not.match(r.stderr, /Closing connection/);
    const out = r.stdout.toString();
    assert.ok(out.endsWith('hello'), out);
    const ids = out.slice(0, -'hello'.length);
    assert.is(ids.length % 2, 0);
    assert.is(ids.slice(0, ids.length / 2), ids.slice(ids.length / 2), 'both /conn answers came from one connection');
    assert.is(h.server.stats.accepted, 1);
  } finally {
    await h.stop();
  }
});

test('curl --unix-socket: GET, keep-alive reuse and a chunked upload over the unix endpoint', async () => {
  const h = await startServer({ unix: true });
  try {
    const sock = h.socketPath!;
    assert.is(h.server.urls[1], `http://unix:${sock}`);
    const r = await curl(['-sS', '-v', '--unix-socket', sock, 'http://localhost/hello', 'http://localhost/hello']);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout.toString(), 'hellohello');
    assert.match(r.stderr, /Re-using existing connection/);

    const file = randomFile();
    const up = await curl(['-sS', '--fail', '--unix-socket', sock, '-H', 'Expect:', '-T', '-', 'http://localhost/sha'], file.data);
    assert.is(up.code, 0, up.stderr);
    assert.is(up.stdout.toString(), `${file.sha} ${file.data.length} PUT`);

    // Node's http client over the same unix socket.
    const body = await new Promise<string>((resolve, reject) => {
      http.get({ socketPath: sock, path: '/hello', agent: false }, (res) => {
        res.setEncoding('latin1');
        let text = '';
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    assert.is(body, 'hello');
    assert.is(h.server.stats.accepted, 3);
    assert.equal(h.seen.requests, ['GET /hello', 'GET /hello', 'PUT /sha', 'GET /hello']);

    // And a raw client on the pipe endpoint, pipelined.
    const s = await connectPipe(h.server.endpoints[1] as PipeEndpoint);
    s.write('GET /idx/1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /idx/2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc');
    const rs = parseResponses(await readAll(s));
    assert.equal(rs.map((x) => x.body), ['1:GET:0:', '2:POST:3:abc']);
  } finally {
    await h.stop();
  }
});

test('curl: an upload over the body limit gets its 413 while still sending (the server does not reset)', async () => {
  const h = await startServer({ limits: { maxRequestBodySize: 100_000 } });
  try {
    const big = join(scratch(), 'big.bin');
    writeFileSync(big, randomBytes(4_000_000));
    for (const framing of [[], ['-H', 'Transfer-Encoding: chunked']]) {
      const r = await curl(['-sS', '-w', ' %{http_code}', '-H', 'Expect:', ...framing, '--data-binary', `@${big}`, `${h.origin}/sha`]);
      assert.is(r.code, 0, r.stderr);
      assert.is(r.stdout.toString(), ' 413');
    }
    assert.equal(h.seen.bodyErrors, ['ERR_TIERCEL_BODY_TOO_LARGE', 'ERR_TIERCEL_BODY_TOO_LARGE']);
  } finally {
    await h.stop();
  }
});

// ---- Node's http client --------------------------------------------------------------------

interface NodeResult {
  readonly res: http.IncomingMessage;
  readonly body: Buffer;
  readonly reused: boolean;
  readonly socket: Socket;
}

function nodeRequest(options: http.RequestOptions, body?: Buffer | string): Promise<NodeResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks), reused: req.reusedSocket, socket: req.socket as Socket }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('node http: a keep-alive Agent (maxSockets 1) sends sequential requests on one socket', async () => {
  const h = await startServer();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const base = { host: '127.0.0.1', port: h.tcp.port, agent };
    const results: NodeResult[] = [];
    for (let i = 0; i < 5; i++) results.push(await nodeRequest({ ...base, path: '/conn' }));
    assert.equal(results.map((r) => r.reused), [false, true, true, true, true]);
    assert.equal(new Set(results.map((r) => r.body.toString())).size, 1, 'one server connection');
    assert.ok(results.every((r) => r.res.statusCode === 200 && r.res.headers.connection !== 'close'));
    assert.is(h.server.stats.accepted, 1);
  } finally {
    agent.destroy();
    await h.stop();
  }
});

test('node http: POST bodies (content-length and chunked) reach the app whole', async () => {
  const h = await startServer();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const base = { host: '127.0.0.1', port: h.tcp.port, agent, method: 'POST' };
    const data = randomBytes(200_000);
    const sha = createHash('sha256').update(data).digest('hex');
    const sized = await nodeRequest({ ...base, path: '/sha', headers: { 'content-length': data.length } }, data);
    assert.is(sized.body.toString(), `${sha} ${data.length} POST`);

    // Without a content-length Node sends the body chunked, here in several writes.
    const chunked = await new Promise<NodeResult>((resolve, reject) => {
      const req = http.request({ ...base, path: '/echo' }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ res, body: Buffer.concat(chunks), reused: req.reusedSocket, socket: req.socket as Socket }));
      });
      req.on('error', reject);
      for (let i = 0; i < data.length; i += 30_000) req.write(data.subarray(i, i + 30_000));
      req.end();
    });
    assert.ok(chunked.reused);
    assert.is(chunked.res.headers['transfer-encoding'], 'chunked');
    assert.ok(chunked.body.equals(data));

    // Expect: 100-continue: Node emits 'continue' when the 100 arrives, and only then sends the body.
    let continued = false;
    const expecting = await new Promise<NodeResult>((resolve, reject) => {
      const req = http.request({ ...base, path: '/sha', headers: { expect: '100-continue', 'content-length': data.length } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ res, body: Buffer.concat(chunks), reused: req.reusedSocket, socket: req.socket as Socket }));
      });
      req.on('error', reject);
      req.on('continue', () => {
        continued = true;
        req.end(data);
      });
    });
    assert.ok(continued, "the client got '100 Continue'");
    assert.ok(expecting.reused);
    assert.is(expecting.body.toString(), `${sha} ${data.length} POST`);
    assert.equal(h.seen.requests, ['POST /sha', 'POST /echo', 'POST /sha']);
    assert.equal(h.seen.expects, ['100-continue']);
  } finally {
    agent.destroy();
    await h.stop();
  }
});

test('node http: a streamed (chunked) response of many writes is read back whole', async () => {
  const h = await startServer();
  try {
    // 4 MB in 2,000 writes: more than the socket takes at once, so the app waits on drain().
    const r = await nodeRequest({ host: '127.0.0.1', port: h.tcp.port, path: '/stream?n=2000&size=2000', agent: false });
    assert.is(r.res.statusCode, 200);
    assert.is(r.res.headers['transfer-encoding'], 'chunked');
    assert.is(r.res.headers['content-length'], undefined);
    assert.is(r.body.length, 4_000_000);
    assert.ok(r.body.toString('latin1') === streamBody(2000, 2000));
  } finally {
    await h.stop();
  }
});

test('node http: Connection: close is honoured (said in the response, the socket ends, the next request reconnects)', async () => {
  const h = await startServer();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const base = { host: '127.0.0.1', port: h.tcp.port, agent };
    const first = await nodeRequest({ ...base, path: '/conn' });
    const closing = await nodeRequest({ ...base, path: '/conn', headers: { connection: 'close' } });
    assert.ok(closing.reused);
    assert.is(closing.res.headers.connection, 'close');
    assert.is(closing.body.toString(), first.body.toString());
    if (!closing.socket.destroyed) await once(closing.socket, 'close');
    await eventually('the server connection to close', () => h.server.stats.active === 0);
    const third = await nodeRequest({ ...base, path: '/conn' });
    assert.not.ok(third.reused);
    assert.is.not(third.body.toString(), first.body.toString());
    assert.is(h.server.stats.accepted, 2);

    // Over a raw socket: the server itself ends the connection after answering.
    const s = await connectTcp(h.tcp);
    const ended = serverEnds(s);
    s.write('GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const text = await readAll(s);
    assert.ok(await ended, 'the server sent FIN');
    assert.match(text, /\r\nconnection: close\r\n/);
    assert.ok(text.endsWith('\r\n\r\nhello'), text);
  } finally {
    agent.destroy();
    await h.stop();
  }
});

// ---- undici --------------------------------------------------------------------------------

test('undici Pool: 200 concurrent requests (GET and POST) over 4 connections all get their own answer', async () => {
  const h = await startServer();
  const pool = new Pool(h.origin, { connections: 4 });
  try {
    const answers = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const post = i % 2 === 1;
        const body = post ? `body-${i}-${'x'.repeat(i * 37)}` : undefined;
        const res = await pool.request({ path: `/idx/${i}${i % 7 === 0 ? '?delay=5' : ''}`, method: post ? 'POST' : 'GET', body });
        return { i, status: res.statusCode, text: await res.body.text(), body };
      }),
    );
    for (const a of answers) {
      assert.is(a.status, 200);
      assert.is(a.text, a.body === undefined ? `${a.i}:GET:0:` : `${a.i}:POST:${a.body.length}:${a.body}`);
    }
    assert.is(h.seen.requests.length, 200);
    assert.ok(h.server.stats.accepted > 1 && h.server.stats.accepted <= 4, `accepted ${h.server.stats.accepted}`);

    // The top-level `request` with the pool as dispatcher.
    const one = await request(`${h.origin}/hello`, { dispatcher: pool });
    assert.is(await one.body.text(), 'hello');
  } finally {
    await pool.close();
    await h.stop();
  }
});

test('undici Client with pipelining 10: 40 requests on one connection come back correct and in order', async () => {
  const h = await startServer();
  const client = new Client(h.origin, { pipelining: 10 });
  let maxRunning = 0;
  const sampler = setInterval(() => (maxRunning = Math.max(maxRunning, client.stats.running)), 1);
  try {
    const order: number[] = [];
    const answers = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        // Earlier requests are slower, so a server that answered out of order would show it.
        // `blocking: false`: undici otherwise waits for each response's head before sending more.
        const res = await client.request({ path: `/idx/${i}?delay=${(10 - (i % 10)) * 2}`, method: 'GET', blocking: false });
        order.push(i);
        return { i, status: res.statusCode, text: await res.body.text() };
      }),
    );
    for (const a of answers) {
      assert.is(a.status, 200);
      assert.is(a.text, `${a.i}:GET:0:`);
    }
    assert.equal(order, Array.from({ length: 40 }, (_, i) => i));
    assert.ok(maxRunning >= 5, `requests were really pipelined (max in flight ${maxRunning})`);
    assert.is(h.server.stats.accepted, 1);
    assert.equal(h.seen.requests.map((r) => r.split('?')[0]), Array.from({ length: 40 }, (_, i) => `GET /idx/${i}`));
  } finally {
    clearInterval(sampler);
    await client.close();
    await h.stop();
  }
});

// ---- raw pipelined sockets -----------------------------------------------------------------

/**
 * 100 requests: GETs (some answered after a delay), POSTs with content-length, chunked POSTs, and
 * POSTs whose body the app never reads (the server must discard it to find the next request).
 * The last says Connection: close unless `close` is false.
 */
function hundredRequests(close = true): { bytes: Buffer; expected: string[] } {
  let text = '';
  const expected: string[] = [];
  for (let i = 0; i < 100; i++) {
    const closeLine = close && i === 99 ? 'Connection: close\r\n' : '';
    if (i % 10 === 5) {
      const body = `unread-${i}`;
      text += i % 20 === 5
        ? `POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n${closeLine}\r\n${body}`
        : `POST /hello HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n${closeLine}\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
      expected.push('hello');
    } else if (i % 3 === 1) {
      const body = `payload-${i}`.repeat((i % 5) + 1);
      text += `POST /idx/${i} HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n${closeLine}\r\n${body}`;
      expected.push(`${i}:POST:${body.length}:${body}`);
    } else if (i % 3 === 2) {
      const body = `c${i}`;
      text += `POST /idx/${i} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n${closeLine}\r\n1\r\n${body[0]}\r\n${(body.length - 1).toString(16)}\r\n${body.slice(1)}\r\n0\r\n\r\n`;
      expected.push(`${i}:POST:${body.length}:${body}`);
    } else {
      text += `GET /idx/${i}${i % 9 === 0 ? '?delay=2' : ''} HTTP/1.1\r\nHost: x\r\n${closeLine}\r\n`;
      expected.push(`${i}:GET:0:`);
    }
  }
  return { bytes: Buffer.from(text, 'latin1'), expected };
}

test('raw socket: 100 pipelined requests in one write are answered in order, then the server closes', async () => {
  const h = await startServer();
  try {
    const { bytes, expected } = hundredRequests();
    const s = await connectTcp(h.tcp);
    const ended = serverEnds(s);
    s.write(bytes);
    const responses = parseResponses(await readAll(s));
    assert.ok(await ended, 'the server ended the connection after Connection: close');
    assert.is(responses.length, 100);
    assert.ok(responses.every((r) => r.status === 200));
    assert.equal(responses.map((r) => r.body), expected);
    assert.is(responses[99].headers.connection, 'close');
    assert.is(h.server.stats.accepted, 1);
  } finally {
    await h.stop();
  }
});

test('raw socket: the same 100 requests written one byte at a time get the same answers', async () => {
  const h = await startServer();
  try {
    const { bytes, expected } = hundredRequests();
    const s = await connectTcp(h.tcp);
    s.setNoDelay(true);
    const all = readAll(s, 15_000);
    for (let i = 0; i < bytes.length; i++) {
      s.write(bytes.subarray(i, i + 1));
      // Let the server read (usually) each byte on its own.
      if (i % 2 === 1) await new Promise((r) => setImmediate(r));
    }
    const responses = parseResponses(await all);
    assert.equal(responses.map((r) => r.body), expected);
    assert.ok(h.reads > 500, `the server saw the bytes in many reads (${h.reads})`);
  } finally {
    await h.stop();
  }
});

// The first request waits 2 ms in the app, so the FIN arrives while it is in flight and the 99
// others are parsed-but-waiting: they were received whole and must still be answered.
test('raw socket: 100 pipelined requests then a half-close (FIN, no Connection: close) are all answered', async () => {
  const h = await startServer();
  try {
    const { bytes, expected } = hundredRequests(false);
    const s = await connectTcp(h.tcp);
    const ended = serverEnds(s);
    s.end(bytes);
    const text = await readAll(s);
    const responses = parseResponses(text);
    assert.equal(responses.map((r) => r.body), expected);
    assert.ok(await ended, 'the server ended its side too');
  } finally {
    await h.stop();
  }
});

test('raw socket: 20 pipelined 256 KiB uploads in one write (more than the read buffer) all arrive whole', async () => {
  const h = await startServer();
  try {
    const parts: Buffer[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 20; i++) {
      const body = randomBytes(256 * 1024);
      const close = i === 19 ? 'Connection: close\r\n' : '';
      parts.push(Buffer.from(`POST /sha HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n${close}\r\n`, 'latin1'), body);
      expected.push(`${createHash('sha256').update(body).digest('hex')} ${body.length} POST`);
    }
    const s = await connectTcp(h.tcp);
    s.write(Buffer.concat(parts));
    const responses = parseResponses(await readAll(s, 10_000));
    assert.equal(responses.map((r) => r.body), expected);
    assert.is(h.server.stats.accepted, 1);
  } finally {
    await h.stop();
  }
});

test('curl --http1.0: answers are framed without chunked coding and the connection is not kept', async () => {
  const h = await startServer();
  try {
    const r = await curl(['-sS', '-v', '--http1.0', `${h.origin}/stream?n=50&size=100`, `${h.origin}/hello`]);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stderr, /^< HTTP\/1\.1 200 OK\r?$/m);
    assert.not.match(r.stderr, /transfer-encoding/i);
    assert.is(r.stdout.toString('latin1'), streamBody(50, 100) + 'hello');
    assert.is(h.server.stats.accepted, 2);
  } finally {
    await h.stop();
  }
});

// ---- request smuggling over TCP ------------------------------------------------------------

// Each is followed by a request that a desynchronised server would take as the next one.
const FOLLOW_UP = 'GET /idx/666 HTTP/1.1\r\nHost: x\r\n\r\n';
const SMUGGLING: [name: string, bytes: string][] = [
  ['CL.TE: content-length first, then chunked', `POST /idx/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG`],
  ['TE.CL: chunked first, then content-length', `POST /idx/1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\nGPOST /idx/2 HTTP/1.1\r\nHost: x\r\nContent-Length: 15\r\n\r\nx=1\r\n0\r\n\r\n`],
  ['TE.TE: an obfuscated second transfer-encoding, with content-length', `POST /idx/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nTransfer-encoding: cow\r\n\r\n5c\r\nGPOST / HTTP/1.1\r\n\r\n0\r\n\r\n`],
  ['chunked not the final coding', `POST /idx/1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n3\r\nabc\r\n0\r\n\r\n`],
  ['whitespace before the colon of transfer-encoding', `POST /idx/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n`],
  ['two different content-lengths', `POST /idx/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef`],
  ['transfer-encoding folded onto a second line (obs-fold)', `POST /idx/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n`],
];

for (const [name, bytes] of SMUGGLING) {
  test(`smuggling over TCP: ${name} → 400 and the server closes the socket`, async () => {
    const h = await startServer();
    try {
      const s = await connectTcp(h.tcp);
      const ended = serverEnds(s);
      s.write(bytes + FOLLOW_UP);
      const text = await readAll(s);
      assert.ok(text.startsWith('HTTP/1.1 400 Bad Request\r\n'), text);
      assert.match(text, /\r\nconnection: close\r\n/);
      assert.is(text.split('HTTP/1.1').length, 2, `one response only: ${text}`);
      assert.ok(await ended, 'the server ended the connection');
      assert.equal(h.seen.requests, [], 'the app saw none of it');
    } finally {
      await h.stop();
    }
  });
}

test('smuggling over TCP: CL.TE followed by 4 MB more still gets a clean 400 and FIN (no reset)', async () => {
  const h = await startServer();
  try {
    const s = await connectTcp(h.tcp);
    let error: unknown;
    s.on('error', (err) => (error = err));
    const ended = serverEnds(s);
    s.write(`POST /idx/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n${'z'.repeat(4_000_000)}`);
    const text = await readUntil(s, (t) => t.endsWith('\r\n\r\n'));
    assert.ok(text.startsWith('HTTP/1.1 400 Bad Request\r\n'), text);
    assert.ok(await ended, 'the server ended the connection');
    assert.is(error, undefined);
    s.destroy();
  } finally {
    await h.stop();
  }
});

test('smuggling over TCP: a chunk size that overflows fails the body with 400 and closes', async () => {
  const h = await startServer();
  try {
    const s = await connectTcp(h.tcp);
    const ended = serverEnds(s);
    s.write(`POST /idx/1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000001\r\nabc\r\n0\r\n\r\n${FOLLOW_UP}`);
    const text = await readAll(s);
    assert.ok(text.startsWith('HTTP/1.1 400 Bad Request\r\n'), text);
    assert.is(text.split('HTTP/1.1').length, 2, `one response only: ${text}`);
    assert.ok(await ended, 'the server ended the connection');
    assert.equal(h.seen.requests, ['POST /idx/1']);
    assert.is(h.seen.bodyErrors.length, 1);
  } finally {
    await h.stop();
  }
});

// ---- graceful stop with real clients -------------------------------------------------------

test('stop(): an idle keep-alive client is closed after keepAliveShutdownGraceMs, an in-flight request is finished with connection: close', async () => {
  const h = await startServer({ limits: { keepAliveShutdownGraceMs: 50 } });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const client = new Client(h.origin);
  try {
    const idle = await nodeRequest({ host: '127.0.0.1', port: h.tcp.port, path: '/hello', agent });
    assert.is(idle.body.toString(), 'hello');
    const idleClosed = once(idle.socket, 'close');

    const inFlight = client.request({ path: '/idx/7?delay=200', method: 'GET' });
    await eventually('the slow request to reach the app', () => h.seen.requests.includes('GET /idx/7?delay=200'));
    const started = Date.now();
    const stopping = h.stop();
    await idleClosed;
    assert.ok(Date.now() - started < 200, `the idle connection closed after the grace, not at the stop's end (${Date.now() - started} ms)`);
    const res = await inFlight;
    assert.is(res.statusCode, 200);
    assert.is(res.headers.connection, 'close');
    assert.is(await res.body.text(), '7:GET:0:');
    await stopping;
    assert.is(h.server.stats.active, 0);
    const refused = await curl(['-sS', `${h.origin}/hello`]);
    assert.is(refused.code, 7, 'curl: could not connect');
  } finally {
    agent.destroy();
    await client.destroy();
    await h.stop();
  }
});

// ---- clients that go away mid-body ---------------------------------------------------------

test('a client that disconnects mid-body (content-length) leaves the server healthy', async () => {
  const h = await startServer();
  try {
    const s = await connectTcp(h.tcp);
    s.write(`POST /sha HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(1000)}`);
    await eventually('the app to read the first bytes', () => h.seen.bodyBytes === 1000);
    s.destroy();
    await eventually('the body read to fail', () => h.seen.bodyErrors.length === 1);
    await eventually('the connection to be gone', () => h.server.stats.active === 0);

    const r = await curl(['-sS', `${h.origin}/hello`]);
    assert.is(r.stdout.toString(), 'hello');
  } finally {
    await h.stop();
  }
});

test('a client that resets mid-chunk leaves the server healthy', async () => {
  const h = await startServer();
  try {
    const s = await connectTcp(h.tcp);
    s.write(`POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\nfff\r\n${'y'.repeat(100)}`);
    await eventually('the app to read the first bytes', () => h.seen.bodyBytes >= 4);
    s.resetAndDestroy();
    await eventually('the body read to fail', () => h.seen.bodyErrors.length === 1);
    await eventually('the connection to be gone', () => h.server.stats.active === 0);

    const again = await connectTcp(h.tcp);
    again.write('GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.ok((await readAll(again)).endsWith('hello'));
  } finally {
    await h.stop();
  }
});

test('curl killed in the middle of a streamed upload leaves the server healthy', async () => {
  const h = await startServer();
  try {
    const child = spawn('curl', ['-sS', '-H', 'Expect:', '-T', '-', `${h.origin}/sha`], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.stdin.write(randomBytes(64 * 1024));
    await eventually('the app to read part of the upload', () => h.seen.bodyBytes > 0);
    child.kill('SIGKILL');
    await once(child, 'exit');
    await eventually('the body read to fail', () => h.seen.bodyErrors.length === 1);
    await eventually('the connection to be gone', () => h.server.stats.active === 0);
    assert.equal(h.seen.requests, ['PUT /sha']);

    const r = await curl(['-sS', `${h.origin}/hello`]);
    assert.is(r.stdout.toString(), 'hello');
  } finally {
    await h.stop();
  }
});

test('a half-close mid-body still gets an answer (400), and the server closes', async () => {
  const h = await startServer();
  try {
    const s = await connectTcp(h.tcp);
    s.write(`POST /sha HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc`);
    await eventually('the app to read the first bytes', () => h.seen.bodyBytes === 3);
    s.end();
    const text = await readUntil(s, () => false);
    assert.ok(text.startsWith('HTTP/1.1 400 Bad Request\r\n'), text);
    assert.equal(h.seen.bodyErrors, ['ERR_TIERCEL_BODY_INCOMPLETE']);
  } finally {
    await h.stop();
  }
});

test.after(removeScratch);

test.run();
