import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { createServer, connect, type Socket } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionClosedError, ConnectionContext, FeatureCollection, FeatureKey, type ConnectionClosedListener } from '../../connection/index.js';

/** A connected TCP pair: the server's socket (the context's transport) and the client's. */
async function socketPair(): Promise<{ server: Socket; client: Socket; close: () => void }> {
  const listener = createServer();
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const port = (listener.address() as { port: number }).port;
  const accepted = once(listener, 'connection');
  const client = connect(port, '127.0.0.1');
  const [server] = (await accepted) as [Socket];
  return { server, client, close: () => listener.close() };
}

function contextOf(server: Socket): ConnectionContext {
  const endpoint = { kind: 'tcp', host: '127.0.0.1', port: 0 } as const;
  return new ConnectionContext({ transport: server, localEndpoint: endpoint, remoteEndpoint: endpoint });
}

test('onClosed: one listener, a listener object, and several are each called once with the reason when the transport closes', async () => {
  for (const n of [1, 2, 6]) {
    const pair = await socketPair();
    try {
      const ctx = contextOf(pair.server);
      const calls: [number, Error][] = [];
      for (let i = 0; i < n; i++) {
        const listener: ConnectionClosedListener =
          i % 2 === 0 ? (reason) => calls.push([i, reason]) : { handleConnectionClosed: (reason) => calls.push([i, reason]) };
        ctx.onClosed(listener);
      }
      pair.client.end();
      pair.server.end();
      await once(pair.server, 'close');
      assert.equal(calls.map(([i]) => i), Array.from({ length: n }, (_, i) => i), `${n} listener(s), in order`);
      for (const [, reason] of calls) assert.instance(reason, ConnectionClosedError);
      assert.is(ctx.closeKind, 'end');
    } finally {
      pair.close();
    }
  }
});

test("a graceful close's reason is a ConnectionClosedError without stack frames (no fault to trace), and Error.stackTraceLimit is left as it was", async () => {
  const pair = await socketPair();
  try {
    const ctx = contextOf(pair.server);
    const limit = Error.stackTraceLimit;
    pair.client.end();
    pair.server.end();
    await once(pair.server, 'close');
    const reason = ctx.closed.reason as ConnectionClosedError;
    assert.instance(reason, ConnectionClosedError);
    assert.is(reason.code, 'ERR_TIERCEL_CONNECTION_CLOSED');
    assert.is(reason.stack, 'ConnectionClosedError: The connection was closed');
    assert.is(Error.stackTraceLimit, limit);
    assert.ok(new Error('after').stack!.includes('\n    at '), 'later errors still have their frames');
  } finally {
    pair.close();
  }
});

test('onClosed after the end calls the listener (a function or an object) at once', async () => {
  const pair = await socketPair();
  try {
    const ctx = contextOf(pair.server);
    pair.server.destroy();
    await once(pair.server, 'close');
    const reasons: Error[] = [];
    ctx.onClosed((reason) => reasons.push(reason));
    ctx.onClosed({ handleConnectionClosed: (reason) => reasons.push(reason) });
    assert.is(reasons.length, 2);
    assert.is(reasons[0], reasons[1]);
  } finally {
    pair.client.destroy();
    pair.close();
  }
});


test('watchTransport: the watcher hears the errors and close of the current transport, through the one listener per event the context keeps', async () => {
  const pair = await socketPair();
  try {
    const ctx = contextOf(pair.server);
    const heard: string[] = [];
    ctx.watchTransport({ handleTransportError: (err) => heard.push(`error ${(err as NodeJS.ErrnoException).code}`), handleTransportClose: () => heard.push('close') });
    assert.is(pair.server.listenerCount('error'), 1);
    assert.is(pair.server.listenerCount('close'), 1);
    const ended = new Promise<void>((resolve) => ctx.onClosed(() => resolve()));
    pair.client.resetAndDestroy();
    // The context ends from the 'close' listener that tells the watcher.
    await ended;
    assert.equal(heard, ['error ECONNRESET', 'close']);
    assert.is(ctx.closeKind, 'abort', 'a transport that failed aborts the connection');
  } finally {
    pair.close();
  }
});

test("yieldTransportErrors: a new owner's own 'error' listener is left alone on the transport, the failure still ends the context as an abort", async () => {
  const pair = await socketPair();
  try {
    const ctx = contextOf(pair.server);
    // Alone, the context's listener stays: an error would otherwise crash the process.
    ctx.yieldTransportErrors();
    assert.is(pair.server.listenerCount('error'), 1);
    const errors: string[] = [];
    const owners = (err: Error): void => void errors.push((err as NodeJS.ErrnoException).code ?? err.message);
    pair.server.on('error', owners);
    ctx.yieldTransportErrors();
    assert.equal(pair.server.listeners('error'), [owners]);
    const ended = new Promise<void>((resolve) => ctx.onClosed(() => resolve()));
    pair.client.resetAndDestroy();
    await ended;
    assert.equal(errors, ['ECONNRESET']);
    assert.is(ctx.closeKind, 'abort', 'the failure is read at the close');
  } finally {
    pair.close();
  }
});

test('a replaced transport is watched too: its close reaches the watcher, and only the original closing ends the context', async () => {
  const pair = await socketPair();
  try {
    const ctx = contextOf(pair.server);
    const replacement = new PassThrough();
    ctx.transport = replacement;
    assert.is(ctx.acceptedTransport, pair.server);
    const heard: string[] = [];
    ctx.watchTransport({ handleTransportError: (err) => heard.push(`error ${err.message}`), handleTransportClose: () => heard.push('close') });
    // The context's 'error' listener keeps the replacement's failure from crashing the process.
    const replacementClosed = new Promise((resolve) => replacement.once('close', resolve));
    replacement.destroy(new Error('decryption failed'));
    await replacementClosed;
    assert.equal(heard, ['error decryption failed', 'close']);
    assert.not.ok(ctx.isClosed, 'the accepted transport is still open');
    pair.server.destroy();
    await once(pair.server, 'close');
    assert.ok(ctx.isClosed);
    assert.equal(heard, ['error decryption failed', 'close'], 'the accepted transport closing is not the watched one');
  } finally {
    pair.client.destroy();
    pair.close();
  }
});

test('the context is its own feature collection: its own features before shared defaults, and a default made per connection at the first ask', async () => {
  const pair = await socketPair();
  try {
    const Name = new FeatureKey<{ name: string }>('name');
    const Made = new FeatureKey<{ socket: unknown }>('made');
    const Own = new FeatureKey<number>('own');
    const defaults = new FeatureCollection();
    defaults.set(Name, { name: 'shared' });
    let made = 0;
    defaults.provide(Made, (owner) => {
      made++;
      return { socket: (owner as ConnectionContext).acceptedTransport };
    });
    const endpoint = { kind: 'tcp', host: '127.0.0.1', port: 0 } as const;
    const a = new ConnectionContext({ transport: pair.server, localEndpoint: endpoint, remoteEndpoint: endpoint, defaultFeatures: defaults });
    const b = new ConnectionContext({ transport: pair.client, localEndpoint: endpoint, remoteEndpoint: endpoint, defaultFeatures: defaults });
    assert.is(a.features, a);
    assert.is(a.features.get(Name), b.features.get(Name), 'shared');
    assert.is(made, 0, 'nothing made before the ask');
    assert.is(a.features.get(Made)?.socket, pair.server);
    assert.is(a.features.get(Made), a.features.get(Made), 'made once per connection');
    assert.is(b.features.get(Made)?.socket, pair.client);
    assert.is(made, 2);
    a.features.set(Own, 1);
    a.features.set(Name, undefined);
    assert.is(a.features.get(Name), undefined, 'removed here: the default is hidden');
    assert.not.ok(a.features.has(Name));
    assert.is(b.features.get(Name)?.name, 'shared', 'the other connection keeps it');
    assert.equal([...a.features].map(([key]) => key.name), ['made', 'own']);
    assert.equal([...b.features].map(([key]) => key.name), ['made', 'name']);
  } finally {
    pair.client.destroy();
    pair.server.destroy();
    pair.close();
  }
});

test.run();
