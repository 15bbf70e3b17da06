// addTiercel on a container the application owns: options checked at once, the environment read
// once, and each default replaced by a later registration (last registration wins).
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ENVIRONMENT,
  HTTP_APPLICATION,
  HTTP_LIMITS,
  HTTP_OPTIONS,
  SERVER_OPTIONS,
  TRANSPORT_OPTIONS,
  addTiercel,
  readEnvironment,
  resolve,
} from '../../di/index.js';
import { Server } from '../../hosting/index.js';
import { resolveHttpLimits, resolveHttpOptions, type HttpApplication } from '../../protocols/index.js';
import { MemoryTransport } from '../../transports/index.js';
import { errorCodeOf } from '../support/errors.js';
import { readUntil } from '../support/streams.js';
import { appContainer, responseComplete } from './support.js';

const hello: HttpApplication = { handle: (ex) => void ex.end('hello') };

async function get(server: Server, head = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'): Promise<string> {
  const client = server.getTransport(MemoryTransport).connect('app');
  client.write(head);
  const text = await readUntil(client, (t) => responseComplete(t) || t.startsWith('HTTP/1.1 4'));
  client.destroy();
  return text;
}

async function started(server: Server): Promise<Server> {
  server.listen('http://memory:app');
  await server.start();
  return server;
}

test('options are checked when addTiercel is called', async () => {
  const { container } = await import('tsyringe');
  const c = (): ReturnType<typeof container.createChildContainer> => container.createChildContainer();
  assert.is(errorCodeOf(() => addTiercel(c(), { bogus: 1 } as never)), 'ERR_TIERCEL_INVALID_OPTION');
  assert.is(errorCodeOf(() => addTiercel(c(), null as never)), 'ERR_TIERCEL_INVALID_OPTION');
  assert.is(errorCodeOf(() => addTiercel(c(), { server: { shutdownTimeoutMs: -1 } })), 'ERR_TIERCEL_INVALID_OPTION');
  assert.is(errorCodeOf(() => addTiercel(c(), { http: { limits: { maxRequestHeaderCount: 0 } } })), 'ERR_TIERCEL_INVALID_OPTION');
  assert.is(errorCodeOf(() => addTiercel(c(), { tls: { handshakeTimeoutMs: -1 } })), 'ERR_TIERCEL_INVALID_OPTION');
  for (const logLevel of ['loud', { default: 'loud' }, { 'tiercel.tls': 'verbose' }, { '': 'debug' }, { 'tiercel.': 'debug' }, ['info'], 3]) {
    assert.is(errorCodeOf(() => addTiercel(c(), { server: { logLevel: logLevel as never } })), 'ERR_TIERCEL_INVALID_OPTION', JSON.stringify(logLevel));
  }
  assert.is(errorCodeOf(() => addTiercel(c(), { server: { logFormat: 'yaml' as never } })), 'ERR_TIERCEL_INVALID_OPTION');
  assert.is(resolve(addTiercel(c(), { server: { logLevel: { default: 'warn', 'tiercel.bad-requests': 'debug' } } }), SERVER_OPTIONS).logFormat, 'auto');
  const services = addTiercel(c(), { server: { transport: { maxReadBufferSize: 4096 } } });
  assert.is(resolve(services, SERVER_OPTIONS).shutdownTimeoutMs, 30_000);
  assert.equal(resolve(services, TRANSPORT_OPTIONS), { maxReadBufferSize: 4096 });
});

test('an HTTP_APPLICATION registered in the container is served without useHttp', async () => {
  const services = appContainer();
  services.register(HTTP_APPLICATION, { useValue: hello });
  const server = await started(new Server(services));
  try {
    assert.ok((await get(server)).endsWith('\r\n\r\nhello'));
  } finally {
    await server.stop(500);
  }
});

test('HTTP_OPTIONS and HTTP_LIMITS registered later win over the defaults', async () => {
  const services = appContainer({ http: { serverHeader: 'first' } });
  services.register(HTTP_OPTIONS, { useValue: resolveHttpOptions({ serverHeader: 'second' }) });
  services.register(HTTP_LIMITS, { useValue: resolveHttpLimits({ maxRequestHeaderCount: 2 }) });
  services.register(HTTP_APPLICATION, { useValue: hello });
  const server = await started(new Server(services));
  try {
    assert.ok((await get(server)).includes('\r\nserver: second\r\n'));
    assert.ok((await get(server, 'GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n')).startsWith('HTTP/1.1 431'));
  } finally {
    await server.stop(500);
  }
});

test('useHttp(app, options) registers its options last, over those of addTiercel', async () => {
  const server = new Server(appContainer({ http: { serverHeader: 'container' } }));
  server.useHttp(hello, { serverHeader: 'useHttp' });
  await started(server);
  try {
    assert.ok((await get(server)).includes('\r\nserver: useHttp\r\n'));
  } finally {
    await server.stop(500);
  }
});

test('the environment is read once, by addTiercel, from `env` or process.env', () => {
  const env = { NODE_ENV: 'production', TIERCEL_DEV_CERT_DIR: '', TIERCEL_URLS: 'http://memory:a', TIERCEL_HTTP_PORTS: '80;8080', PORT: '3000' };
  const services = appContainer({ env });
  assert.equal(resolve(services, ENVIRONMENT), {
    nodeEnv: 'production',
    production: true,
    devCertDir: undefined,
    urls: 'http://memory:a',
    httpPorts: '80;8080',
    httpsPorts: undefined,
    port: '3000',
    listenFds: [],
  });
  const saved = process.env.TIERCEL_DEV_CERT_DIR;
  process.env.TIERCEL_DEV_CERT_DIR = '/tmp/first';
  try {
    const fromProcess = appContainer();
    process.env.TIERCEL_DEV_CERT_DIR = '/tmp/second';
    assert.is(resolve(fromProcess, ENVIRONMENT).devCertDir, '/tmp/first', 'a later change is not seen');
    assert.is(readEnvironment().devCertDir, '/tmp/second');
  } finally {
    if (saved === undefined) delete process.env.TIERCEL_DEV_CERT_DIR;
    else process.env.TIERCEL_DEV_CERT_DIR = saved;
  }
});

test('two servers on two containers share nothing: each has its own memory namespace and heartbeat', async () => {
  const a = new Server(appContainer());
  const b = new Server(appContainer());
  a.useHttp(hello);
  b.useHttp({ handle: (ex) => void ex.end('other') });
  await started(a);
  await started(b);
  try {
    assert.ok((await get(a)).endsWith('hello'));
    assert.ok((await get(b)).endsWith('other'));
  } finally {
    await a.stop(500);
    await b.stop(500);
  }
});

test.run();
