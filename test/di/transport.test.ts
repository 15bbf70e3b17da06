// A transport of the application's, registered in a container it owns, decorated with the
// decorators tiercel/di re-exports (the one tsyringe), replacing the built-in memory transport.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConnectionContext, ConnectionListener, Endpoint, Logger, LoggerFactory, Transport } from '../../connection/index.js';
import { CLOCK, LOGGER_FACTORY, inject, injectable, registerTransport, type DependencyContainer } from '../../di/index.js';
import type { Clock } from '../../connection/index.js';
import { Server } from '../../hosting/index.js';
import { MemoryTransport } from '../../transports/index.js';
import { readUntil } from '../support/streams.js';
import { appContainer, RecordingLoggerFactory, responseComplete } from './support.js';

/** Serves memory endpoints through its own MemoryTransport, counting what it accepts. */
@injectable()
class CountingTransport implements Transport {
  readonly name = 'counting';
  readonly inner = new MemoryTransport();
  readonly log: Logger;
  accepted = 0;
  constructor(@inject(LOGGER_FACTORY) loggers: LoggerFactory, @inject(CLOCK) readonly clock: Clock) {
    this.log = loggers.create('app.counting');
  }
  canBind(endpoint: Endpoint): boolean {
    return this.inner.canBind(endpoint);
  }
  async bind(endpoint: Endpoint): Promise<ConnectionListener> {
    const inner = await this.inner.bind(endpoint);
    this.log.info({ endpoint }, 'bound');
    return {
      endpoint: inner.endpoint,
      accept: async (): Promise<ConnectionContext | null> => {
        const ctx = await inner.accept();
        if (ctx !== null) this.accepted++;
        return ctx;
      },
      unbind: () => inner.unbind(),
      dispose: () => inner.dispose(),
    };
  }
}

async function serve(services: DependencyContainer): Promise<Server> {
  const server = new Server(services);
  server.useHttp({ handle: (ex) => void ex.end('counted') });
  server.listen('http://memory:app');
  await server.start();
  return server;
}

test('a transport registered after addTiercel takes the endpoints it can bind from the built-in one', async () => {
  const services = appContainer();
  const logs = new RecordingLoggerFactory();
  services.register(LOGGER_FACTORY, { useValue: logs });
  registerTransport(services, CountingTransport);
  const server = await serve(services);
  try {
    const counting = server.getTransport(CountingTransport);
    assert.is(counting.clock.now() > 0, true, 'its own dependencies were injected');
    const client = counting.inner.connect('app');
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = await readUntil(client, responseComplete);
    assert.ok(text.endsWith('counted'), text);
    assert.is(counting.accepted, 1);
    assert.equal(logs.of('app.counting').map((l) => l.message), ['bound']);
    // The built-in memory transport bound nothing.
    assert.throws(() => server.getTransport(MemoryTransport).connect('app'), (e: { code?: string }) => e.code === 'ERR_TIERCEL_CONNECTION_REFUSED');
  } finally {
    await server.stop(500);
  }
});

test('registered before addTiercel, the same transport is outranked by the built-in one (last registration wins)', async () => {
  const { container } = await import('tsyringe');
  const services = container.createChildContainer();
  registerTransport(services, CountingTransport);
  const { addTiercel } = await import('../../di/index.js');
  addTiercel(services, { server: { logLevel: 'silent' } });
  const server = await serve(services);
  try {
    const client = server.getTransport(MemoryTransport).connect('app');
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.ok((await readUntil(client, responseComplete)).endsWith('counted'));
    assert.is(server.getTransport(CountingTransport).accepted, 0);
  } finally {
    await server.stop(500);
  }
});

test.run();
