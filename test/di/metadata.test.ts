// A class tsyringe cannot construct (no decorator metadata) fails with ERR_TIERCEL_DI_METADATA,
// whose message says what to set, instead of tsyringe's `TypeInfo not known for "X"`.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConnectionContext, ConnectionListener, Endpoint, Transport } from '../../connection/index.js';
import { DiMetadataError, LOGGER, LOGGER_FACTORY, inject, injectable, registerTransport } from '../../di/index.js';
import type { Logger } from '../../connection/index.js';
import { Server } from '../../hosting/index.js';
import { appContainer } from './support.js';

// What a class looks like to tsyringe when the app compiles without experimentalDecorators and
// emitDecoratorMetadata, or decorates it with another copy of tsyringe: a constructor with
// parameters and no metadata in tiercel's registry.
class UndecoratedTransport implements Transport {
  readonly name = 'undecorated';
  constructor(readonly label: string) {}
  canBind(endpoint: Endpoint): boolean {
    return endpoint.kind === 'undecorated';
  }
  bind(): Promise<ConnectionListener> {
    throw new Error('never bound');
  }
}

class UndecoratedDependency {
  constructor(readonly value: number) {}
}

@injectable()
class DecoratedHandler {
  constructor(
    @inject(LOGGER) readonly log: Logger,
    readonly dependency: UndecoratedDependency,
  ) {}
  async onConnected(_ctx: ConnectionContext): Promise<void> {}
}

function expectMetadataError(err: unknown, className: string): void {
  assert.instance(err, DiMetadataError);
  const e = err as DiMetadataError;
  assert.is(e.code, 'ERR_TIERCEL_DI_METADATA');
  assert.is(e.className, className);
  for (const hint of ['experimentalDecorators', 'emitDecoratorMetadata', "import 'reflect-metadata'", '@injectable()', 'tsyringe once']) {
    assert.ok(e.message.includes(hint), `the message names ${hint}: ${e.message}`);
  }
  assert.match(String((e.cause as Error).message), /TypeInfo not known/);
}

test('a transport class without decorator metadata fails start() with ERR_TIERCEL_DI_METADATA', async () => {
  const services = appContainer();
  registerTransport(services, UndecoratedTransport);
  const server = new Server(services);
  server.listen('http://memory:x', (ep) => ep.run(async () => undefined));
  const err = await server.start().then(() => assert.unreachable('started'), (e: unknown) => e);
  expectMetadataError(err, 'UndecoratedTransport');
  assert.throws(() => server.getTransport(UndecoratedTransport), (e: unknown) => e instanceof DiMetadataError);
});

test('a decorated class whose dependency lacks metadata names the dependency', async () => {
  const server = new Server(appContainer());
  server.listen('http://memory:handler', (ep) => ep.useConnectionHandler(DecoratedHandler));
  const err = await server.start().then(() => assert.unreachable('started'), (e: unknown) => e);
  expectMetadataError(err, 'UndecoratedDependency');
});

test('a missing registration is ERR_TIERCEL_DI_UNREGISTERED, naming the token and addTiercel', async () => {
  const { container } = await import('tsyringe');
  const bare = container.createChildContainer();
  assert.throws(
    () => new Server(bare),
    (e: { code?: string; message: string }) => e.code === 'ERR_TIERCEL_DI_UNREGISTERED' && e.message.includes('tiercel.ServerOptions') && e.message.includes('addTiercel'),
  );
  // Errors tiercel does not translate pass through unchanged.
  const services = appContainer();
  services.register(LOGGER_FACTORY, {
    useFactory: () => {
      throw new RangeError('the app logger factory failed');
    },
  });
  const server = new Server(services);
  server.listen('http://memory:y', (ep) => ep.run(async () => undefined));
  await server.start().then(
    () => assert.unreachable('started'),
    (e: unknown) => assert.instance(e, RangeError),
  );
});

test.run();
