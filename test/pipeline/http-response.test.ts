import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHook } from 'node:async_hooks';
import { Readable } from 'node:stream';
import { DEFAULT_MAX_WRITE_BUFFER_SIZE } from '../../connection/index.js';
import { ApplicationBuilder, HttpError, type HttpContext } from '../../pipeline/index.js';
import type { HttpApplication, HttpExchange } from '../../protocols/http/index.js';
import { MemoryLogger, serve } from './support.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('send(string) is text/plain with a content-length, in one end() call', async () => {
  const calls: string[] = [];
  const inner = new ApplicationBuilder().run((ctx) => ctx.response.send('Hello, World!')).build();
  // Watch what the pipeline asks of the real exchange.
  const app: HttpApplication = {
    handle(exchange: HttpExchange) {
      const write = exchange.write.bind(exchange);
      const end = exchange.end.bind(exchange);
      exchange.write = (chunk) => (calls.push('write'), write(chunk));
      exchange.end = (chunk) => (calls.push(`end(${chunk === undefined ? '' : String(chunk)})`), end(chunk));
      return inner.handle(exchange);
    },
  };
  await serve(app, async (server) => {
    const res = await server.fetch('/');
    assert.is(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.is(res.headers.get('content-length'), '13');
    assert.is(res.headers.get('transfer-encoding'), null);
    assert.is(await res.text(), 'Hello, World!');
    assert.equal(calls, ['end(Hello, World!)']);
  });
});

test('each string body has its own content-length: the same text again, UTF-8 after ASCII, and back', async () => {
  const bodies = ['hello', 'hello', 'héllo', 'héllo', 'hello', 'x'.repeat(300), `${'x'.repeat(300)}é`, '€', 'hello'];
  const app = new ApplicationBuilder().run((ctx) => ctx.response.send(bodies[Number(ctx.request.queryString.slice(1))]));
  await serve(app, async (server) => {
    for (let i = 0; i < bodies.length; i++) {
      const res = await server.fetch(`/?${i}`);
      assert.is(res.headers.get('content-length'), String(Buffer.byteLength(bodies[i])), `body ${i}`);
      assert.is(await res.text(), bodies[i]);
    }
  });
});

test('a synchronous app completes synchronously and allocates no promise', async () => {
  const inner = new ApplicationBuilder()
    .use((ctx, next) => {
      ctx.response.headers.set('x-mw', '1');
      return next();
    })
    .map('/hello', (b) => b.run((ctx) => ctx.response.send('Hello, World!')))
    .build();
  const results: unknown[] = [];
  let promises = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'PROMISE') promises++;
    },
  });
  const app: HttpApplication = {
    handle(exchange) {
      hook.enable();
      let result: void | Promise<void>;
      try {
        result = inner.handle(exchange);
      } finally {
        hook.disable();
      }
      results.push(result);
      return result;
    },
  };
  await serve(app, async (server) => {
    const res = await server.fetch('/hello');
    assert.is(await res.text(), 'Hello, World!');
    const notFound = await server.fetch('/nope');
    assert.is(notFound.status, 404);
  });
  assert.equal(results, [undefined, undefined]);
  assert.is(promises, 0, 'promises allocated while handling synchronous requests');
});

test('send(bytes) is application/octet-stream; a content-type already set is kept', async () => {
  const app = new ApplicationBuilder().run((ctx) => {
    if (ctx.request.path === '/buffer') return ctx.response.send(Buffer.from([1, 2, 3]));
    if (ctx.request.path === '/u8') return ctx.response.send(new Uint8Array([4, 5]));
    if (ctx.request.path === '/none') return ctx.response.send(null);
    ctx.response.headers.set('Content-Type', 'text/html; charset=utf-8');
    ctx.response.send('<p>hi</p>');
  });
  await serve(app, async (server) => {
    let res = await server.fetch('/buffer');
    assert.is(res.headers.get('content-type'), 'application/octet-stream');
    assert.equal([...new Uint8Array(await res.arrayBuffer())], [1, 2, 3]);
    res = await server.fetch('/u8');
    assert.equal([...new Uint8Array(await res.arrayBuffer())], [4, 5]);
    res = await server.fetch('/none');
    assert.is(res.headers.get('content-type'), null);
    assert.is(res.headers.get('content-length'), '0');
    res = await server.fetch('/html');
    assert.is(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.is(await res.text(), '<p>hi</p>');
  });
});

test('json() sends application/json with an optional status', async () => {
  const app = new ApplicationBuilder().run((ctx) => {
    if (ctx.request.path === '/created') return ctx.response.json({ id: 7, name: 'é' }, 201);
    ctx.response.json(undefined);
  });
  await serve(app, async (server) => {
    const res = await server.fetch('/created');
    assert.is(res.status, 201);
    assert.is(res.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(await res.json(), { id: 7, name: 'é' });
    assert.is(await (await server.fetch('/undefined')).text(), 'null');
  });
});

test('redirect() sets location and a 3xx status', async () => {
  const app = new ApplicationBuilder().run((ctx) => {
    if (ctx.request.path === '/moved') return ctx.response.redirect('/new-home', 301);
    if (ctx.request.path === '/bad') {
      try {
        ctx.response.redirect('/x', 200);
      } catch (err) {
        return ctx.response.send((err as { code: string }).code);
      }
    }
    ctx.response.redirect('https://example.com/login?next=%2F');
  });
  await serve(app, async (server) => {
    let res = await server.fetch('/moved', { redirect: 'manual' });
    assert.is(res.status, 301);
    assert.is(res.headers.get('location'), '/new-home');
    res = await server.fetch('/', { redirect: 'manual' });
    assert.is(res.status, 302);
    assert.is(res.headers.get('location'), 'https://example.com/login?next=%2F');
    assert.is(await (await server.fetch('/bad')).text(), 'ERR_TIERCEL_INVALID_STATUS');
  });
});

test('status is validated, and frozen once the headers are sent', async () => {
  const app = new ApplicationBuilder().run(async (ctx) => {
    const codes: string[] = [];
    for (const bad of [99, 1000, 200.5, NaN]) {
      try {
        ctx.response.status = bad;
      } catch (err) {
        codes.push((err as { code: string }).code);
      }
    }
    ctx.response.status = 299;
    ctx.response.headers.set('x-codes', codes.join(','));
    ctx.response.write('x');
    try {
      ctx.response.status = 500;
    } catch (err) {
      ctx.response.end(`|${(err as { code: string }).code}`);
    }
  });
  await serve(app, async (server) => {
    const res = await server.fetch('/');
    assert.is(res.status, 299);
    assert.is(res.headers.get('x-codes'), Array(4).fill('ERR_TIERCEL_INVALID_STATUS').join(','));
    assert.is(await res.text(), 'x|ERR_TIERCEL_HEADERS_SENT');
  });
});

test('write() is sync when the transport takes the chunk and returns a drain promise when it is full', async () => {
  const kinds: string[] = [];
  const app = new ApplicationBuilder().run(async (ctx) => {
    const first = ctx.response.write('small ');
    kinds.push(first === undefined ? 'sync' : 'promise');
    for (let i = 0; i < 8; i++) {
      const r = ctx.response.write(Buffer.alloc(256 * 1024, 0x61));
      kinds.push(r === undefined ? 'sync' : 'promise');
      if (r) await r;
    }
    ctx.response.end();
    const after = ((): string => {
      try {
        ctx.response.write('late');
        return 'no error';
      } catch (err) {
        return (err as { code: string }).code;
      }
    })();
    kinds.push(after);
  });
  await serve(app, async (server) => {
    const res = await server.fetch('/');
    const body = await res.text();
    assert.is(body.length, 6 + 8 * 256 * 1024);
    assert.is(kinds[0], 'sync');
    assert.ok(kinds.includes('promise'), `a 256 KiB write should fill a 64 KiB buffer: ${kinds.join(',')}`);
    assert.is(kinds[kinds.length - 1], 'ERR_TIERCEL_RESPONSE_ENDED');
  });
});

test('chunked write(): a chunk as large as the transport buffer that left at once is sync, and the body arrives whole', async () => {
  // Each chunk (size line, data, CRLF) leaves in one corked write; the cork must not make a write
  // that left at once look refused. The in-memory transport takes a write at once while its client
  // end has room (1 MiB): the first writes here are sync.
  const CHUNK = DEFAULT_MAX_WRITE_BUFFER_SIZE;
  const COUNT = 8;
  const kinds: string[] = [];
  const app = new ApplicationBuilder().run(async (ctx) => {
    for (let i = 0; i < COUNT; i++) {
      const r = ctx.response.write(Buffer.alloc(CHUNK, 0x61 + i));
      kinds.push(r === undefined ? 'sync' : 'promise');
      if (r) await r;
    }
  });
  await serve(app, async (server) => {
    const res = await server.fetch('/');
    assert.is(res.headers.get('transfer-encoding'), 'chunked');
    const body = Buffer.from(await res.arrayBuffer());
    assert.is(body.length, COUNT * CHUNK);
    for (let i = 0; i < COUNT; i++) assert.is(body[i * CHUNK + CHUNK - 1], 0x61 + i, `chunk ${i} in order`);
    assert.equal(kinds.slice(0, 4), ['sync', 'sync', 'sync', 'sync'], kinds.join(','));
  });
});

test('stream() pipes a Readable or an async iterable, with backpressure', async () => {
  let produced = 0;
  const app = new ApplicationBuilder().run((ctx) => {
    if (ctx.request.path === '/readable') {
      return ctx.response.stream(Readable.from(['a', 'b', Buffer.from('c')]));
    }
    async function* big(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 64; i++) {
        produced++;
        yield Buffer.alloc(64 * 1024, 0x62);
      }
    }
    return ctx.response.stream(big());
  });
  await serve(app, async (server) => {
    assert.is(await (await server.fetch('/readable')).text(), 'abc');
    const res = await server.fetch('/big');
    assert.is(res.headers.get('transfer-encoding'), 'chunked');
    // The client has not read yet: the producer must have been held back by backpressure.
    await tick();
    await tick();
    assert.ok(produced < 64, `produced ${produced} chunks before the client read any`);
    assert.is((await res.arrayBuffer()).byteLength, 64 * 64 * 1024);
  });
});

test('stream(): a source failing after the headers aborts the exchange; before, it is a 500', async () => {
  const logger = new MemoryLogger();
  const app = new ApplicationBuilder(undefined, { logger }).run((ctx: HttpContext) => {
    const late = ctx.request.path === '/late';
    async function* failing(): AsyncGenerator<string> {
      if (late) {
        yield 'first chunk';
        await tick();
      }
      throw new Error('disk read failed');
    }
    return ctx.response.stream(failing());
  });
  await serve(app, async (server) => {
    const early = await server.fetch('/early');
    assert.is(early.status, 500);
    assert.is(await early.text(), '');
    let failed = false;
    try {
      await (await server.fetch('/late')).text();
    } catch {
      failed = true;
    }
    assert.ok(failed, 'a cut-off stream must not look complete');
    assert.is(logger.errors().length, 2);
  });
});

test('send() refuses what it cannot send', async () => {
  const app = new ApplicationBuilder().run((ctx) => {
    try {
      ctx.response.send({ a: 1 } as never);
    } catch (err) {
      ctx.response.send((err as { code: string }).code);
    }
  });
  await serve(app, async (server) => {
    assert.is(await (await server.fetch('/')).text(), 'ERR_TIERCEL_INVALID_BODY');
  });
});

test('an HttpError thrown after send() does not change the response', async () => {
  const logger = new MemoryLogger();
  const app = new ApplicationBuilder(undefined, { logger }).run((ctx) => {
    ctx.response.send('sent');
    throw new HttpError(400);
  });
  await serve(app, async (server) => {
    const res = await server.fetch('/');
    assert.is(res.status, 200);
    assert.is(await res.text(), 'sent');
    const second = await server.fetch('/');
    assert.is(await second.text(), 'sent', 'the connection is still usable');
  });
});

test.run();
