// Loggers per category from LOGGER_FACTORY; a LOGGER registered alone still gets every line.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { pino, type Logger as PinoLogger, type LoggerOptions } from 'pino';
import type { LogFields, Logger, LoggerFactory } from '../../connection/index.js';
import { LOGGER, LOGGER_FACTORY, resolve, type DependencyContainer } from '../../di/index.js';
import { Server } from '../../hosting/index.js';
import { ApplicationBuilder } from '../../pipeline/index.js';
import { readAll } from '../support/streams.js';
import { makeLeaf } from '../support/tls-certificates.js';
import { appContainer, RecordingLoggerFactory, waitFor } from './support.js';

/** An app whose /boom throws, on plain and TLS endpoints; exercises the server, HTTP/1.1, TLS and pipeline loggers. */
async function exercise(services: DependencyContainer): Promise<void> {
  const leaf = await makeLeaf(['localhost']);
  const server = new Server(services);
  server.useHttp(
    new ApplicationBuilder().run((ctx) => {
      if (ctx.request.path === '/boom') throw new Error('boom');
      ctx.response.send('ok');
    }),
  );
  server.listen('http://127.0.0.1:0');
  server.listen('https://127.0.0.1:0', (ep) => ep.useHttps({ certificate: { cert: leaf.cert, key: leaf.key } }));
  await server.start();
  try {
    const [plain, secure] = server.endpoints as { port: number }[];
    const send = async (port: number, bytes: string): Promise<string> => {
      const socket = net.connect(port, '127.0.0.1');
      socket.write(bytes);
      return readAll(socket);
    };
    assert.ok((await send(plain.port, 'GET /boom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).startsWith('HTTP/1.1 500'));
    assert.ok((await send(plain.port, 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n')).startsWith('HTTP/1.1 400'));
    // Plain HTTP to the TLS port: a handshake failure, logged at debug.
    await send(secure.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  } finally {
    await server.stop(500);
  }
}

test('a LOGGER_FACTORY of your own gets one logger per category, and LOGGER is its tiercel logger', async () => {
  const services = appContainer();
  const logs = new RecordingLoggerFactory();
  services.register(LOGGER_FACTORY, { useValue: logs });
  await exercise(services);
  await waitFor('the handshake failure to be logged', () => logs.of('tiercel.tls').length > 0);
  assert.ok(logs.of('tiercel.server').some((l) => l.level === 'info' && l.message.startsWith('Now listening on: http://127.0.0.1:')));
  assert.ok(logs.of('tiercel.pipeline').some((l) => l.level === 'error' && (l.fields?.err as Error).message === 'boom'));
  // A client's fault goes to Kestrel's bad-requests category, with its event and reason.
  assert.ok(logs.of('tiercel.bad-requests').some((l) => l.level === 'debug' && l.message === 'Bad request' && l.fields?.event === 'RequestRejected' && l.fields?.eventId === 10));
  assert.ok(logs.of('tiercel.tls').some((l) => l.level === 'debug' && l.fields?.reason === 'protocol'));
  assert.ok(logs.of('tiercel.connections').some((l) => l.fields?.event === 'ConnectionAccepted'));
  assert.ok(logs.of('tiercel.connections').some((l) => l.fields?.event === 'ConnectionClosed' && l.fields?.reason === 'bad-request'));
  for (const category of ['tiercel.http', 'tiercel.http2']) assert.ok(logs.categories.includes(category), category);
  // Code that injects LOGGER gets the factory's `tiercel` category.
  resolve(services, LOGGER).info('from LOGGER');
  assert.equal(logs.of('tiercel').map((l) => l.message), ['from LOGGER']);
});

test('a LOGGER registered alone (no factory) still receives every category', async () => {
  const services = appContainer();
  const lines: string[] = [];
  const record = (level: string) => (a: LogFields | string, message?: string) => void lines.push(`${level} ${typeof a === 'string' ? a : message}`);
  const logger: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
  services.register(LOGGER, { useValue: logger });
  await exercise(services);
  await waitFor('the handshake failure to be logged', () => lines.some((l) => l.startsWith('debug TLS handshake failed')));
  assert.ok(lines.some((l) => l.startsWith('info Now listening on: http://127.0.0.1:')));
  assert.ok(lines.includes('error Unhandled error in the request pipeline'));
  assert.ok(lines.includes('debug Bad request'));
});

/** pino's records, parsed: pino writes one JSON object per line to any `{ write }`. */
function pinoInto(lines: string[], options: LoggerOptions = { level: 'debug' }): PinoLogger {
  return pino(options, { write: (line: string) => void lines.push(line) });
}
const parsed = (lines: string[]): Record<string, unknown>[] => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

test('a pino instance registered as LOGGER, as it is: each category is a child, with its events and errors in pino\'s JSON', async () => {
  const services = appContainer();
  const lines: string[] = [];
  const root = pinoInto(lines);
  services.register(LOGGER, { useValue: root });
  assert.is(resolve(services, LOGGER), root);
  await exercise(services);
  await waitFor('the handshake failure to be logged', () => parsed(lines).some((r) => r.event === 'TlsHandshakeFailed'));
  const records = parsed(lines);
  const listening = records.find((r) => r.event === 'Listening')!;
  assert.is(listening.category, 'tiercel.server');
  assert.is(listening.level, 30, "pino's info");
  assert.is(listening.eventId, 21);
  assert.match(String(listening.msg), /^Now listening on: http:\/\/127\.0\.0\.1:\d+$/);
  const rejected = records.find((r) => r.event === 'RequestRejected')!;
  assert.equal([rejected.category, rejected.level, rejected.reason, rejected.status], ['tiercel.bad-requests', 20, 'duplicate-content-length', 400]);
  const boom = records.find((r) => r.level === 50)!;
  assert.is(boom.event, 'ApplicationError');
  assert.is(boom.category, 'tiercel.pipeline');
  // `err` is pino's key: its serializer writes the type, message and stack.
  const err = boom.err as { type: string; message: string; stack: string };
  assert.equal([err.type, err.message], ['Error', 'boom']);
  assert.match(err.stack, /^Error: boom\n/);
  assert.is(records.find((r) => r.event === 'TlsHandshakeFailed')!.category, 'tiercel.tls');
  assert.ok(records.some((r) => r.event === 'ConnectionClosed' && r.category === 'tiercel.connections' && r.reason === 'bad-request'));
});

test('pino as the LOGGER_FACTORY: a level per category through pino\'s own child options', async () => {
  const services = appContainer();
  const lines: string[] = [];
  const root = pinoInto(lines, { level: 'info' });
  const loggers: LoggerFactory = { create: (category) => root.child({ category }, { level: category === 'tiercel.bad-requests' ? 'debug' : 'info' }) };
  services.register(LOGGER_FACTORY, { useValue: loggers });
  await exercise(services);
  const records = parsed(lines);
  assert.ok(records.some((r) => r.event === 'RequestRejected' && r.level === 20), 'bad requests at debug');
  assert.not.ok(records.some((r) => r.event === 'ConnectionAccepted' || r.event === 'TlsHandshakeFailed'), 'the other categories at info');
  assert.ok(records.some((r) => r.event === 'Listening'));
});

test('the default console loggers name their category and event id: tiercel serve prints info: tiercel.server[21]: Now listening on', async () => {
  const cli = fileURLToPath(new URL('../../hosting/cli.js', import.meta.url));
  const child = spawn(process.execPath, [cli, 'serve', '--urls', 'http://127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  try {
    await waitFor('the listening line', () => out.includes('(Ctrl-C stops)'), 10_000);
    assert.match(out, /^info: tiercel\.server\[21\]: Now listening on: http:\/\/127\.0\.0\.1:\d+$/m);
  } finally {
    child.kill('SIGINT');
    await once(child, 'exit');
  }
});

test.run();
