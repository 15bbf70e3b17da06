// Faults over real TCP: clients that reset or half-close in the middle of a request, exceptions
// thrown from every hook an app plugs in (request middleware, connection middleware, TLS
// certificate selectors, WebSocket handlers), and a stop under load of checksummed echo uploads.
// Each: no crash, the connection fails cleanly (a status or a close), an error-level log for the
// app's faults and none for the client's, nothing leaked, no request-body byte lost or duplicated.
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TcpEndpoint } from '../../connection/index.js';
import { LOGGER } from '../../di/index.js';
import { Server, type EndpointBuilder } from '../../hosting/index.js';
import { ApplicationBuilder } from '../../pipeline/index.js';
import type { HttpLimits } from '../../protocols/index.js';
import { MemoryLogger } from '../pipeline/support.js';
import { dechunk, fetchOnce, open, parseOne, sha256 } from '../support/attacks.js';
import { eventually } from '../support/real-server.js';
import { delay, readAll } from '../support/streams.js';
import { makeCa, makeLeaf } from '../support/tls-certificates.js';

interface Served {
  readonly server: Server;
  readonly port: number;
  readonly logger: MemoryLogger;
  stop(timeoutMs?: number): Promise<void>;
}

async function serve(app: ApplicationBuilder, o: { configure?: (ep: EndpointBuilder) => void; limits?: Partial<HttpLimits> } = {}): Promise<Served> {
  const logger = new MemoryLogger();
  const server = new Server({ logLevel: 'silent' });
  server.services.register(LOGGER, { useValue: logger });
  server.useHttp(app, { limits: o.limits });
  server.listen('http://127.0.0.1:0', o.configure);
  await server.start();
  return { server, port: (server.endpoints[0] as TcpEndpoint).port, logger, stop: (ms = 1_000) => server.stop(ms) };
}

/** Open file descriptors of this process (Linux). */
function fds(): number {
  return readdirSync('/proc/self/fd').length;
}

function errorMessages(logger: MemoryLogger): string[] {
  return logger.errors().map((e) => e.message);
}

/** Sends raw bytes on a new connection; resolves with the socket and everything it receives until it closes. */
async function rawClient(port: number): Promise<{ socket: Socket; text: () => string; closed: Promise<void> }> {
  const socket = await open(port);
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  socket.on('error', () => {});
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return { socket, text: () => text, closed };
}

// ---- clients that go away ----------------------------------------------------------------

test('a client that resets mid-body: the body read fails with a client-fault code, the connection is gone, nothing logged above debug', async () => {
  const seen: { bytes: number; error?: string } = { bytes: 0 };
  const app = new ApplicationBuilder().run(async (ctx) => {
    try {
      for await (const chunk of ctx.request.body) seen.bytes += chunk.length;
      ctx.response.send('whole');
    } catch (err) {
      seen.error = (err as { code?: string }).code;
      throw err;
    }
  });
  const s = await serve(app);
  try {
    const c = await rawClient(s.port);
    c.socket.write('POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n');
    c.socket.write(randomBytes(200_000));
    await eventually('the app read part of the body', () => seen.bytes > 0);
    c.socket.resetAndDestroy();
    await eventually('the body read failed', () => seen.error !== undefined);
    // Node may report the reset as an EOF first (then ECONNRESET): the body is incomplete either way.
    assert.ok(seen.error === 'ERR_TIERCEL_CONNECTION_ABORTED' || seen.error === 'ERR_TIERCEL_BODY_INCOMPLETE', seen.error);
    await eventually('the server let the connection go', () => s.server.stats.active === 0);
    assert.equal(errorMessages(s.logger), []);
    assert.is((await fetchOnce(s.port, '/up', Buffer.from('abc'))).body.toString(), 'whole');
  } finally {
    await s.stop();
  }
});

test('a client that resets mid-response: ctx.signal fires, the app stops writing, nothing logged above debug', async () => {
  const seen = { written: 0, aborted: false, finished: false };
  const chunk = Buffer.alloc(64 * 1024, 'z');
  const app = new ApplicationBuilder().run(async (ctx) => {
    ctx.signal.addEventListener('abort', () => (seen.aborted = true));
    // 256 MiB: far more than the socket buffers hold, so the reset comes mid-response.
    for (let i = 0; i < 4096 && !ctx.signal.aborted; i++) {
      const wait = ctx.response.write(chunk);
      seen.written += chunk.length;
      if (wait !== undefined) await wait;
    }
    seen.finished = true;
  });
  const s = await serve(app);
  try {
    const c = await rawClient(s.port);
    c.socket.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
    await eventually('the response started', () => c.text().length > 100_000);
    c.socket.resetAndDestroy();
    await eventually('the app saw the abort and stopped', () => seen.aborted && seen.finished);
    assert.ok(seen.written < 4096 * chunk.length, 'the app wrote the whole response to a client that was gone');
    await eventually('the server let the connection go', () => s.server.stats.active === 0);
    assert.equal(errorMessages(s.logger), []);
  } finally {
    await s.stop();
  }
});

/** Echoes the request body back, with its sha256 in a trailer-free header-less way: `<sha> <length>`. */
const shaApp = (): ApplicationBuilder =>
  new ApplicationBuilder().run(async (ctx) => {
    const body = await ctx.request.buffer();
    ctx.response.send(`${sha256(body)} ${body.length} ${ctx.request.path}`);
  });

test('half-open: requests sent and then FIN are all answered, in order, then the server closes', async () => {
  const s = await serve(shaApp());
  try {
    const body = randomBytes(100_000);
    const c = await rawClient(s.port);
    c.socket.write('GET /one HTTP/1.1\r\nHost: x\r\n\r\n');
    c.socket.write(Buffer.concat([Buffer.from(`POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
    c.socket.end('GET /three HTTP/1.1\r\nHost: x\r\n\r\n');
    await Promise.race([c.closed, delay(3_000)]);
    assert.ok(c.socket.destroyed, 'the server kept the half-closed connection open');
    const answers = c.text().split(/(?=HTTP\/1\.1 )/).map((r) => parseOne(Buffer.from(r, 'latin1')).body.toString());
    assert.equal(answers, [`${sha256(Buffer.alloc(0))} 0 /one`, `${sha256(body)} ${body.length} /two`, `${sha256(Buffer.alloc(0))} 0 /three`]);
    assert.equal(s.logger.entries.filter((e) => e.level !== 'debug' && e.level !== 'info'), []);
  } finally {
    await s.stop();
  }
});

test('half-open: FIN in the middle of a body the app reads is a 400 and a close; FIN in the middle of a head closes the connection', async () => {
  const s = await serve(shaApp());
  try {
    const body = await rawClient(s.port);
    body.socket.end('POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc');
    await Promise.race([body.closed, delay(3_000)]);
    assert.ok(body.text().startsWith('HTTP/1.1 400 '), body.text());
    assert.match(body.text(), /connection: close/);
    const head = await rawClient(s.port);
    head.socket.end('GET /x HTTP/1.1\r\nHost: x\r\n');
    await Promise.race([head.closed, delay(3_000)]);
    assert.ok(head.socket.destroyed, 'the server kept a connection whose head can never complete');
    // Closed without an answer today; node:http and Kestrel answer such a head 400, which would do too.
    assert.ok(head.text() === '' || head.text().startsWith('HTTP/1.1 400 '), head.text());
    await eventually('the server let both connections go', () => s.server.stats.active === 0);
    assert.equal(errorMessages(s.logger), []);
    assert.ok(s.logger.entries.some((e) => e.level === 'debug' && (e.fields?.err as { code?: string } | undefined)?.code === 'ERR_TIERCEL_BODY_INCOMPLETE'));
  } finally {
    await s.stop();
  }
});

// ---- exceptions from the app's hooks ---------------------------------------------------------

test('a request middleware that throws (sync, async, a non-Error, after the response started): 500 or an aborted response, logged at error, the server goes on', async () => {
  const app = new ApplicationBuilder()
    .use((ctx, next) => {
      if (ctx.request.path === '/sync') throw new Error('sync boom');
      return next();
    })
    .use(async (ctx, next) => {
      if (ctx.request.path === '/async') {
        await delay(1);
        throw new Error('async boom');
      }
      if (ctx.request.path === '/string') throw 'a string, not an Error';
      if (ctx.request.path === '/late') {
        await ctx.response.write('partial ');
        throw new Error('late boom');
      }
      await next();
    })
    .run((ctx) => ctx.response.send('fine'));
  const s = await serve(app);
  try {
    for (const path of ['/sync', '/async', '/string']) {
      const a = await fetchOnce(s.port, path);
      assert.is(a.status, 500, path);
      assert.is(a.body.length, 0, `${path} leaked ${a.body.toString()}`);
    }
    // The head and a chunk went out: the only honest signal left is a cut chunked body.
    const late = await rawClient(s.port);
    late.socket.write('GET /late HTTP/1.1\r\nHost: x\r\n\r\n');
    await Promise.race([late.closed, delay(3_000)]);
    assert.ok(late.text().startsWith('HTTP/1.1 200 '), late.text());
    assert.not.match(late.text(), /\r\n0\r\n\r\n$/, 'an aborted response ended like a whole one');
    assert.is(errorMessages(s.logger).length, 4, JSON.stringify(errorMessages(s.logger)));
    // A keep-alive connection is still served after a 500 on it.
    const c = await rawClient(s.port);
    c.socket.write('GET /sync HTTP/1.1\r\nHost: x\r\n\r\nGET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await Promise.race([c.closed, delay(3_000)]);
    assert.match(c.text(), /^HTTP\/1\.1 500 [\s\S]*HTTP\/1\.1 200 [\s\S]*fine$/);
    await eventually('no connection left', () => s.server.stats.active === 0);
  } finally {
    await s.stop();
  }
});

test('a connection middleware that throws (before next, async, after next): the connection closes, logged at error, the server goes on', async () => {
  const app = new ApplicationBuilder().run((ctx) => ctx.response.send('fine'));
  let n = 0;
  const s = await serve(app, {
    configure: (ep) =>
      ep.use(async (_ctx, next) => {
        const which = n++;
        if (which === 0) throw new Error('before next');
        if (which === 1) {
          await delay(1);
          throw new Error('async, before next');
        }
        if (which === 2) {
          await next();
          throw new Error('after next');
        }
        return next();
      }),
  });
  try {
    for (let i = 0; i < 2; i++) {
      // The abort resets the connection, which can reach the client before its connect completes.
      const c = await rawClient(s.port).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ECONNRESET') throw err;
        return null;
      });
      if (c === null) continue;
      c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await Promise.race([c.closed, delay(3_000)]);
      assert.ok(c.socket.destroyed, `connection ${i} was not closed`);
      assert.is(c.text(), '');
    }
    // After next(): the request was served; the throw comes when the connection is done.
    const after = await fetchOnce(s.port, '/');
    assert.is(after.status, 200);
    assert.is((await fetchOnce(s.port, '/')).body.toString(), 'fine');
    await eventually('three errors logged', () => s.logger.errors().length === 3);
    assert.ok(errorMessages(s.logger).every((m) => m === 'Unhandled error in the connection pipeline; the connection was aborted'), JSON.stringify(errorMessages(s.logger)));
    await eventually('no connection left', () => s.server.stats.active === 0);
  } finally {
    await s.stop();
  }
});

test('a connection handler that throws synchronously (no middleware before it): the connection closes, logged at error, the server goes on', async () => {
  let n = 0;
  const s = await serve(new ApplicationBuilder().run((ctx) => ctx.response.send('unused')), {
    configure: (ep) =>
      ep.run((ctx) => {
        if (n++ === 0) throw new Error('sync throw');
        ctx.transport.end('served\n');
        return Promise.resolve();
      }),
  });
  try {
    const first = await rawClient(s.port).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET') throw err;
      return null;
    });
    if (first !== null) {
      await Promise.race([first.closed, delay(3_000)]);
      assert.ok(first.socket.destroyed, 'the connection was not closed');
      assert.is(first.text(), '');
    }
    const second = await rawClient(s.port);
    await Promise.race([second.closed, delay(3_000)]);
    assert.is(second.text(), 'served\n');
    await eventually('the error logged', () => s.logger.errors().length === 1);
    assert.equal(errorMessages(s.logger), ['Unhandled error in the connection pipeline; the connection was aborted']);
    await eventually('no connection left', () => s.server.stats.active === 0);
  } finally {
    await s.stop();
  }
});

/** A TLS handshake with the server at `port`; resolves with the socket, or with the error that ended it. */
function handshake(port: number, options: tls.ConnectionOptions): Promise<tls.TLSSocket | Error> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, checkServerIdentity: () => undefined, ALPNProtocols: ['http/1.1'], ...options });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', (err) => resolve(err));
    socket.once('close', () => resolve(new Error('closed during the handshake')));
  });
}

test('a TLS certificate selector that throws or rejects: that handshake fails and closes, logged at error; other names are still served', async () => {
  const ca = await makeCa();
  const fallback = await makeLeaf(['default.test'], { ca });
  const app = new ApplicationBuilder().run((ctx) => ctx.response.send('secure'));
  const s = await serve(app, {
    configure: (ep) =>
      ep.useHttps({
        certificate: fallback,
        selectCertificate: (name) => {
          if (name === 'throws.test') throw new Error('selector threw');
          if (name === 'rejects.test') return Promise.reject(new Error('selector rejected'));
          return null;
        },
      }),
  });
  try {
    for (const servername of ['throws.test', 'rejects.test']) {
      const r = await handshake(s.port, { servername, ca: ca.cert });
      assert.ok(r instanceof Error, `the handshake for ${servername} succeeded`);
    }
    const ok = await handshake(s.port, { servername: 'other.test', ca: ca.cert });
    assert.ok(!(ok instanceof Error), String(ok));
    const socket = ok as tls.TLSSocket;
    socket.write('GET / HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n');
    assert.match(await readAll(socket), /\r\n\r\nsecure$/);
    const errors = s.logger.errors();
    assert.is(errors.length, 2, JSON.stringify(errors.map((e) => e.message)));
    for (const e of errors) {
      assert.is(e.message, 'TLS handshake failed: an application callback failed; connection closed');
      assert.is(e.fields?.reason, 'no-certificate');
    }
    assert.equal(
      errors.map((e) => (e.fields?.cause as Error).message),
      ['selector threw', 'selector rejected'],
    );
    await eventually('no connection left', () => s.server.stats.active === 0);
  } finally {
    await s.stop();
  }
});

test('a client-certificate validator that throws: that handshake fails, logged at error; a refusal stays a debug line', async () => {
  const ca = await makeCa();
  const leaf = await makeLeaf(['localhost'], { ca });
  const clients = await makeCa('clients');
  const alice = await makeLeaf(['alice'], { ca: clients, client: true });
  const bob = await makeLeaf(['bob'], { ca: clients, client: true });
  const app = new ApplicationBuilder().run((ctx) => ctx.response.send('secure'));
  const s = await serve(app, {
    configure: (ep) =>
      ep.useHttps({
        certificate: leaf,
        clientCertificateMode: 'require',
        clientCertificateCa: clients.cert,
        validateClientCertificate: (cert) => {
          if (cert.subject.CN === 'alice') throw new Error('validator threw');
          return false;
        },
      }),
  });
  try {
    for (const who of [alice, bob]) {
      const r = await handshake(s.port, { ca: ca.cert, cert: who.cert, key: who.key });
      // TLS 1.3: the client may finish its side before the server refuses; the server then closes.
      if (!(r instanceof Error)) assert.is(await readAll(r), '');
    }
    await eventually('both handshakes logged', () => s.logger.entries.filter((e) => e.message.startsWith('TLS handshake failed')).length === 2);
    const failures = s.logger.entries.filter((e) => e.message.startsWith('TLS handshake failed')).map((e) => `${e.level} ${String(e.fields?.reason)}`);
    assert.equal(failures.sort(), ['debug client-certificate', 'error client-certificate']);
    await eventually('no connection left', () => s.server.stats.active === 0);
  } finally {
    await s.stop();
  }
});

// ws emits 'message' from the socket's 'data' handler: a listener that throws is an uncaught
// exception, and an async one that rejects an unhandled rejection; either ends the process. The
// test runs the server in a child process so that the crash it guards against cannot take the
// test runner down. Skipped until WebSocketHost contains handler errors (a guarded emit that logs
// at error and closes the socket with 1011, and a catch on a listener's returned promise).
const CHILD = fileURLToPath(new URL('./faults-ws-child.js', import.meta.url));
test('a WebSocket handler that throws or rejects: the socket closes with 1011, logged at error, the process lives on', () => {
  for (const mode of ['sync', 'async']) {
    const r = spawnSync(process.execPath, [CHILD, mode], { encoding: 'utf8', timeout: 10_000 });
    assert.is(r.status, 0, `${mode}: the child died: ${r.stderr}`);
    const report = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { closeCode?: number; errors?: string[]; servedAfter?: boolean };
    assert.is(report.closeCode, 1011, mode);
    assert.is(report.errors?.length, 1, mode);
    assert.ok(report.servedAfter, `${mode}: the server did not serve a new socket after the fault`);
  }
});

// ---- a stop under load -----------------------------------------------------------------------

const POOL = randomBytes(1024 * 1024);

interface Upload {
  readonly id: number;
  readonly sha: string;
  readonly length: number;
  status: number;
  /** The response ended properly (the chunked terminator arrived). */
  complete: boolean;
  echoedSha: string;
  echoedLength: number;
}

/** 'drain' never comes once the server has closed the connection: waits for either (an 'error' is followed by 'close'). */
function drainOrClose(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

/**
 * A keep-alive client that uploads bodies one after another to `/echo` in 16 KiB writes with a
 * pause every few, and checks the echo (streamed back while it uploads) against what it sent.
 * It goes on until the server closes the connection.
 */
async function uploader(port: number, first: number, uploads: Upload[]): Promise<void> {
  const socket = await open(port);
  socket.on('error', () => {});
  let buf = Buffer.alloc(0);
  let closed = false;
  let wake: (() => void) | undefined;
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    wake?.();
  });
  socket.on('close', () => {
    closed = true;
    wake?.();
  });
  const wait = (): Promise<void> => new Promise((r) => (wake = r));
  for (let id = first; !closed; id++) {
    const length = 16 * 1024 + ((id * 7919) % (240 * 1024));
    const offset = (id * 104_729) % (POOL.length - length);
    const body = POOL.subarray(offset, offset + length);
    const u: Upload = { id, sha: sha256(body), length, status: 0, complete: false, echoedSha: '', echoedLength: -1 };
    uploads.push(u);
    socket.write(`POST /echo HTTP/1.1\r\nHost: x\r\nx-id: ${id}\r\nContent-Length: ${length}\r\n\r\n`);
    for (let at = 0; at < length && !closed; at += 16 * 1024) {
      // 'drain' never comes once the server has closed the connection: wait for either.
      if (!socket.write(body.subarray(at, Math.min(length, at + 16 * 1024))) && !closed) await drainOrClose(socket);
      if ((at / 1024) % 64 === 0) await delay(1);
    }
    // The response: head, then a chunked body ending in 0\r\n\r\n.
    for (;;) {
      const headEnd = buf.indexOf('\r\n\r\n');
      const end = headEnd < 0 ? -1 : buf.indexOf('\r\n0\r\n\r\n', headEnd);
      if (end >= 0) {
        const stop = end + 7;
        const echoed = dechunk(buf.subarray(headEnd + 4, stop));
        u.status = parseOne(buf.subarray(0, headEnd + 4)).status;
        u.complete = true;
        u.echoedSha = sha256(echoed);
        u.echoedLength = echoed.length;
        const keepAlive = !/\r\nconnection: close/i.test(buf.toString('latin1', 0, headEnd));
        buf = buf.subarray(stop);
        if (!keepAlive) closed = true;
        break;
      }
      if (closed) {
        if (headEnd >= 0) u.status = parseOne(buf).status;
        break;
      }
      await wait();
    }
  }
  socket.end();
}

const echoApp = (handed: Set<number>): ApplicationBuilder =>
  new ApplicationBuilder().run(async (ctx) => {
    handed.add(Number(ctx.request.headers.get('x-id')));
    ctx.response.headers.set('content-type', 'application/octet-stream');
    for await (const chunk of ctx.request.body) {
      const wait = ctx.response.write(chunk);
      if (wait !== undefined) await wait;
    }
    ctx.response.end();
  });

test('stop under load: every checksummed upload the app was handed gets its whole echo; no byte lost or duplicated, no fd left open', async () => {
  const fdsBefore = fds();
  const handed = new Set<number>();
  const s = await serve(echoApp(handed));
  const uploads: Upload[] = [];
  const clients = Array.from({ length: 16 }, (_, i) => uploader(s.port, i * 100_000, uploads));
  await eventually('uploads under way', () => uploads.filter((u) => u.complete).length >= 32, 10_000);
  const inFlight = uploads.filter((u) => !u.complete).length;
  const stopStart = Date.now();
  await s.stop(10_000);
  const stopMs = Date.now() - stopStart;
  await Promise.all(clients);
  const byId = new Map(uploads.map((u) => [u.id, u]));
  for (const id of handed) {
    const u = byId.get(id)!;
    assert.ok(u.complete, `upload ${id} (${u.length} bytes) was handed to the app and never answered in full`);
    assert.is(u.status, 200);
    assert.is(u.echoedLength, u.length, `upload ${id}: ${u.echoedLength} bytes echoed of ${u.length}`);
    assert.is(u.echoedSha, u.sha, `upload ${id}: the echo differs from what was sent`);
  }
  // Whatever was answered was answered right.
  for (const u of uploads) if (u.complete) assert.is(u.echoedSha, u.sha, `upload ${u.id}`);
  console.log(`\n  stop under load: ${uploads.filter((u) => u.complete).length} uploads echoed whole, ${inFlight} in flight at the stop, stop took ${stopMs} ms`);
  assert.ok(inFlight > 0, 'nothing was in flight when the server stopped: the test proved nothing');
  // HeartbeatSlow says the machine stalled (a loaded CI host), not that the stop went wrong.
  assert.equal(s.logger.entries.filter((e) => (e.level === 'error' || e.level === 'warn') && e.fields?.event !== 'HeartbeatSlow'), []);
  assert.is(s.server.stats.active, 0);
  await eventually(`the fds of the server and its connections are closed (${fdsBefore} before, ${fds()} now)`, () => fds() <= fdsBefore);
});

test('a stop whose timeout runs out under load: the unfinished uploads are cut, never answered as if whole', async () => {
  const fdsBefore = fds();
  const handed = new Set<number>();
  // The app echoes slowly: a stop with a short timeout must abort it. Each chunk waits three times the
  // stop's timeout, so an upload finishes within it only if its last chunk's wait was already ending
  // (at 20 ms a chunk, a quiet machine's 64 KiB reads let all 8 finish within 100 ms now and then).
  const app = new ApplicationBuilder().run(async (ctx) => {
    handed.add(Number(ctx.request.headers.get('x-id')));
    for await (const chunk of ctx.request.body) {
      await delay(300);
      const wait = ctx.response.write(chunk);
      if (wait !== undefined) await wait;
    }
    ctx.response.end();
  });
  const s = await serve(app);
  const uploads: Upload[] = [];
  const clients = Array.from({ length: 8 }, (_, i) => uploader(s.port, i * 100_000, uploads));
  await eventually('uploads under way', () => handed.size >= 8, 10_000);
  await s.stop(100);
  await Promise.all(clients);
  const cut = uploads.filter((u) => !u.complete);
  assert.ok(cut.length > 0, 'every upload finished within 100 ms: the test proved nothing');
  for (const u of uploads) if (u.complete) assert.is(u.echoedSha, u.sha, `upload ${u.id}`);
  assert.equal(errorMessages(s.logger), []);
  assert.ok(s.logger.entries.some((e) => e.level === 'warn' && e.message.startsWith('Shutdown timeout')));
  assert.is(s.server.stats.active, 0);
  await eventually(`the fds are closed (${fdsBefore} before, ${fds()} now)`, () => fds() <= fdsBefore);
});

test.run();
