// What the HTTP/1.1 output producer promises, seen from a client of the in-memory transport (whose
// client end receives each server write as one chunk, so writes can be counted): responses made
// while one read is parsed leave in one write (a Buffer body with the strings before it),
// and a kept head is never reused for a response that differs.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TestServer } from '../../../hosting/index.js';
import type { HttpApplication } from '../../../protocols/index.js';
import { readUntil } from '../../support/streams.js';

const app: HttpApplication = {
  handle(ex) {
    if (ex.target.startsWith('/buffer/')) {
      ex.end(Buffer.from(ex.target));
      return;
    }
    if (ex.target.startsWith('/field/')) ex.responseHeaders.set('x-n', ex.target.slice(7));
    if (ex.target === '/async') return Promise.resolve().then(() => ex.end(ex.target));
    ex.end(ex.target);
  },
};

async function withServer(fn: (ts: TestServer) => Promise<void>, options?: Parameters<typeof TestServer.start>[1]): Promise<void> {
  const ts = await TestServer.start(app, options);
  try {
    await fn(ts);
  } finally {
    await ts.stop(500);
  }
}

/** The client end of a connection, with every chunk it receives kept apart. */
function client(ts: TestServer): { c: ReturnType<TestServer['connect']>; chunks: string[] } {
  const c = ts.connect();
  const chunks: string[] = [];
  c.on('data', (d: Buffer) => chunks.push(d.toString('latin1')));
  return { c, chunks };
}

const get = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

/** The bodies of `text`'s responses, in order (each body is the path the app echoed). */
function bodies(text: string): string[] {
  return text
    .split('HTTP/1.1 200 OK\r\n')
    .slice(1)
    .map((r) => r.slice(r.indexOf('\r\n\r\n') + 4));
}

test('32 pipelined requests in one read, answered by a sync app: every response in one write', () =>
  withServer(async (ts) => {
    const { c, chunks } = client(ts);
    const paths = Array.from({ length: 32 }, (_, i) => `/${i}`);
    c.write(paths.map(get).join(''));
    const text = await readUntil(c, (t) => t.endsWith('/31'));
    assert.equal(bodies(text), paths);
    assert.is(chunks.length, 1, `${chunks.length} writes`);
    c.destroy();
  }));

test('a Buffer body and an async app in the middle of a pipelined run: order holds, the Buffer leaves with the batch before it', () =>
  withServer(async (ts) => {
    const { c, chunks } = client(ts);
    const paths = ['/a', '/b', '/buffer/c', '/d', '/async', '/e', '/f'];
    c.write(paths.map(get).join(''));
    const text = await readUntil(c, (t) => t.endsWith('/f'));
    assert.equal(bodies(text), paths);
    // One write per batch: the strings before the Buffer body (with its head) and the Buffer go in
    // one writev; the batch is broken where the async app makes the parse stop, and the requests
    // after it are parsed, and batched, once it is done.
    const ends = chunks.map((ch) => ch.slice(-12));
    assert.is(chunks.length, 4, JSON.stringify(chunks));
    assert.ok(chunks[0].includes('\r\n\r\n/a') && chunks[0].includes('\r\n\r\n/b') && chunks[0].endsWith('\r\n\r\n/buffer/c'), JSON.stringify(ends));
    assert.ok(chunks[1].endsWith('/d') && chunks[2].endsWith('/async'), JSON.stringify(ends));
    assert.ok(chunks[3].includes('\r\n\r\n/e') && chunks[3].endsWith('/f'), JSON.stringify(ends));
    c.destroy();
  }));

test('a Buffer body read in the same read as its head leaves with its head, over TCP as one writev', () =>
  withServer(async (ts) => {
    const { c, chunks } = client(ts);
    c.write(get('/buffer/x'));
    const text = await readUntil(c, (t) => t.endsWith('/buffer/x'));
    assert.equal(bodies(text), ['/buffer/x']);
    assert.is(chunks.length, 1, JSON.stringify(chunks));
    c.destroy();
  }));

test('the kept head is reused only for the same response: a changed field gets its own head', () =>
  withServer(async (ts) => {
    const { c } = client(ts);
    const paths = ['/field/1', '/field/1', '/field/2', '/plain', '/field/1'];
    c.write(paths.map(get).join(''));
    const text = await readUntil(c, (t) => t.split('HTTP/1.1 200 OK').length === paths.length + 1 && t.endsWith('/field/1'));
    const heads = text.split('HTTP/1.1 200 OK\r\n').slice(1).map((r) => r.slice(0, r.indexOf('\r\n\r\n')));
    assert.equal(
      heads.map((h) => /x-n: (\d)/.exec(h)?.[1] ?? '-'),
      ['1', '1', '2', '-', '1'],
    );
    assert.is(heads[0], heads[1]);
    c.destroy();
  }));

/** One request on `c` and the head of its response. */
async function headOf(c: ReturnType<TestServer['connect']>, path: string): Promise<string> {
  const reading = readUntil(c, (t) => t.includes('\r\n\r\n') && t.endsWith(path));
  c.write(get(path));
  const text = await reading;
  return text.slice(0, text.indexOf('\r\n\r\n'));
}

test('connections share kept heads, yet each response has its own: other fields, another server line', () =>
  withServer(async (a) => {
    await withServer(
      async (b) => {
        const a1 = a.connect();
        const a2 = a.connect();
        const b1 = b.connect();
        // Interleaved, so that each connection's last head is another's by the time it asks again.
        const heads = [
          await headOf(a1, '/field/1'),
          await headOf(a2, '/field/2'),
          await headOf(b1, '/field/1'),
          await headOf(a1, '/field/1'),
          await headOf(a2, '/plain'),
          await headOf(b1, '/field/2'),
          await headOf(a2, '/field/2'),
        ];
        assert.equal(
          heads.map((h) => `${/x-n: (\d)/.exec(h)?.[1] ?? '-'} ${/\r\nserver: ([^\r]*)/.exec(h)?.[1] ?? 'none'}`),
          ['1 tiercel', '2 tiercel', '1 other', '1 tiercel', '- tiercel', '2 other', '2 tiercel'],
        );
        for (const c of [a1, a2, b1]) c.destroy();
      },
      { name: 'other', http: { serverHeader: 'other' } },
    );
  }));

test.run();
