import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionClosedError, ConnectionContext, type ConnectionClosedListener } from '../../connection/index.js';

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

test.run();
