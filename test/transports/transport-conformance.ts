// One conformance suite for every transport: each transport's test file calls
// `transportConformance` with a factory, and the same cases run over real sockets and in memory.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import type { Duplex } from 'node:stream';
import {
  SocketFeature,
  TransportFeature,
  type ConnectionContext,
  type ConnectionListener,
  type Endpoint,
  type Transport,
  type TransportOptions,
} from '../../connection/index.js';

/** What a transport's test file gives the suite; the factory makes a fresh one for each case. */
export interface ConformanceSubject {
  readonly transport: Transport;
  /** What to bind (unique per case: a fresh path, name or port 0). */
  readonly endpoint: Endpoint;
  readonly bindOptions?: TransportOptions;
  /** Opens a client to the bound endpoint; resolves once connected, rejects when refused. */
  connect(bound: Endpoint): Promise<Duplex>;
  /** File descriptors one connection costs this process (client and server end), for the fd limit. */
  readonly fdsPerConnection: number;
  /** Whether accepted connections carry a `SocketFeature`. */
  readonly socketBacked: boolean;
  /** Removes what the case left behind (a temp directory). */
  cleanup?(): Promise<void>;
}

export type SubjectFactory = () => ConformanceSubject | Promise<ConformanceSubject>;

const MB = 1024 * 1024;
const CHUNK = 64 * 1024;
/** The most either side may hold in its stream buffers while 10 MB crosses: a few MB, not 10. */
const BUFFER_BOUND = 4 * MB;
const CASE_DEADLINE_MS = 30_000;

interface Bound {
  readonly subject: ConformanceSubject;
  readonly listener: ConnectionListener;
  /** `subject.connect`, with the client closed when the case ends. */
  connect(): Promise<Duplex>;
}

export function transportConformance(name: string, factory: SubjectFactory): void {
  const test = suite(`${name} transport conformance`);
  const run = (title: string, body: (bound: Bound) => Promise<void>) => test(title, () => withBound(factory, title, body));

  run('accepts a connection and echoes it, with the features and endpoints filled', async ({ subject, listener, connect }) => {
    assert.is(listener.endpoint.kind, subject.endpoint.kind);
    const server = echoServer(listener);
    const client = await connect();
    client.end('hello, tiercel');
    assert.is((await readAll(client)).toString(), 'hello, tiercel');
    const [ctx] = server.accepted;
    assert.is(server.accepted.length, 1);
    assert.is(ctx.features.get(TransportFeature)?.name, subject.transport.name);
    assert.is(ctx.features.has(SocketFeature), subject.socketBacked);
    assert.is(ctx.localEndpoint.kind, subject.endpoint.kind);
    assert.is(ctx.remoteEndpoint.kind, subject.endpoint.kind);
    assert.ok(ctx.id.length > 0);
  });

  run('acceptEach hands over the connections that waited, then each as it comes, then null once unbound', async ({ listener, connect }) => {
    // Every transport of tiercel's own has it (a custom one may have accept alone).
    assert.type(listener.acceptEach, 'function');
    const first = await connect();
    const second = await connect();
    const seen: (ConnectionContext | null)[] = [];
    let arrived: () => void = () => {};
    const more = new Promise<void>((resolve) => (arrived = resolve));
    listener.acceptEach!((ctx) => {
      seen.push(ctx);
      if (seen.length === 3) arrived();
    });
    // The two that connected before a consumer was there come at once (memory), or as the
    // server side learns of them (sockets); the third only after it connects.
    const third = await connect();
    await more;
    assert.ok(seen.every((c) => c !== null));
    // Each is a live connection to one of the clients.
    first.write('a');
    second.write('b');
    third.write('c');
    const got = await Promise.all(seen.map((ctx) => readSome(ctx!.transport)));
    assert.equal(got.map((b) => b.toString()).sort(), ['a', 'b', 'c']);
    await listener.unbind();
    assert.is(seen.length, 4);
    assert.is(seen[3], null);
    for (const ctx of seen) ctx?.abort();
    second.destroy();
  });

  run('moves 10 MB each way with backpressure and bounded buffers', async ({ listener, connect }) => {
    const client = await connect();
    const ctx = await mustAccept(listener);
    const up = randomBytes(10 * MB);
    const down = randomBytes(10 * MB);
    // Nobody reads yet: each writer must be told to stop (write() false) long before 10 MB.
    const upload = writeAll(client, up);
    const download = writeAll(ctx.transport, down);
    await Promise.all([upload.blocked, download.blocked]);
    assert.ok(upload.sawFalse, 'the client never saw write() return false: no backpressure towards the server');
    assert.ok(download.sawFalse, 'the server never saw write() return false: no backpressure towards the client');
    const heldWhilePaused = Math.max(ctx.transport.readableLength, client.readableLength);
    const [atServer, atClient] = await Promise.all([digest(ctx.transport), digest(client), upload.done, download.done]);
    assert.is(atServer.bytes, up.length);
    assert.is(atClient.bytes, down.length);
    assert.is(atServer.sha256, sha256(up));
    assert.is(atClient.sha256, sha256(down));
    for (const [what, bytes] of [
      ['client writable', upload.maxWritable],
      ['server writable', download.maxWritable],
      ['readable while paused', heldWhilePaused],
      ['server readable', atServer.maxReadable],
      ['client readable', atClient.maxReadable],
    ] as const) {
      assert.ok(bytes <= BUFFER_BOUND, `${what} buffered ${bytes} bytes (bound ${BUFFER_BOUND})`);
    }
  });

  run('half-close from the client: the server reads EOF and still answers', async ({ listener, connect }) => {
    const client = await connect();
    const ctx = await mustAccept(listener);
    client.end('ping');
    assert.is((await readAll(ctx.transport)).toString(), 'ping');
    ctx.transport.end('pong');
    assert.is((await readAll(client)).toString(), 'pong');
  });

  run('half-close from the server: the client reads EOF and still answers', async ({ listener, connect }) => {
    const client = await connect();
    const ctx = await mustAccept(listener);
    ctx.transport.end('ping');
    assert.is((await readAll(client)).toString(), 'ping');
    client.end('pong');
    assert.is((await readAll(ctx.transport)).toString(), 'pong');
  });

  run('ctx.abort() resets the connection: the client sees ECONNRESET, never a clean EOF', async ({ listener, connect }) => {
    const client = await connect();
    const ctx = await mustAccept(listener);
    // Bytes the server never reads: a unix socket has no explicit reset, and its close with unread
    // input is one (as a TCP socket's would be even without resetAndDestroy).
    client.write('some bytes the server never reads');
    const seen = peerView(client);
    client.resume();
    ctx.abort();
    const view = await within(5_000, seen, 'the client to see close');
    assert.equal(view, { ended: false, error: 'ECONNRESET' });
    assert.ok(ctx.closed.aborted);
    assert.is(ctx.closeKind, 'abort');
    assert.is((ctx.closed.reason as { code?: string }).code, 'ERR_TIERCEL_CONNECTION_ABORTED');
  });

  run('a client that aborts with data unread fires ctx.closed as an abort (and never crashes the process)', async ({ listener, connect }) => {
    const client = await connect();
    const ctx = await mustAccept(listener);
    // Fill the client's buffers so its close is an abort (a reset), not a graceful FIN.
    const download = writeAll(ctx.transport, randomBytes(8 * MB));
    await download.blocked;
    assert.ok(download.sawFalse);
    const closed = new Promise<void>((resolve) => ctx.closed.addEventListener('abort', () => resolve(), { once: true }));
    client.destroy();
    await within(5_000, closed, 'ctx.closed to fire');
    assert.ok(ctx.transport.destroyed);
    assert.is(ctx.closeKind, 'abort');
    const cause = (ctx.closed.reason as { cause?: { code?: string } }).cause;
    assert.ok(cause?.code === 'ECONNRESET' || cause?.code === 'EPIPE', `the transport's error is the reset (got ${cause?.code})`);
  });

  run('a graceful close: each side reads everything, then EOF; no error anywhere; ctx.closeKind is "end"', async ({ listener, connect }) => {
    const client = await connect();
    const ctx = await mustAccept(listener);
    const seen = peerView(client);
    client.end('request');
    assert.is((await readAll(ctx.transport)).toString(), 'request');
    ctx.transport.write('response');
    ctx.close();
    const chunks: Buffer[] = [];
    client.on('data', (chunk: Buffer) => chunks.push(chunk));
    assert.equal(await within(5_000, seen, 'the client to close'), { ended: true, error: null });
    assert.is(Buffer.concat(chunks).toString(), 'response');
    await within(5_000, closedSignal(ctx), 'ctx.closed to fire');
    assert.is(ctx.closeKind, 'end');
    assert.is((ctx.closed.reason as { code?: string }).code, 'ERR_TIERCEL_CONNECTION_CLOSED');
  });

  run('close() after the peer ended keeps its deadline while output waits on the peer: a peer that stops reading is cut off as an abort', async ({ listener, connect }) => {
    const client = await connect();
    const ctx = await mustAccept(listener);
    client.on('error', () => {});
    // The peer sends its request and its FIN, then never reads.
    client.pause();
    client.end('request');
    assert.is((await readAll(ctx.transport)).toString(), 'request');
    const chunk = Buffer.alloc(1 << 20);
    for (let i = 0; i < 64 && ctx.transport.write(chunk); i++);
    assert.ok(ctx.transport.writableLength > 0, 'the output waits on the peer');
    const started = Date.now();
    ctx.close(100);
    await within(5_000, closedSignal(ctx), 'ctx.closed to fire');
    assert.is(ctx.closeKind, 'abort');
    assert.match((ctx.closed.reason as Error).message, 'did not close in time');
    assert.ok(Date.now() - started >= 90, 'not before the deadline');
    assert.ok(ctx.transport.destroyed);
    client.destroy();
  });

  run('destroy() with nothing unread is a FIN: the server reads what was sent, then EOF, and closes gracefully', async ({ listener, connect }) => {
    const client = await connect();
    const ctx = await mustAccept(listener);
    client.write('last words');
    // Let the bytes leave before the close, as an application's earlier write would have.
    await new Promise((resolve) => setTimeout(resolve, 20));
    client.destroy();
    assert.is((await readAll(ctx.transport)).toString(), 'last words');
    assert.is(ctx.transport.errored, null);
    ctx.close();
    await within(5_000, closedSignal(ctx), 'ctx.closed to fire');
    assert.is(ctx.closeKind, 'end');
  });

  run('unbind resolves a pending accept() with null, then every later one', async ({ subject, listener, connect }) => {
    const early = await connect();
    const kept = await mustAccept(listener);
    const pending = listener.accept();
    await listener.unbind();
    assert.is(await within(2_000, pending, 'the pending accept to settle'), null);
    assert.is(await listener.accept(), null);
    assert.is(await listener.accept(), null);
    // New clients are refused; the connection accepted before unbind lives on.
    await subject.connect(listener.endpoint).then(
      (late) => {
        late.destroy();
        assert.unreachable('a client connected after unbind');
      },
      (err: { code?: unknown }) => assert.type(err.code, 'string'),
    );
    kept.transport.pipe(kept.transport);
    early.end('still here');
    assert.is((await readAll(early)).toString(), 'still here');
  });

  run('a connection that dies before accept() does not end the accept loop', async ({ listener, connect }) => {
    const dead = await connect();
    dead.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const live = await connect();
    const server = echoServer(listener);
    live.end('alive');
    assert.is((await readAll(live)).toString(), 'alive');
    // The dead one is skipped or handed over already ended; either way the loop went on.
    assert.ok(server.accepted.length >= 1 && server.accepted.length <= 2);
  });

  run('accepts 1,000 concurrent connections, each echoing its own bytes', async ({ subject, listener, connect }) => {
    const count = concurrentConnections(subject.fdsPerConnection);
    const server = echoServer(listener);
    const clients = await Promise.all(Array.from({ length: count }, () => connect()));
    const replies = await Promise.all(
      clients.map((client, i) => {
        client.end(`client ${i}`);
        return readAll(client).then(String);
      }),
    );
    replies.forEach((reply, i) => assert.is(reply, `client ${i}`));
    assert.is(server.accepted.length, count);
  });

  test.run();
}

/** Binds a fresh subject, runs the case under a deadline, and releases everything after it. */
async function withBound(factory: SubjectFactory, title: string, body: (bound: Bound) => Promise<void>): Promise<void> {
  const subject = await factory();
  const clients = new Set<Duplex>();
  let listener: ConnectionListener | undefined;
  try {
    listener = await subject.transport.bind(subject.endpoint, subject.bindOptions);
    const bound = listener;
    const connect = async (): Promise<Duplex> => {
      const client = await subject.connect(bound.endpoint);
      // A reset shows as 'close' before EOF to the cases; as an unhandled 'error' it would end the run.
      client.on('error', () => {});
      clients.add(client);
      return client;
    };
    await within(CASE_DEADLINE_MS, body({ subject, listener, connect }), title);
  } finally {
    for (const client of clients) client.destroy();
    await listener?.dispose();
    await subject.cleanup?.();
  }
}

interface EchoServer {
  readonly accepted: ConnectionContext[];
}

/** Accepts until unbound and echoes every connection (ending its output when its input ends). */
function echoServer(listener: ConnectionListener): EchoServer {
  const accepted: ConnectionContext[] = [];
  void (async () => {
    for (let ctx = await listener.accept(); ctx !== null; ctx = await listener.accept()) {
      accepted.push(ctx);
      ctx.transport.pipe(ctx.transport);
    }
  })();
  return { accepted };
}

async function mustAccept(listener: ConnectionListener): Promise<ConnectionContext> {
  const ctx = await within(5_000, listener.accept(), 'accept()');
  assert.ok(ctx, 'accept() returned null while bound');
  return ctx;
}

interface Writing {
  /** Settles at the first `write()` that returns false, or when everything is written. */
  readonly blocked: Promise<void>;
  readonly done: Promise<void>;
  readonly sawFalse: boolean;
  readonly maxWritable: number;
}

/** Writes `data` in 64 KiB chunks as a well-behaved producer: after a false, it waits for 'drain'. */
function writeAll(stream: Duplex, data: Buffer): Writing {
  const state = { sawFalse: false, maxWritable: 0 };
  let unblock!: () => void;
  const blocked = new Promise<void>((resolve) => (unblock = resolve));
  const done = (async () => {
    for (let offset = 0; offset < data.length; offset += CHUNK) {
      const more = stream.write(data.subarray(offset, offset + CHUNK));
      state.maxWritable = Math.max(state.maxWritable, stream.writableLength);
      if (!more) {
        state.sawFalse = true;
        unblock();
        await new Promise<void>((resolve, reject) => {
          const onClose = () => reject(new Error('the stream closed while the writer waited for drain'));
          stream.once('close', onClose);
          stream.once('drain', () => {
            stream.off('close', onClose);
            resolve();
          });
        });
      }
    }
    stream.end();
    unblock();
  })();
  // A case that fails early leaves the writer waiting; its rejection is not news then.
  done.catch(() => {});
  return {
    blocked,
    done,
    get sawFalse() {
      return state.sawFalse;
    },
    get maxWritable() {
      return state.maxWritable;
    },
  };
}

/** Reads to EOF, hashing as it goes (10 MB is not kept) and noting the most ever buffered. */
function digest(stream: Duplex): Promise<{ bytes: number; sha256: string; maxReadable: number }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    let maxReadable = 0;
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      hash.update(chunk);
      maxReadable = Math.max(maxReadable, stream.readableLength);
    });
    stream.once('end', () => resolve({ bytes, sha256: hash.digest('hex'), maxReadable }));
    stream.once('close', () => reject(new Error(`closed before EOF after ${bytes} bytes`)));
  });
}

/** The first chunk `stream` reads. */
function readSome(stream: Duplex): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    stream.once('data', (chunk: Buffer) => {
      stream.pause();
      resolve(chunk);
    });
    stream.once('error', reject);
  });
}

function readAll(stream: Duplex): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('close', () => reject(new Error('closed before EOF')));
  });
}

/** How `stream` closed: whether it read EOF first, and the code of the error it saw (null if none). */
function peerView(stream: Duplex): Promise<{ ended: boolean; error: string | null }> {
  return new Promise((resolve) => {
    let ended = false;
    let error: string | null = null;
    stream.once('end', () => (ended = true));
    stream.on('error', (err: { code?: string }) => (error ??= err.code ?? 'no code'));
    stream.once('close', () => resolve({ ended, error }));
  });
}

function closedSignal(ctx: ConnectionContext): Promise<void> {
  return new Promise((resolve) => ctx.onClosed(() => resolve()));
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * 1,000, unless the open-file limit cannot hold that many sockets (with room for the rest of the
 * process), in which case the case runs with fewer and says so.
 */
function concurrentConnections(fdsPerConnection: number): number {
  const wanted = 1_000;
  if (fdsPerConnection === 0) return wanted;
  const limit = openFileLimit();
  const fits = Math.floor((limit - 256) / fdsPerConnection);
  if (fits >= wanted) return wanted;
  console.warn(`\n!!! open-file limit ${limit}: the concurrency case runs ${fits} connections instead of ${wanted}\n`);
  return Math.max(fits, 1);
}

function openFileLimit(): number {
  try {
    const text = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
    return text === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(text);
  } catch {
    return 1_024;
  }
}
