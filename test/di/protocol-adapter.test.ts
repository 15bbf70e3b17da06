// A user's protocol beside HTTP/1.1 and HTTP/2 on one endpoint, registered as a PROTOCOL_ADAPTER:
// chosen by ALPN over TLS and by a sniff of the first bytes on cleartext.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import type { ConnectionDelegate } from '../../connection/index.js';
import { PROTOCOL_ADAPTER } from '../../di/index.js';
import { Server } from '../../hosting/index.js';
import { ApplicationBuilder } from '../../pipeline/index.js';
import { Http2Adapter, MAX_SNIFF_BYTES, alpnProtocols, type ProtocolAdapter, type ProtocolAdapterContext, type SniffVerdict } from '../../protocols/index.js';
import { MemoryTransport } from '../../transports/index.js';
import { readAll, readUntil } from '../support/streams.js';
import { makeLeaf, type Pem } from '../support/tls-certificates.js';
import { appContainer, RecordingLoggerFactory, responseComplete } from './support.js';
import { LOGGER_FACTORY } from '../../di/index.js';

const MAGIC = 'TOY/1 ';

/** The toy protocol: the client sends `TOY/1 <word>\n`, the server answers `toy: <WORD>\n` and closes. */
class ToyAdapter implements ProtocolAdapter {
  readonly name = 'toy';
  readonly alpn = ['toy/1'];
  sniff(head: Buffer): SniffVerdict {
    const n = Math.min(head.length, MAGIC.length);
    if (head.toString('latin1', 0, n) !== MAGIC.slice(0, n)) return 'no';
    return n === MAGIC.length ? 'yes' : 'more';
  }
  createDelegate(context: ProtocolAdapterContext): ConnectionDelegate {
    const log = context.loggers.create('toy');
    return (ctx) =>
      new Promise<void>((resolve) => {
        let text = '';
        const t = ctx.transport;
        const onData = (chunk: Buffer): void => {
          text += chunk.toString('latin1');
          const nl = text.indexOf('\n');
          if (nl < 0) return;
          t.off('data', onData);
          const word = text.slice(text.startsWith(MAGIC) ? MAGIC.length : 0, nl);
          log.info({ word }, 'toy request');
          t.end(`toy: ${word.toUpperCase()}\n`, resolve);
        };
        t.on('data', onData);
        t.once('close', resolve);
        // Chosen by sniff, the transport comes paused with its first bytes put back.
        t.resume();
      });
  }
}

let leaf: Pem;
test.before(async () => {
  leaf = await makeLeaf(['localhost', '127.0.0.1']);
});

async function startToyServer(configure?: Parameters<Server['listen']>[1], url = 'http://127.0.0.1:0'): Promise<{ server: Server; port: number; logs: RecordingLoggerFactory }> {
  const services = appContainer();
  const logs = new RecordingLoggerFactory();
  services.register(LOGGER_FACTORY, { useValue: logs });
  // Registered after addTiercel: it comes after HTTP/1.1 and HTTP/2, so it takes precedence.
  services.register(PROTOCOL_ADAPTER, { useClass: ToyAdapter });
  const server = new Server(services);
  server.useHttp(new ApplicationBuilder().run((ctx) => ctx.response.send(`http ${ctx.request.protocol}`)));
  server.listen(url, configure);
  await server.start();
  return { server, port: (server.endpoints[0] as { port?: number }).port ?? 0, logs };
}

/** A server of `services` on the memory endpoint `name`, whose HTTP app is never meant to be reached. */
async function startUnreachableHttp(services: ReturnType<typeof appContainer>, name: string): Promise<{ server: Server; memory: MemoryTransport }> {
  const server = new Server(services);
  server.useHttp({ handle: (ex) => void ex.end('unreachable') });
  server.listen(`http://memory:${name}`);
  await server.start();
  return { server, memory: server.getTransport(MemoryTransport) };
}

function tcpExchange(port: number, ...writes: string[]): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  for (const w of writes) socket.write(w);
  return readAll(socket);
}

test('cleartext: the toy protocol is chosen by its first bytes, HTTP/1.1 and h2c still served on the same endpoint', async () => {
  const { server, port, logs } = await startToyServer();
  try {
    assert.is(await tcpExchange(port, 'TOY/1 hello\n'), 'toy: HELLO\n');
    const h1 = await tcpExchange(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.ok(h1.startsWith('HTTP/1.1 200') && h1.endsWith('http HTTP/1.1'), h1);
    const client = http2.connect(`http://127.0.0.1:${port}`);
    try {
      const req = client.request({ ':path': '/' });
      req.setEncoding('utf8');
      let body = '';
      req.on('data', (d: string) => (body += d));
      await new Promise((r) => req.on('end', r));
      assert.is(body, 'http HTTP/2');
    } finally {
      client.close();
    }
    // The adapter's logger comes from the registered factory, under its own category.
    assert.equal(logs.of('toy').map((l) => l.fields?.word), ['hello']);
  } finally {
    await server.stop(500);
  }
});

test('cleartext: a sniff waits for more bytes across reads, and a client that leaves before the verdict is closed', async () => {
  const { server, logs } = await startToyServer(undefined, 'http://memory:toy');
  try {
    const memory = server.getTransport(MemoryTransport);
    // Each memory write arrives as its own read: the sniff says 'more' twice before 'yes'.
    const split = memory.connect('toy');
    split.write('TO');
    split.write('Y/1 ');
    split.write('split\n');
    assert.is(await readAll(split), 'toy: SPLIT\n');
    const gone = memory.connect('toy');
    gone.end('TOY');
    assert.is(await readAll(gone), '', 'nothing is served to a client that ended inside the magic');
    assert.equal(logs.of('toy').map((l) => l.fields?.word), ['split']);
  } finally {
    await server.stop(500);
  }
});

test(`cleartext: an adapter still undecided after ${MAX_SNIFF_BYTES} bytes counts as no`, async () => {
  // Says 'more' until it sees a newline: without the bound it would hold every byte a client sends.
  class Undecided extends ToyAdapter {
    override readonly alpn = [];
    override sniff(head: Buffer): SniffVerdict {
      return head.includes(0x0a) ? 'yes' : 'more';
    }
  }
  const services = appContainer();
  services.register(PROTOCOL_ADAPTER, { useValue: new Undecided() });
  const { server, memory } = await startUnreachableHttp(services, 'undecided');
  try {
    const under = memory.connect('undecided');
    under.write('A'.repeat(100));
    under.write('B\n');
    assert.is(await readAll(under), `toy: ${'A'.repeat(100)}B\n`, 'under the bound the adapter decides');
    const over = memory.connect('undecided');
    over.write('A'.repeat(MAX_SNIFF_BYTES));
    over.write(' / HTTP/1.1\r\nHost: x\r\n\r\n');
    const answer = await readUntil(over, (t) => t.includes('\r\n\r\n'));
    // HTTP/1.1 took it: a method it does not know.
    assert.ok(answer.startsWith('HTTP/1.1 501'), answer);
    over.destroy();
  } finally {
    await server.stop(500);
  }
});

test('TLS: ALPN toy/1 chooses the toy protocol, offered before h2 and http/1.1', async () => {
  const { server, port } = await startToyServer((ep) => ep.useHttps({ certificate: { cert: leaf.cert, key: leaf.key } }));
  try {
    const connect = (alpn: string[]): Promise<tls.TLSSocket> =>
      new Promise((resolve, reject) => {
        const s = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: leaf.cert, ALPNProtocols: alpn }, () => resolve(s));
        s.once('error', reject);
      });
    // The client lists h2 first; the server's preference (the last registered adapter first) wins.
    const toy = await connect(['h2', 'http/1.1', 'toy/1']);
    assert.is(toy.alpnProtocol, 'toy/1');
    toy.write('tls\n');
    assert.is(await readAll(toy), 'toy: TLS\n');

    const h1 = await connect(['http/1.1']);
    assert.is(h1.alpnProtocol, 'http/1.1');
    h1.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = await readUntil(h1, responseComplete);
    assert.ok(text.endsWith('http HTTP/1.1'), text);
    h1.destroy();
  } finally {
    await server.stop(500);
  }
});

test('an endpoint narrowed to HTTP/1.1 keeps the toy protocol (it is not an HTTP version)', async () => {
  const { server, port } = await startToyServer((ep) => ep.useProtocols('http1'));
  try {
    assert.is(await tcpExchange(port, 'TOY/1 narrow\n'), 'toy: NARROW\n');
    // No HTTP/2 adapter here: the preface goes to HTTP/1.1, which refuses it.
    const preface = await tcpExchange(port, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    assert.ok(preface.startsWith('HTTP/1.1 4'), preface);
  } finally {
    await server.stop(500);
  }
});

test('a child container registering its own adapters replaces the list: with no fallback, anything else is closed', async () => {
  const services = appContainer().createChildContainer();
  const logs = new RecordingLoggerFactory();
  services.register(LOGGER_FACTORY, { useValue: logs });
  services.register(PROTOCOL_ADAPTER, { useClass: ToyAdapter });
  const server = new Server(services);
  server.useHttp({ handle: (ex) => void ex.end('unreachable') });
  server.listen('http://127.0.0.1:0');
  server.listen('https://127.0.0.1:0', (ep) => ep.useHttps({ certificate: { cert: leaf.cert, key: leaf.key } }));
  await server.start();
  try {
    const [plain, secure] = server.endpoints as { port: number }[];
    assert.is(await tcpExchange(plain.port, 'TOY/1 only\n'), 'toy: ONLY\n');
    assert.is(await tcpExchange(plain.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'), '');
    const noAlpn = tls.connect({ port: secure.port, host: '127.0.0.1', servername: 'localhost', ca: leaf.cert });
    noAlpn.write('x\n');
    // Without ALPN the connection goes to the endpoint's first adapter: the only one, toy.
    assert.is(await readAll(noAlpn), 'toy: X\n');
    assert.ok(logs.of('tiercel.http').some((l) => l.message.startsWith('No protocol adapter recognised')));
  } finally {
    await server.stop(500);
  }
});

test("cleartext: a fallback of the user's own that reads the transport itself gets the sniffed bytes back, on every connection", async () => {
  const services = appContainer().createChildContainer();
  services.register(LOGGER_FACTORY, { useValue: new RecordingLoggerFactory() });
  // The HTTP/2 sniff reads each connection's first bytes; the toy, as the fallback, reads what the sniff read.
  services.register(PROTOCOL_ADAPTER, { useClass: Http2Adapter });
  const toy = new ToyAdapter();
  services.register(PROTOCOL_ADAPTER, { useValue: { name: 'toy', alpn: [], fallback: true, createDelegate: (c: ProtocolAdapterContext) => toy.createDelegate(c) } satisfies ProtocolAdapter });
  const { server, memory } = await startUnreachableHttp(services, 'fallback');
  try {
    for (const word of ['first', 'second']) {
      const client = memory.connect('fallback');
      client.write(`${word}\n`);
      assert.is(await readAll(client), `toy: ${word.toUpperCase()}\n`);
    }
    // A first read the sniff needs more of ('P' could begin the preface), completed by the next.
    const split = memory.connect('fallback');
    split.write('P');
    split.write('ut\n');
    assert.is(await readAll(split), 'toy: PUT\n');
  } finally {
    await server.stop(500);
  }
});

test('the built-in adapters offer h2 before http/1.1, each only where the endpoint serves its version', () => {
  assert.equal(alpnProtocols('http1AndHttp2'), ['h2', 'http/1.1']);
  assert.equal(alpnProtocols('http1'), ['http/1.1']);
  assert.equal(alpnProtocols('http2'), ['h2']);
});

test.run();
