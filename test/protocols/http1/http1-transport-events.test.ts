// How an HTTP/1.1 connection learns of its transport's errors and close: through its connection
// context's own listeners (`ConnectionContext.watchTransport`), so that node keeps one 'error' and
// one 'close' function on the socket where a listener of the protocol's beside the context's (and
// the transport's own 'error' listener) made an array for each, kept by every idle connection.
import 'reflect-metadata';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TcpEndpoint } from '../../../connection/index.js';
import { LOGGER } from '../../../di/index.js';
import { Server } from '../../../hosting/index.js';
import type { HttpApplication } from '../../../protocols/index.js';
import { MemoryLogger } from '../../pipeline/support.js';
import { delay, readUntil } from '../../support/streams.js';

interface Running {
  readonly logger: MemoryLogger;
  /** The server side of each connection, in the order their first request came. */
  readonly transports: Duplex[];
  /** Requests whose connection was lost while the app held them, by target. */
  readonly lost: string[];
  open(): Promise<Socket>;
}

async function withServer(fn: (srv: Running) => Promise<void>): Promise<void> {
  const logger = new MemoryLogger();
  const transports: Duplex[] = [];
  const lost: string[] = [];
  const app: HttpApplication = {
    async handle(ex) {
      if (!transports.includes(ex.connection.transport)) transports.push(ex.connection.transport);
      if (ex.target === '/hang') {
        await new Promise((resolve) => ex.aborted.addEventListener('abort', resolve));
        lost.push(ex.target);
        return;
      }
      ex.end('ok');
    },
  };
  const server = new Server({ logLevel: 'debug' });
  server.services.register(LOGGER, { useValue: logger });
  server.useHttp(app);
  server.listen('http://127.0.0.1:0');
  await server.start();
  const port = (server.endpoints[0] as TcpEndpoint).port;
  const open = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
  try {
    await fn({ logger, transports, lost, open });
  } finally {
    await server.stop(500);
  }
}

async function until(what: string, done: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !done(); i++) await delay(10);
  assert.ok(done(), `timed out waiting for ${what}`);
}

test("an idle keep-alive connection's socket has one 'error' and one 'close' listener: its context's", () =>
  withServer(async (srv) => {
    const client = await srv.open();
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await readUntil(client, (t) => t.endsWith('ok'));
    const [transport] = srv.transports;
    assert.is(transport.listenerCount('error'), 1, "one 'error' listener (was the transport's and the connection's)");
    assert.is(transport.listenerCount('close'), 1, "one 'close' listener (was the context's and the connection's)");
    // Still served through them: the next request on the same connection is answered.
    client.write('GET /again HTTP/1.1\r\nHost: x\r\n\r\n');
    await readUntil(client, (t) => t.endsWith('ok'));
    assert.is(srv.transports.length, 1);
    client.end();
  }),
);

test("a client's reset reaches the connection through its context: logged at debug, the request in the app is aborted, and the server serves on", () =>
  withServer(async (srv) => {
    const client = await srv.open();
    client.write('GET /hang HTTP/1.1\r\nHost: x\r\n\r\n');
    await until('the request to reach the app', () => srv.transports.length === 1);
    client.resetAndDestroy();
    await until('the app to see the connection lost', () => srv.lost.length === 1);
    await until('the transport error to be logged', () => srv.logger.entries.some((e) => e.message === 'Transport error'));
    const logged = srv.logger.entries.find((e) => e.message === 'Transport error')!;
    assert.is(logged.level, 'debug', "a client's fault is logged at debug");
    assert.is((logged.fields?.err as NodeJS.ErrnoException | undefined)?.code, 'ECONNRESET');
    await until('the connection to be done', () => srv.logger.entries.some((e) => e.message === 'HTTP/1.1 connection done'));
    assert.is(srv.logger.entries.find((e) => e.message === 'HTTP/1.1 connection done')?.fields?.reason, 'transport-closed');
    assert.equal(srv.logger.errors(), []);

    const next = await srv.open();
    next.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.ok((await readUntil(next, (t) => t.endsWith('ok'))).startsWith('HTTP/1.1 200 OK'));
  }),
);

test.run();
