import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { injectable, inject } from 'tsyringe';
import {
  ConnectionContext,
  LifetimeFeature,
  completingDelegate,
  type ConnectionCompletion,
  type ConnectionListener,
  type Endpoint,
  type TcpEndpoint,
  type Logger,
  type Transport,
} from '../../connection/index.js';
import { LOGGER } from '../../di/index.js';
import { Server } from '../../hosting/index.js';
import { MemoryTransport } from '../../transports/index.js';
import { readAll, readUntil, delay, closed } from '../support/streams.js';
import { MemoryLogger } from '../pipeline/support.js';

test('connection middleware runs in order around the terminal', async () => {
  const server = new Server({ logLevel: 'silent' });
  const order: string[] = [];
  server.listen('http://memory:mw', (ep) =>
    ep
      .use(async (ctx, next) => {
        order.push('a-in');
        ctx.items.set('who', 'a');
        await next();
        order.push('a-out');
      })
      .use(async (_ctx, next) => {
        order.push('b-in');
        await next();
        order.push('b-out');
      })
      .run(async (ctx) => {
        order.push(`terminal:${String(ctx.items.get('who'))}`);
        ctx.transport.end('done');
      }),
  );
  await server.start();
  try {
    const client = server.getTransport(MemoryTransport).connect('mw');
    assert.is(await readAll(client), 'done');
    await delay(10);
    assert.equal(order, ['a-in', 'b-in', 'terminal:a', 'b-out', 'a-out']);
  } finally {
    await server.stop(500);
  }
});

test('a middleware that calls next() twice fails with ERR_TIERCEL_NEXT_CALLED_TWICE and the connection closes', async () => {
  const server = new Server({ logLevel: 'silent' });
  let caught: unknown;
  let terminalRuns = 0;
  server.listen('http://memory:twice', (ep) =>
    ep
      .use(async (_ctx, next) => {
        await next();
        try {
          await next();
        } catch (err) {
          caught = err;
          throw err;
        }
      })
      .run(async () => {
        terminalRuns++;
      }),
  );
  await server.start();
  try {
    const client = server.getTransport(MemoryTransport).connect('twice');
    await readAll(client);
    assert.is((caught as { code?: string }).code, 'ERR_TIERCEL_NEXT_CALLED_TWICE');
    assert.is(terminalRuns, 1);
  } finally {
    await server.stop(500);
  }
});

test('a middleware may end the connection by not calling next()', async () => {
  const server = new Server({ logLevel: 'silent' });
  let reached = false;
  server.listen('http://memory:gate', (ep) =>
    ep.use(async (ctx) => void ctx.transport.end('denied\n')).run(async () => {
      reached = true;
    }),
  );
  await server.start();
  try {
    assert.is(await readAll(server.getTransport(MemoryTransport).connect('gate')), 'denied\n');
    assert.is(reached, false);
  } finally {
    await server.stop(500);
  }
});

// A user's transport: serves `loop:<name>` endpoints by delegating to an in-memory transport, and
// takes the server's logger through DI to prove it is resolved with its own dependencies.
@injectable()
class LoopTransport implements Transport {
  readonly name = 'loop';
  readonly inner = new MemoryTransport();
  static instances = 0;
  constructor(@inject(LOGGER) readonly log: Logger) {
    LoopTransport.instances++;
  }
  canBind(endpoint: Endpoint): boolean {
    return endpoint.kind === 'loop';
  }
  async bind(endpoint: Endpoint): Promise<ConnectionListener> {
    const inner = await this.inner.bind({ kind: 'memory', name: String((endpoint as { name?: unknown }).name) });
    return {
      endpoint,
      accept: () => inner.accept(),
      unbind: () => inner.unbind(),
      dispose: () => inner.dispose(),
    };
  }
}

test('a custom transport registered through DI is resolved with its dependencies and binds its endpoints', async () => {
  const server = new Server({ logLevel: 'silent' });
  server.addTransport(LoopTransport);
  server.listen({ kind: 'loop', name: 'x' }, (ep) =>
    ep.run(async (ctx) => {
      ctx.transport.end(`hi ${ctx.id.length > 0 ? 'there' : ''}`);
    }),
  );
  await server.start();
  try {
    const transport = server.getTransport(LoopTransport);
    assert.ok(transport.log, 'the logger was injected');
    assert.is(transport, server.getTransport(LoopTransport), 'one instance per server');
    assert.is(await readAll(transport.inner.connect('x')), 'hi there');
  } finally {
    await server.stop(500);
  }
});

test('the last registered transport that can bind an endpoint wins over the built-ins', async () => {
  @injectable()
  class ShadowMemory extends MemoryTransport {
    readonly label = 'shadow';
  }
  const server = new Server({ logLevel: 'silent' });
  server.addTransport(ShadowMemory);
  server.listen('http://memory:shadowed', (ep) => ep.run(async (ctx) => void ctx.transport.end('ok')));
  await server.start();
  try {
    assert.throws(() => server.getTransport(MemoryTransport).connect('shadowed'), (e: { code?: string }) => e.code === 'ERR_TIERCEL_CONNECTION_REFUSED');
    assert.is(await readAll(server.getTransport(ShadowMemory).connect('shadowed')), 'ok');
  } finally {
    await server.stop(500);
  }
});

test('an endpoint no transport can bind fails start() with NoTransportForEndpointError', async () => {
  const server = new Server({ logLevel: 'silent' });
  server.listen({ kind: 'quic', port: 1 }, (ep) => ep.run(async () => {}));
  try {
    await server.start();
    assert.unreachable('start should fail');
  } catch (err) {
    assert.is((err as { code?: string }).code, 'ERR_TIERCEL_NO_TRANSPORT');
    assert.ok((err as Error).message.includes('tcp, pipe, memory'));
  }
});

test('start() fails with the real cause and unbinds what it had bound', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as net.AddressInfo).port;
  const server = new Server({ logLevel: 'silent' });
  server.listen('http://memory:first', (ep) => ep.run(async () => {}));
  server.listen(`http://127.0.0.1:${port}`, (ep) => ep.run(async () => {}));
  try {
    await server.start();
    assert.unreachable('start should fail');
  } catch (err) {
    assert.is((err as { code?: string }).code, 'ERR_TIERCEL_ADDRESS_IN_USE');
  } finally {
    blocker.close();
  }
  // The memory endpoint bound first was released again.
  assert.throws(() => server.getTransport(MemoryTransport).connect('first'), (e: { code?: string }) => e.code === 'ERR_TIERCEL_CONNECTION_REFUSED');
});

test('an endpoint without a protocol is a configuration error at start()', async () => {
  const server = new Server({ logLevel: 'silent' });
  server.listen('http://memory:bare');
  try {
    await server.start();
    assert.unreachable('start should fail');
  } catch (err) {
    assert.is((err as { code?: string }).code, 'ERR_TIERCEL_SERVER_STATE');
  }
});

test('bad options are refused when the server is created', () => {
  assert.throws(() => new Server({ maxConcurrentConnections: 0 }), (e: { code?: string }) => e.code === 'ERR_TIERCEL_INVALID_OPTION');
  assert.throws(() => new Server({ shutdownTimeoutMs: -1 }), (e: { code?: string }) => e.code === 'ERR_TIERCEL_INVALID_OPTION');
  assert.throws(() => new Server({ transport: { maxReadBufferSize: 0 } }), (e: { code?: string }) => e.code === 'ERR_TIERCEL_INVALID_OPTION');
});

test('maxConcurrentConnections: a connection over the limit is closed at once and counted as rejected', async () => {
  const server = new Server({ logLevel: 'silent', maxConcurrentConnections: 2 });
  const release: (() => void)[] = [];
  server.listen('http://memory:max', (ep) =>
    ep.run(async (ctx) => {
      ctx.transport.write('welcome\n');
      await new Promise<void>((r) => release.push(r));
    }),
  );
  await server.start();
  try {
    const memory = server.getTransport(MemoryTransport);
    const a = memory.connect('max');
    const b = memory.connect('max');
    await readUntil(a, (t) => t.includes('welcome'));
    await readUntil(b, (t) => t.includes('welcome'));
    const c = memory.connect('max');
    assert.is(await readAll(c), '', 'the third connection is closed without a word');
    assert.is(server.stats.rejected, 1);
    assert.is(server.stats.active, 2);
    release.splice(0).forEach((r) => r());
    await Promise.all([readAll(a), readAll(b)]);
    a.end();
    b.end();
    for (let i = 0; i < 50 && server.stats.active > 0; i++) await delay(10);
    assert.is(server.stats.active, 0);
    const d = memory.connect('max');
    assert.ok((await readUntil(d, (t) => t.includes('welcome'))).includes('welcome'), 'a slot freed up');
    release.splice(0).forEach((r) => r());
  } finally {
    await server.stop(500);
  }
});

test('stop() asks connections to close, waits for them, and aborts those that outlive the timeout', async () => {
  const server = new Server({ logLevel: 'silent' });
  let polite: ConnectionContext | undefined;
  server.listen('http://memory:polite', (ep) =>
    ep.run(async (ctx) => {
      polite = ctx;
      const lifetime = ctx.features.get(LifetimeFeature)!;
      await new Promise<void>((r) => lifetime.closeRequested.addEventListener('abort', () => r()));
      await delay(50); // finishes its work in flight, then ends
      ctx.transport.end('finished\n');
    }),
  );
  server.listen('http://memory:stubborn', (ep) =>
    ep.run(async (ctx) => {
      await new Promise<void>((r) => ctx.closed.addEventListener('abort', () => r()));
    }),
  );
  await server.start();
  const memory = server.getTransport(MemoryTransport);
  const a = memory.connect('polite');
  const b = memory.connect('stubborn');
  await delay(20);
  assert.is(server.stats.active, 2);
  const aText = readAll(a);
  const bText = readAll(b);
  const started = Date.now();
  await server.stop(300);
  const took = Date.now() - started;
  assert.is(await aText, 'finished\n');
  assert.is(await bText, '');
  assert.ok(polite!.closed.aborted);
  assert.ok(took >= 250, `waited for the shutdown timeout (${took} ms)`);
  assert.is(server.stats.active, 0);
  // Unbound: new connections are refused.
  assert.throws(() => memory.connect('polite'), (e: { code?: string }) => e.code === 'ERR_TIERCEL_CONNECTION_REFUSED');
});

test('LifetimeFeature.onCloseRequested returns what unregisters its listener: stop() calls only those still registered', async () => {
  const server = new Server({ logLevel: 'silent' });
  const called: string[] = [];
  server.listen('http://memory:lifetime', (ep) =>
    ep.run(async (ctx) => {
      const lifetime = ctx.features.get(LifetimeFeature)!;
      const stopGone = lifetime.onCloseRequested(() => called.push('gone'));
      await new Promise<void>((resolve) => {
        lifetime.onCloseRequested(() => {
          called.push('kept');
          resolve();
        });
        stopGone();
        stopGone(); // twice is harmless
      });
      ctx.transport.end();
      // Registered after the request: called at once, and its unregister does nothing.
      lifetime.onCloseRequested(() => called.push('late'))();
    }),
  );
  await server.start();
  const client = server.getTransport(MemoryTransport).connect('lifetime');
  await delay(20);
  await server.stop(500);
  await readAll(client);
  assert.equal(called, ['kept', 'late']);
});

/** A terminal served only through `serve`: each connection's first line says how its pipeline ends. */
function completingTerminal(reports: string[]) {
  const serve = (ctx: ConnectionContext, completion: ConnectionCompletion): void => {
    ctx.transport.once('data', (chunk: Buffer) => {
      const line = chunk.toString().trim();
      reports.push(line);
      if (line === 'fail') {
        completion.fail(new Error('the handler failed'));
        completion.complete(); // a second report is ignored, as a settled promise stays settled
      } else {
        ctx.transport.write(`${line}: reported\n`);
        completion.complete();
        completion.fail(new Error('too late'));
      }
    });
  };
  return Object.assign(
    async () => {
      throw new Error('called as a function: the server should have used serve()');
    },
    { serve },
  );
}

test('a terminal with serve(ctx, completion) on an endpoint without middleware: complete() closes gracefully, fail() aborts and logs, a second report is ignored', async () => {
  const logger = new MemoryLogger();
  const server = new Server({ logLevel: 'silent' });
  server.services.register(LOGGER, { useValue: logger });
  const reports: string[] = [];
  server.listen('http://127.0.0.1:0', (ep) => ep.run(completingTerminal(reports)));
  await server.start();
  try {
    const { port } = server.endpoints[0] as TcpEndpoint;
    const good = net.connect(port, '127.0.0.1');
    good.write('complete\n');
    assert.is(await readAll(good), 'complete: reported\n');
    assert.is(good.errored, null, 'a graceful end, not a reset');
    const bad = net.connect(port, '127.0.0.1');
    bad.write('fail\n');
    assert.is(await readAll(bad), '');
    await closed(bad);
    assert.is((bad.errored as { code?: string } | null)?.code, 'ECONNRESET', 'a failed pipeline aborts the connection');
    await delay(20);
    assert.equal(reports, ['complete', 'fail']);
    assert.is(server.stats.active, 0);
    const errors = logger.errors();
    assert.is(errors.length, 1, JSON.stringify(errors));
    assert.match(String(errors[0].message), 'Unhandled error in the connection pipeline');
  } finally {
    await server.stop(500);
  }
});

test('connection middleware awaits a completing terminal as a promise: next() settles when it completes', async () => {
  const server = new Server({ logLevel: 'silent' });
  const order: string[] = [];
  server.listen('http://memory:completing', (ep) =>
    ep
      .use(async (_ctx, next) => {
        order.push('in');
        await next();
        order.push('out');
      })
      .run(
        completingDelegate((ctx, completion) => {
          ctx.transport.once('data', () => {
            order.push('terminal');
            ctx.transport.end('bye\n');
            completion.complete();
          });
        }),
      ),
  );
  await server.start();
  try {
    const client = server.getTransport(MemoryTransport).connect('completing');
    client.write('hi');
    assert.is(await readAll(client), 'bye\n');
    await delay(10);
    assert.equal(order, ['in', 'terminal', 'out']);
  } finally {
    await server.stop(500);
  }
});

test('LifetimeFeature: an object listener has its handleCloseRequest() called; offCloseRequested unregisters it', async () => {
  const server = new Server({ logLevel: 'silent' });
  const called: string[] = [];
  server.listen('http://memory:object-listener', (ep) =>
    ep.run(async (ctx) => {
      const lifetime = ctx.features.get(LifetimeFeature)!;
      const gone = { handleCloseRequest: () => called.push('gone') };
      lifetime.onCloseRequested(gone);
      lifetime.offCloseRequested(gone);
      await new Promise<void>((resolve) => {
        lifetime.onCloseRequested({
          handleCloseRequest() {
            called.push('kept');
            resolve();
          },
        });
      });
      ctx.transport.end();
    }),
  );
  await server.start();
  const client = server.getTransport(MemoryTransport).connect('object-listener');
  await delay(20);
  await server.stop(500);
  await readAll(client);
  assert.equal(called, ['kept']);
});

test('listen() after start() is refused', async () => {
  const server = new Server({ logLevel: 'silent' });
  server.listen('http://memory:once', (ep) => ep.run(async () => {}));
  await server.start();
  try {
    assert.throws(() => server.listen('http://memory:twice'), (e: { code?: string }) => e.code === 'ERR_TIERCEL_SERVER_STATE');
    assert.equal(server.urls, ['http://memory:once']);
  } finally {
    await server.stop(100);
  }
});

test.run();
