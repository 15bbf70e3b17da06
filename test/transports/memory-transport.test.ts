import 'reflect-metadata';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { container } from 'tsyringe';
import { Client } from 'undici';
import { TransportFeature, type ConnectionContext, type ConnectionListener, type MemoryEndpoint } from '../../connection/index.js';
import { MEMORY_TRANSPORT_OPTIONS, MemoryTransport, type MemoryDuplex, type MemoryListener } from '../../transports/index.js';
import { readAll } from '../support/streams.js';
import { transportConformance } from './transport-conformance.js';
import { rejectionCode, throwCode } from './error-codes.js';

transportConformance('memory', () => {
  const transport = new MemoryTransport();
  return {
    transport,
    endpoint: { kind: 'memory', name: 'app' },
    connect: async (bound) => transport.connect(bound as MemoryEndpoint),
    fdsPerConnection: 0,
    socketBacked: false,
  };
});

const test = suite('memory transport');
let transport = new MemoryTransport();
const listeners: ConnectionListener[] = [];

test.before.each(() => {
  transport = new MemoryTransport();
});

test.after.each(async () => {
  for (const listener of listeners.splice(0)) await listener.dispose();
});

async function bind(name = 'app', on = transport, options?: object): Promise<MemoryListener> {
  const listener = await on.bind({ kind: 'memory', name }, options);
  listeners.push(listener);
  return listener;
}

async function accepted(listener: ConnectionListener): Promise<ConnectionContext> {
  const ctx = await listener.accept();
  assert.ok(ctx);
  return ctx;
}

function closed(stream: Duplex): Promise<void> {
  return new Promise((resolve) => (stream.closed ? resolve() : stream.once('close', () => resolve())));
}

test('connecting to a name nobody listens on is ConnectionRefusedError', async () => {
  assert.is(throwCode(() => transport.connect('nobody')), 'ERR_TIERCEL_CONNECTION_REFUSED');
  const listener = await bind('app');
  await listener.unbind();
  assert.is(throwCode(() => transport.connect({ kind: 'memory', name: 'app' })), 'ERR_TIERCEL_CONNECTION_REFUSED');
  // The name is free again after unbind.
  await bind('app');
  transport.connect('app').destroy();
});

test('each transport instance is its own namespace; a name bound twice is AddressInUseError', async () => {
  const other = new MemoryTransport();
  const mine = await bind('app');
  const theirs = await bind('app', other);
  assert.is(await rejectionCode(transport.bind({ kind: 'memory', name: 'app' })), 'ERR_TIERCEL_ADDRESS_IN_USE');
  other.connect('app').end('to theirs');
  const ctx = await accepted(theirs);
  assert.is(ctx.features.get(TransportFeature)?.name, 'memory');
  assert.equal(ctx.localEndpoint, { kind: 'memory', name: 'app' });
  const pending = mine.accept();
  await mine.unbind();
  assert.is(await pending, null, 'the other namespace received the connection');
});

test('a write reaches the peer on a later tick, never inside write(), in order', async () => {
  const listener = await bind();
  const client = transport.connect('app');
  const server = (await accepted(listener)).transport;
  const seen: string[] = [];
  server.on('data', (chunk: Buffer) => seen.push(chunk.toString()));
  client.write('one');
  client.write('two');
  assert.equal(seen, [], 'the peer read a write before write() returned');
  await new Promise((resolve) => setImmediate(resolve));
  assert.is(seen.join(''), 'onetwo');
  // An answer written from inside the peer's 'data' handler arrives later too, not re-entrantly.
  const answers: string[] = [];
  client.on('data', (chunk: Buffer) => answers.push(chunk.toString()));
  server.on('data', () => {
    server.write('ack');
    assert.equal(answers, []);
  });
  client.write('three');
  await new Promise((resolve) => setImmediate(resolve));
  assert.is(answers.join(''), 'ack');
});

test('destroy() with nothing unread is a FIN: the peer reads what was written, then EOF; its writes then fail', async () => {
  const listener = await bind();
  const client = transport.connect('app');
  const server = (await accepted(listener)).transport;
  client.write('last words');
  client.destroy();
  assert.is(await readAll(server), 'last words');
  assert.is(server.errored, null);
  const failure = new Promise<{ code?: string }>((resolve) => server.once('error', resolve));
  server.write('anyone there?');
  assert.is((await failure).code, 'ERR_TIERCEL_CONNECTION_ABORTED');
});

test('corked writes to an end whose peer is gone fail the same way', async () => {
  const listener = await bind();
  const client = transport.connect('app');
  const server = (await accepted(listener)).transport;
  server.destroy();
  await closed(server);
  const failure = new Promise<{ code?: string }>((resolve) => client.once('error', resolve));
  client.cork();
  client.write('one');
  client.write('two');
  client.uncork();
  assert.is((await failure).code, 'ERR_TIERCEL_CONNECTION_ABORTED');
});

test('resetAndDestroy() is a reset: the peer reads what was already written, then errors with ECONNRESET, never EOF', async () => {
  const listener = await bind();
  const client = transport.connect('app');
  const server = (await accepted(listener)).transport;
  const events: string[] = [];
  server.on('data', (chunk: Buffer) => events.push(`data ${chunk}`));
  server.on('end', () => events.push('end'));
  server.on('error', (err: { code?: string }) => events.push(`error ${err.code}`));
  client.write('partial');
  assert.is(client.resetAndDestroy(), client);
  await closed(server);
  assert.equal(events, ['data partial', 'error ECONNRESET']);
  assert.is((server.errored as { code?: string } | null)?.code, 'ECONNRESET');
});

test('destroy() with input unread resets the peer, as the kernel does', async () => {
  const listener = await bind();
  const client = transport.connect('app');
  const server = (await accepted(listener)).transport;
  server.on('error', () => {});
  server.write('the client never reads this');
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(client.readableLength > 0, 'the reply waits unread at the client');
  client.destroy();
  await closed(server);
  assert.is((server.errored as { code?: string } | null)?.code, 'ECONNRESET');
  assert.not.ok(server.readableEnded, 'a reset is not a clean EOF');
});

test('destroy(error) resets the peer: a close because of a failure must not look like a clean end', async () => {
  const listener = await bind();
  const client = transport.connect('app');
  const server = (await accepted(listener)).transport;
  server.on('error', () => {});
  client.on('error', () => {});
  client.destroy(new Error('the request was given up'));
  await closed(server);
  assert.is((server.errored as { code?: string } | null)?.code, 'ECONNRESET');
});

test('a reset reaches a TLS client over the in-memory transport as an error, not a hang', async () => {
  const listener = await bind('tls');
  const client = transport.connect('tls');
  const server = (await accepted(listener)).transport;
  const tlsClient = tls.connect({ socket: client, servername: 'localhost' });
  const failure = new Promise<{ code?: string }>((resolve) => tlsClient.once('error', resolve));
  // The ClientHello arrives and is never answered: the server goes away without a word.
  await new Promise((resolve) => server.once('data', resolve));
  (server as MemoryDuplex).resetAndDestroy();
  assert.is((await failure).code, 'ECONNRESET');
});

test('a FIN reaches a TLS client over the in-memory transport as a refused handshake, not a hang', async () => {
  const listener = await bind('tls');
  const client = transport.connect('tls');
  const server = (await accepted(listener)).transport;
  const tlsClient = tls.connect({ socket: client, servername: 'localhost' });
  const failure = new Promise<{ code?: string; message: string }>((resolve) => tlsClient.once('error', resolve));
  await new Promise((resolve) => server.once('data', resolve));
  server.destroy();
  const err = await failure;
  assert.is(err.code, 'ECONNRESET');
  assert.match(err.message, /before secure TLS connection was established/);
});

test('a clean close still delivers what was sent, then EOF, then close', async () => {
  const listener = await bind();
  const client = transport.connect('app');
  const server = (await accepted(listener)).transport;
  server.end('goodbye');
  await new Promise((resolve) => server.once('finish', resolve));
  server.destroy();
  const chunks: Buffer[] = [];
  for await (const chunk of client) chunks.push(chunk as Buffer);
  assert.is(Buffer.concat(chunks).toString(), 'goodbye');
  await closed(client);
});

test('a write to an end whose peer is gone fails with ConnectionAbortedError', async () => {
  const listener = await bind();
  const client = transport.connect('app');
  const server = (await accepted(listener)).transport;
  server.end();
  await new Promise((resolve) => server.once('finish', resolve));
  server.destroy();
  const failure = new Promise<{ code?: string }>((resolve) => client.once('error', resolve));
  client.write('into the void');
  assert.is((await failure).code, 'ERR_TIERCEL_CONNECTION_ABORTED');
});

test('the buffer options are honoured exactly: write() false past them, drain once the peer reads', async () => {
  const listener = await bind('app', transport, { maxReadBufferSize: 4_096 });
  const client = transport.connect('app', { maxWriteBufferSize: 1_024 });
  const server = (await accepted(listener)).transport;
  assert.is(server.readableHighWaterMark, 4_096);
  assert.is(client.writableHighWaterMark, 1_024);
  let written = 0;
  while (client.write(Buffer.alloc(256))) {
    written += 256;
    assert.ok(written <= 8_192, 'write() never returned false');
  }
  // The server's buffer takes up to its 4 KiB mark, the client's queue the next 1 KiB.
  assert.ok(written >= 4_096 && written < 4_096 + 1_024 + 256, `stopped after ${written} bytes`);
  let drained = false;
  client.once('drain', () => (drained = true));
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.not.ok(drained, "'drain' before the server read anything");
  const drain = new Promise((resolve) => client.once('drain', resolve));
  server.resume();
  await drain;
});

test('the client end has the socket surface an HTTP client uses', async () => {
  await bind();
  const client = transport.connect('app');
  assert.is(client.setTimeout(1_000), client);
  assert.is(client.setNoDelay(true), client);
  assert.is(client.setKeepAlive(true, 1_000), client);
  assert.is(client.ref(), client);
  assert.is(client.unref(), client);
  assert.is(client.remoteAddress, 'app');
  client.cork();
  client.uncork();
  client.destroySoon();
  await closed(client);
});

test('undici speaks HTTP/1.1 over it', async () => {
  const listener = await bind('web');
  void (async () => {
    for (let ctx = await listener.accept(); ctx; ctx = await listener.accept()) {
      const { transport: stream } = ctx;
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        head += chunk.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        const path = head.split(' ')[1];
        const body = `you asked for ${path}`;
        stream.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
        stream.end();
      });
    }
  })();
  const client = new Client('http://web', {
    // undici needs its connector to call back asynchronously (a synchronous call stalls its queue).
    connect: (_options, callback) =>
      queueMicrotask(() => {
        try {
          callback(null, transport.connect('web') as never);
        } catch (err) {
          callback(err as Error, null);
        }
      }),
  });
  try {
    const response = await client.request({ path: '/hello', method: 'GET' });
    assert.is(response.statusCode, 200);
    assert.is(await response.body.text(), 'you asked for /hello');
  } finally {
    await client.close();
  }
});

test('resolves from a DI container, with registered options applied', async () => {
  const child = container.createChildContainer();
  child.register(MEMORY_TRANSPORT_OPTIONS, { useValue: { maxWriteBufferSize: 2_048 } });
  const resolved = child.resolve(MemoryTransport);
  assert.is(resolved.name, 'memory');
  await bind('di', resolved);
  assert.is(resolved.connect('di').writableHighWaterMark, 2_048);
  assert.is(container.createChildContainer().resolve(MemoryTransport).name, 'memory');
});

test.run();
