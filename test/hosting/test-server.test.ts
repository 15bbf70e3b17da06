// TestServer's clients: request() (the lean HTTP/1.1 client), webSocket() and the in-memory
// transport under them. The server side is always tiercel's real one; the scripted servers below
// (raw bytes on a MemoryTransport listener) exist to feed the client responses tiercel never sends.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { ConnectionContext, ConnectionListener } from '../../connection/index.js';
import { Server, TestClient, TestServer, type TestResponse } from '../../hosting/index.js';
import { ApplicationBuilder, HttpError } from '../../pipeline/index.js';
import { MemoryTransport } from '../../transports/index.js';
import { delay } from '../support/streams.js';

const app = new ApplicationBuilder().run(async (ctx) => {
  const { request, response } = ctx;
  switch (request.path) {
    case '/hello':
      response.headers.set('x-multi', 'a');
      response.headers.append('x-multi', 'b');
      return response.send('Hello, World!');
    case '/echo':
      response.headers.set('content-type', request.headers.get('content-type') ?? 'application/octet-stream');
      return response.send(await request.buffer());
    case '/connection':
      return response.send(ctx.connection.id);
    case '/empty':
      response.status = 204;
      return response.end();
    case '/chunked': {
      response.trailers?.set('x-sum', 'abc');
      await response.write('one,');
      await response.write('two');
      return response.end();
    }
    case '/big':
      return response.send(Buffer.alloc(3 * 1024 * 1024, 7));
    case '/never':
      return new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
  }
  throw new HttpError(404);
});

async function withTs(fn: (ts: TestServer) => Promise<void>, options?: Parameters<typeof TestServer.start>[1]): Promise<void> {
  const ts = await TestServer.start(app, { server: { logLevel: 'silent' }, ...options });
  try {
    await fn(ts);
  } finally {
    await ts.stop();
  }
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return (err as { code?: string }).code;
  }
  assert.unreachable('it resolved');
}

test('request(): status, headers and the body as text, json and bytes', () =>
  withTs(async (ts) => {
    const res = await ts.request('/hello');
    assert.is(res.status, 200);
    assert.is(res.statusText, 'OK');
    assert.is(res.text(), 'Hello, World!');
    assert.is(res.headers['content-length'], '13');
    assert.is(res.headers['x-multi'], 'a, b');
    assert.equal(res.rawHeaders.filter((_, i) => i % 2 === 0 && res.rawHeaders[i].toLowerCase() === 'x-multi').length, 2);
    assert.equal(Buffer.from(res.bytes()), Buffer.from('Hello, World!'));
    const echoed = await ts.request({ method: 'POST', path: '/echo', json: { name: 'kestrel' } });
    assert.is(echoed.headers['content-type'], 'application/json');
    assert.equal(echoed.json(), { name: 'kestrel' });
    const bytes = await ts.request({ method: 'PUT', path: '/echo', body: new Uint8Array([0, 1, 2, 255]) });
    assert.equal([...bytes.body], [0, 1, 2, 255]);
    assert.is((await ts.request({ path: '/nope' })).status, 404);
  }));

test('request(): sequential requests reuse one keep-alive connection; concurrent ones open more', () =>
  withTs(async (ts) => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await ts.request('/connection')).text());
    assert.is(ids.size, 1);
    const concurrent = await Promise.all(Array.from({ length: 4 }, () => ts.request('/connection')));
    assert.is(new Set(concurrent.map((r) => r.text())).size, 4);
    assert.is(ts.server.stats.accepted, 4, 'the first connection is reused, three more are opened');
  }));

test('request(): HEAD and 204 have no body; a chunked body is decoded with its trailers', () =>
  withTs(async (ts) => {
    const head = await ts.request({ method: 'HEAD', path: '/hello' });
    assert.is(head.headers['content-length'], '13');
    assert.is(head.body.length, 0);
    assert.is((await ts.request('/empty')).status, 204);
    const chunked = await ts.request({ path: '/chunked', headers: { te: 'trailers' } });
    assert.is(chunked.headers['transfer-encoding'], 'chunked');
    assert.is(chunked.text(), 'one,two');
    assert.equal(chunked.trailers, { 'x-sum': 'abc' });
    // The connection is still good after each.
    assert.is((await ts.request('/hello')).text(), 'Hello, World!');
  }));

test('request(): bodies bigger than the in-memory buffers cross whole both ways', () =>
  withTs(async (ts) => {
    const big = await ts.request('/big');
    assert.is(big.body.length, 3 * 1024 * 1024);
    assert.ok(big.body.every((b) => b === 7));
    const upload = Buffer.alloc(2 * 1024 * 1024, 'tiercel');
    const echoed = await ts.request({ method: 'POST', path: '/echo', body: upload });
    assert.is(sha256(echoed.body), sha256(upload));
  }));

test("request(): the server's own refusals arrive as responses (its real parser and limits)", () =>
  withTs(
    async (ts) => {
      const res = await ts.request({ path: '/hello', headers: { 'x-big': 'x'.repeat(2_000) } });
      assert.is(res.status, 431);
      assert.is(res.headers.connection, 'close');
      assert.is((await ts.request('/hello')).status, 200, 'the next request gets a fresh connection');
    },
    { http: { limits: { maxRequestHeadersTotalSize: 1_024 } } },
  ));

test('request(): typed errors: a request it cannot send, a response over maxBodySize, no response in time', () =>
  withTs(
    async (ts) => {
      assert.is(await codeOf(ts.request({ method: 'GET /x' })), 'ERR_TIERCEL_TEST_REQUEST_INVALID');
      assert.is(await codeOf(ts.request({ path: '/a b' })), 'ERR_TIERCEL_TEST_REQUEST_INVALID');
      assert.is(await codeOf(ts.request({ path: '/', headers: { 'x-a': 'b\r\nx-injected: 1' } })), 'ERR_TIERCEL_TEST_REQUEST_INVALID');
      assert.is(await codeOf(ts.request({ body: 'a', json: 1 })), 'ERR_TIERCEL_TEST_REQUEST_INVALID');
      assert.is(await codeOf(ts.request('/big')), 'ERR_TIERCEL_TEST_RESPONSE_TOO_LARGE');
      assert.is(await codeOf(ts.request({ path: '/never', timeoutMs: 100 })), 'ERR_TIERCEL_TEST_TIMEOUT');
      assert.is((await ts.request('/hello')).status, 200);
    },
    { client: { maxBodySize: 1024 * 1024 } },
  ));

test('request(): a connection the server closed while idle (keep-alive timeout) is replaced', () =>
  withTs(
    async (ts) => {
      const first = (await ts.request('/connection')).text();
      for (let i = 0; i < 300 && ts.server.stats.active > 0; i++) await delay(10);
      assert.is(ts.server.stats.active, 0, 'the server closed the idle connection');
      assert.is.not((await ts.request('/connection')).text(), first);
    },
    { http: { limits: { keepAliveTimeoutMs: 100 } } },
  ));

test('bad client options are refused at once', async () => {
  for (const client of [{ timeoutMs: 0 }, { maxBodySize: 1.5 }, { nope: 1 }]) {
    assert.is(await codeOf(TestServer.start(app, { client: client as object })), 'ERR_TIERCEL_INVALID_OPTION');
  }
});

// ---- the client against scripted servers -------------------------------------------------

/** A raw server on a fresh MemoryTransport: `answer` gets each request's head, its connection and its index on it. */
async function scripted(answer: (head: string, ctx: ConnectionContext, nth: number) => void, options = {}): Promise<{ client: TestClient; connections: () => number; close(): Promise<void> }> {
  const transport = new MemoryTransport();
  const listener: ConnectionListener = await transport.bind({ kind: 'memory', name: 'raw' });
  let connections = 0;
  void (async () => {
    for (let ctx = await listener.accept(); ctx !== null; ctx = await listener.accept()) {
      connections++;
      let nth = 0;
      let text = '';
      ctx.transport.on('error', () => {});
      ctx.transport.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        for (let end = text.indexOf('\r\n\r\n'); end >= 0; end = text.indexOf('\r\n\r\n')) {
          const head = text.slice(0, end);
          const length = /content-length: (\d+)/i.exec(head);
          text = text.slice(end + 4 + (length ? Number(length[1]) : 0));
          answer(head, ctx, nth++);
        }
      });
    }
  })();
  const client = new TestClient(() => transport.connect('raw'), options);
  return { client, connections: () => connections, close: () => (client.close(), listener.dispose()) };
}

const CHUNKED = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Sum: 42\r\nX-Other: z\r\n\r\n';
const LENGTH = 'HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nhello';
const NO_TRAILERS = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n';

test('the client reads a response split at every byte, keep-alive after each', async () => {
  for (const response of [CHUNKED, LENGTH, NO_TRAILERS]) {
    let split = 0;
    const server = await scripted((_head, ctx) => {
      // Two writes in one tick still arrive as two reads: the client sees the split.
      ctx.transport.write(response.slice(0, split));
      ctx.transport.write(response.slice(split));
    });
    try {
      for (split = 1; split < response.length; split++) {
        const res: TestResponse = await server.client.request('/');
        assert.is(res.text(), response === CHUNKED ? 'hello, world' : 'hello', `split at ${split}`);
        if (response === CHUNKED) assert.equal(res.trailers, { 'x-sum': '42', 'x-other': 'z' });
        else if (response === LENGTH) assert.is(res.status, 201);
        else assert.equal(res.trailers, {});
      }
      assert.is(server.connections(), 1, 'one connection served every request');
    } finally {
      await server.close();
    }
  }
});

test('interim 1xx responses are skipped; a body without a length runs to the FIN', async () => {
  const server = await scripted((_head, ctx) => {
    ctx.transport.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n');
    ctx.transport.end('HTTP/1.1 200 OK\r\n\r\nuntil the end');
  });
  try {
    const res = await server.client.request('/');
    assert.is(res.status, 200);
    assert.is(res.text(), 'until the end');
  } finally {
    await server.close();
  }
});

test('a connection that sent bytes nobody asked for, or a 101, is not reused', async () => {
  const server = await scripted((head, ctx) => {
    if (head.includes('/extra')) ctx.transport.write(`${LENGTH}HTTP/1.1 200 OK\r\n`); // more than one response
    else if (head.includes('/switch')) ctx.transport.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n');
    else {
      ctx.transport.write(LENGTH);
      if (head.includes('/later')) setImmediate(() => ctx.transport.write('unasked'));
    }
  });
  try {
    // Each request below reuses the connection the one before it left, unless it was discarded.
    assert.is((await server.client.request('/extra')).text(), 'hello');
    await server.client.request('/');
    assert.is(server.connections(), 2);
    assert.is((await server.client.request('/switch')).status, 101);
    await server.client.request('/');
    assert.is(server.connections(), 3);
    await server.client.request('/later');
    await delay(10);
    await server.client.request('/');
    assert.is(server.connections(), 4);
  } finally {
    await server.close();
  }
});

test('malformed responses are ERR_TIERCEL_TEST_RESPONSE_INVALID; an endless head is ..._TOO_LARGE', async () => {
  const cases: [string, string][] = [
    ['HTTP/1.1 OK\r\n\r\n', 'ERR_TIERCEL_TEST_RESPONSE_INVALID'],
    ['HTTP/2 200 OK\r\n\r\n', 'ERR_TIERCEL_TEST_RESPONSE_INVALID'],
    ['HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', 'ERR_TIERCEL_TEST_RESPONSE_INVALID'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', 'ERR_TIERCEL_TEST_RESPONSE_INVALID'],
    ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'ERR_TIERCEL_TEST_RESPONSE_INVALID'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'ERR_TIERCEL_TEST_RESPONSE_INVALID'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY', 'ERR_TIERCEL_TEST_RESPONSE_INVALID'],
    [`HTTP/1.1 200 OK\r\nX-Long: ${'x'.repeat(2_000)}`, 'ERR_TIERCEL_TEST_RESPONSE_TOO_LARGE'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort', 'ERR_TIERCEL_CONNECTION_ABORTED'],
  ];
  for (const [response, code] of cases) {
    const server = await scripted((_head, ctx) => ctx.transport.end(response), { maxHeaderSize: 1_024 });
    try {
      assert.is(await codeOf(server.client.request('/')), code, JSON.stringify(response.slice(0, 60)));
    } finally {
      await server.close();
    }
  }
});

test('a reused connection the server closes before answering: GET is retried once on a new one, POST fails', async () => {
  // A second request on a connection, to /dies, finds it closing: the keep-alive race.
  const server = await scripted((head, ctx, nth) => {
    if (nth === 1 && head.includes('/dies')) ctx.transport.end();
    else ctx.transport.write(LENGTH);
  });
  try {
    await server.client.request('/first');
    assert.is((await server.client.request('/dies')).text(), 'hello', 'retried on a new connection');
    assert.is(server.connections(), 2);
    assert.is(await codeOf(server.client.request({ method: 'POST', path: '/dies', body: 'x' })), 'ERR_TIERCEL_CONNECTION_ABORTED');
    assert.is(server.connections(), 2, 'a POST is not retried');
  } finally {
    await server.close();
  }
});

test('a reset mid-response rejects with ERR_TIERCEL_CONNECTION_ABORTED, the reset as its cause', async () => {
  const transport = new MemoryTransport();
  const listener = await transport.bind({ kind: 'memory', name: 'reset' });
  void listener.accept().then((ctx) => {
    ctx!.transport.once('data', () => {
      ctx!.transport.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
      ctx!.abort();
    });
  });
  const client = new TestClient(() => transport.connect('reset'));
  try {
    const err = (await client.request('/').then(() => undefined, (e: unknown) => e)) as { code?: string; cause?: { code?: string } };
    assert.is(err.code, 'ERR_TIERCEL_CONNECTION_ABORTED');
    assert.is(err.cause?.code, 'ECONNRESET');
  } finally {
    client.close();
    await listener.dispose();
  }
});

test('ctx.closed tells connection middleware how the connection ended: end or abort', async () => {
  const kinds: (string | undefined)[] = [];
  const server = new Server({ logLevel: 'silent' });
  server.useHttp(app);
  server.listen('http://memory:kinds', (ep) =>
    ep.use(async (ctx, next) => {
      ctx.onClosed(() => kinds.push(ctx.closeKind));
      return next();
    }),
  );
  await server.start();
  const memory = server.getTransport(MemoryTransport);
  try {
    const client = new TestClient(() => memory.connect('kinds'));
    assert.is((await client.request('/hello')).status, 200);
    client.close(); // a FIN after the response: the server closes gracefully too
    for (let i = 0; i < 100 && kinds.length < 1; i++) await delay(10);
    const raw = memory.connect('kinds');
    raw.on('error', () => {});
    raw.write('GET /never HTTP/1.1\r\nHost: x\r\n\r\n');
    await delay(20);
    raw.resetAndDestroy(); // the client goes away mid-request
    for (let i = 0; i < 100 && kinds.length < 2; i++) await delay(10);
    assert.equal(kinds, ['end', 'abort']);
  } finally {
    await server.stop(500);
  }
});

// ---- WebSockets --------------------------------------------------------------------------

const wsApp = new ApplicationBuilder()
  .map('/echo', (branch) =>
    branch.run(async (ctx) => {
      const socket = await ctx.webSockets.accept();
      socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
      socket.on('close', (code) => serverCloses.push(code));
    }),
  )
  .run(() => {
    throw new HttpError(403, 'not here');
  });
const serverCloses: number[] = [];

test('webSocket(): connected over memory, a message each way, a clean close both ends see', async () => {
  const ts = await TestServer.start(wsApp, { server: { logLevel: 'silent' } });
  try {
    const ws = await ts.webSocket('/echo');
    assert.is(ws.readyState, ws.OPEN);
    const echoed = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    ws.send('ping');
    assert.is(await echoed, 'ping');
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    ws.close(1000);
    assert.is(await closed, 1000);
    for (let i = 0; i < 100 && serverCloses.length === 0; i++) await delay(10);
    assert.equal(serverCloses, [1000]);
  } finally {
    await ts.stop();
  }
});

test('webSocket(): a refused handshake rejects with TestWebSocketRefusedError, its status and body', async () => {
  const ts = await TestServer.start(wsApp, { server: { logLevel: 'silent' } });
  try {
    const err = (await ts.webSocket('/elsewhere').then(() => undefined, (e: unknown) => e)) as { code?: string; status?: number; body?: string };
    assert.is(err.code, 'ERR_TIERCEL_TEST_WEBSOCKET_REFUSED');
    assert.is(err.status, 403);
    assert.ok(err.body?.includes('not here'));
  } finally {
    await ts.stop();
  }
});

test('a WebSocket test over memory exits as soon as it closes: nothing keeps the event loop alive', async () => {
  const script = fileURLToPath(new URL('./fixtures/web-socket-exit.js', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let doneAt = 0;
  child.stdout.on('data', (d: Buffer) => {
    out += d;
    if (doneAt === 0 && out.includes('"done"')) doneAt = Date.now();
  });
  child.stderr.on('data', (d: Buffer) => (err += d));
  // ws's close timer is 30 s: a test that took it would be killed here.
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(killer);
  assert.is(code, 0, `the child failed or was killed: ${err}`);
  const report = JSON.parse(out.trim().split('\n').pop()!) as { code: number; active: string[] };
  assert.is(report.code, 1000);
  assert.equal(report.active.filter((r) => r !== 'PipeWrap' && r !== 'TTYWrap'), [], 'handles alive after stop()');
  const lingered = Date.now() - doneAt;
  assert.ok(lingered < 2_000, `the process lived ${lingered} ms after its test was done`);
});

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

test.run();
