// The HTTP terminal on a cleartext endpoint that serves HTTP/1.1 and HTTP/2: every connection's
// first read is sniffed for the h2c preface, then goes to HTTP/1.1 (put back on the transport while
// HTTP/1.1 still loads, handed over directly once it has). Whatever that first read holds is served.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import { Server } from '../../hosting/index.js';
import { ApplicationBuilder } from '../../pipeline/index.js';
import { MemoryTransport } from '../../transports/index.js';
import { readAll } from '../support/streams.js';
import { get } from './http2/h2-support.js';

let server: Server;
let memory: MemoryTransport;

test.before(async () => {
  server = new Server({ logLevel: 'silent' });
  server.useHttp(
    new ApplicationBuilder().run(async (ctx) => {
      if (ctx.request.path === '/properties') {
        // What tiercel's layers put on the transport they read (symbols described 'tiercel.…').
        const own = Object.getOwnPropertySymbols(ctx.exchange.connection.transport).map((s) => s.description ?? '');
        ctx.response.send(own.filter((d) => d.startsWith('tiercel.')).join(','));
        return;
      }
      const body = ctx.request.method === 'POST' ? ` ${await ctx.request.text()}` : '';
      ctx.response.send(`${ctx.request.path}${body};`);
    }),
  );
  server.listen('http://memory:sniffed');
  await server.start();
  memory = server.getTransport(MemoryTransport);
});

test.after(async () => {
  await server.stop(500);
});

/** A memory connection whose `reads` each arrive at the server as a read of their own. */
function exchange(...reads: string[]): Promise<string> {
  const client: Duplex = memory.connect('sniffed');
  for (const r of reads) client.write(r);
  return readAll(client);
}

/** The bodies of the responses in `text`, in order. */
function bodies(text: string): string[] {
  return text
    .split('HTTP/1.1 ')
    .slice(1)
    .map((r) => r.slice(r.indexOf('\r\n\r\n') + 4));
}

const GET = (path: string, close = false): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;

// The first connection finds HTTP/1.1 still loading; the later ones find it loaded.
for (const when of ['while HTTP/1.1 loads', 'once HTTP/1.1 has loaded']) {
  test(`${when}: a first read holding three pipelined requests and the head of a fourth is answered in order, the fourth once its head completes`, async () => {
    const fourth = GET('/4', true);
    const text = await exchange(GET('/1') + GET('/2') + GET('/3') + fourth.slice(0, 20), fourth.slice(20));
    assert.equal(bodies(text), ['/1;', '/2;', '/3;', '/4;'], text);
  });
}

test('a head split across the sniffed read and the next is parsed whole', async () => {
  const head = GET('/split', true);
  // Three reads: the method alone, then the rest of the request line and part of a field.
  const text = await exchange(head.slice(0, 4), head.slice(4, 22), head.slice(22));
  assert.equal(bodies(text), ['/split;'], text);
});

test('a body begun in the sniffed read and ended in the next is read whole, and a request after it in the same read is served', async () => {
  const post = 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n';
  const text = await exchange(`${post}01234`, `56789${GET('/after', true)}`);
  assert.equal(bodies(text), ['/echo 0123456789;', '/after;'], text);
});

test('a first read that breaks the HTTP/1.1 rules is refused with 400 and the connection closed', async () => {
  const text = await exchange('GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n');
  assert.ok(text.startsWith('HTTP/1.1 400'), text);
});

test('whichever protocol reads a connection, its transport carries two properties of tiercel\'s: the context\'s and one reader slot', async () => {
  // The sniff, then HTTP/1.1 or HTTP/2, share one slot: each property added to a socket gives it
  // another hidden class, and node's stream functions, which see every socket, went megamorphic.
  const expected = 'tiercel.connection-context,tiercel.transport-reader';
  assert.equal(bodies(await exchange(GET('/properties', true))), [expected]);
  const session = http2.connect('http://tiercel.test', { createConnection: () => memory.connect('sniffed') });
  try {
    assert.is((await get(session, '/properties')).body.toString(), expected);
  } finally {
    session.close();
  }
});

test.run();
