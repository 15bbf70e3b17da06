import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Readable } from 'node:stream';
import { ApplicationBuilder, type HttpContext } from '../../pipeline/index.js';
import { MemoryLogger, rawBody, rawExchange, serve } from './support.js';

function describe(ctx: HttpContext): Record<string, unknown> {
  const r = ctx.request;
  return {
    method: r.method,
    path: r.path,
    pathBase: r.pathBase,
    rawTarget: r.rawTarget,
    queryString: r.queryString,
    query: Object.fromEntries(r.query),
    protocol: r.protocol,
    host: r.host,
    contentLength: r.contentLength,
    hasBody: r.hasBody,
  };
}

/** The response body as JSON, typed loosely for assertions. */
const json = async (res: { json(): Promise<unknown> }): Promise<Record<string, unknown>> => (await res.json()) as Record<string, unknown>;

const describeApp = (): ApplicationBuilder => new ApplicationBuilder().run((ctx) => ctx.response.json(describe(ctx)));

test('exposes the request line, the query and the host', async () => {
  await serve(describeApp(), async (server) => {
    const res = await server.fetch('/caf%C3%A9/a%2Fb?x=1&y=two%20words&x=2', { headers: { 'x-a': '1' } });
    assert.equal(await res.json(), {
      method: 'GET',
      path: '/café/a%2Fb',
      pathBase: '',
      rawTarget: '/caf%C3%A9/a%2Fb?x=1&y=two%20words&x=2',
      queryString: '?x=1&y=two%20words&x=2',
      query: { x: '2', y: 'two words' },
      protocol: 'HTTP/1.1',
      host: 'tiercel.test',
      contentLength: -1,
      hasBody: false,
    });
  });
});

test('query is lazily parsed and shows every value', async () => {
  const app = new ApplicationBuilder().run((ctx) => ctx.response.json(ctx.request.query.getAll('x')));
  await serve(app, async (server) => {
    assert.equal(await (await server.fetch('/?x=1&x=2')).json(), ['1', '2']);
    assert.equal(await (await server.fetch('/')).json(), []);
  });
});

test('raw targets: dot segments, absolute-form and asterisk-form', async () => {
  await serve(describeApp(), async (server) => {
    const ask = async (line: string): Promise<Record<string, unknown>> =>
      JSON.parse(rawBody(await rawExchange(server, `${line}\r\nhost: from-header\r\nconnection: close\r\n\r\n`)));

    let d = await ask('GET /public/../admin/./x HTTP/1.1');
    assert.is(d.path, '/admin/x');
    assert.is(d.rawTarget, '/public/../admin/./x');

    d = await ask('GET /a/%2E%2E/b?q HTTP/1.1');
    assert.is(d.path, '/b');
    assert.is(d.queryString, '?q');

    d = await ask('GET http://example.com:8080/abs/path?q=1 HTTP/1.1');
    assert.is(d.path, '/abs/path');
    assert.is(d.queryString, '?q=1');
    assert.is(d.host, 'example.com:8080', 'absolute-form authority wins over Host (RFC 9112 §3.2.2)');

    d = await ask('OPTIONS * HTTP/1.1');
    assert.is(d.path, '*');
    assert.is(d.host, 'from-header');

    d = await ask('GET /x HTTP/1.0');
    assert.is(d.protocol, 'HTTP/1.0');
  });
});

const echo = (read: (ctx: HttpContext) => Promise<unknown>) =>
  new ApplicationBuilder().run(async (ctx) => {
    const value = await read(ctx);
    ctx.response.json({ value: Buffer.isBuffer(value) ? `buffer:${value.toString('hex')}` : value, contentLength: ctx.request.contentLength });
  });

test('text(), json() and buffer() read the body', async () => {
  await serve(echo((ctx) => ctx.request.text()), async (server) => {
    const res = await server.fetch('/', { method: 'POST', body: 'héllo' });
    assert.equal(await res.json(), { value: 'héllo', contentLength: 6 });
    const empty = await server.fetch('/', { method: 'POST' });
    assert.equal((await json(empty)).value, '');
  });
  await serve(echo((ctx) => ctx.request.json()), async (server) => {
    const res = await server.fetch('/', { method: 'POST', body: '{"a":[1,2]}', headers: { 'content-type': 'application/json' } });
    assert.equal((await json(res)).value, { a: [1, 2] });
  });
  await serve(echo((ctx) => ctx.request.buffer()), async (server) => {
    const res = await server.fetch('/', { method: 'POST', body: new Uint8Array([0, 1, 254, 255]) });
    assert.equal((await json(res)).value, 'buffer:0001feff');
  });
});

/** A chunked request body: several pieces, no content-length. */
function chunkedBody(pieces: string[]): { body: ReadableStream<Uint8Array>; duplex: 'half' } {
  const body = Readable.toWeb(Readable.from(pieces.map((p) => Buffer.from(p)))) as ReadableStream<Uint8Array>;
  return { body, duplex: 'half' };
}

test('reads a chunked body of several pieces', async () => {
  await serve(echo((ctx) => ctx.request.text()), async (server) => {
    const res = await server.fetch('/', { method: 'POST', ...chunkedBody(['one ', 'two ', 'three']) } as never);
    assert.equal(await res.json(), { value: 'one two three', contentLength: -1 });
  });
});

test('body iterates chunks and stream() is a Readable', async () => {
  await serve(
    echo(async (ctx) => {
      let s = '';
      for await (const chunk of ctx.request.body) s += chunk.toString();
      return s;
    }),
    async (server) => {
      const res = await server.fetch('/', { method: 'POST', ...chunkedBody(['a', 'b', 'c']) } as never);
      assert.is((await json(res)).value, 'abc');
    },
  );
  await serve(
    echo(async (ctx) => {
      const stream = ctx.request.stream();
      assert.instance(stream, Readable);
      const parts: Buffer[] = [];
      for await (const chunk of stream) parts.push(chunk as Buffer);
      return Buffer.concat(parts).length;
    }),
    async (server) => {
      const big = Buffer.alloc(3 * 1024 * 1024, 7);
      const res = await server.fetch('/', { method: 'POST', body: big });
      assert.is((await json(res)).value, big.length);
    },
  );
});

test('invalid JSON is a 400 that says so', async () => {
  await serve(echo((ctx) => ctx.request.json()), async (server) => {
    for (const body of ['{"a":', '', 'undefined']) {
      const res = await server.fetch('/', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      assert.is(res.status, 400, JSON.stringify(body));
      assert.is(await res.text(), 'The request body is not valid JSON');
    }
  });
});

test('a body over the limit is a 413, declared or chunked, for every helper', async () => {
  const logger = new MemoryLogger();
  const app = new ApplicationBuilder(undefined, { logger }).run(async (ctx) => {
    ctx.request.maxBodySize = 10;
    switch (ctx.request.path) {
      case '/text':
        return void ctx.response.send(await ctx.request.text());
      case '/json':
        return void ctx.response.json(await ctx.request.json());
      case '/stream':
        return ctx.response.stream(ctx.request.stream());
      default: {
        let n = 0;
        for await (const chunk of ctx.request.body) n += chunk.length;
        return void ctx.response.send(String(n));
      }
    }
  });
  await serve(app, async (server) => {
    for (const path of ['/text', '/json', '/stream', '/body']) {
      const declared = await server.fetch(path, { method: 'POST', body: '0123456789abcdef' });
      assert.is(declared.status, 413, `${path} declared`);
      const chunked = await server.fetch(path, { method: 'POST', ...chunkedBody(['01234', '56789', 'abcdef']) } as never);
      if (path === '/stream') {
        // The echo had started its response before the limit was hit: the only signal left is
        // a connection cut before the body ends.
        const complete = await chunked.text().then(() => true, () => false);
        assert.ok(chunked.status === 413 || !complete, `${path} chunked`);
      } else {
        assert.is(chunked.status, 413, `${path} chunked`);
        await chunked.text();
      }
    }
    const ok = await server.fetch('/text', { method: 'POST', body: '0123456789' });
    assert.is(await ok.text(), '0123456789');
    assert.is(logger.errors().length, 0, 'a 413 is the client\'s error, not logged as a server error');
  });
});

test('the limit also applies when the endpoint sets it', async () => {
  const app = new ApplicationBuilder().run(async (ctx) => ctx.response.send(await ctx.request.text()));
  await serve(
    app,
    async (server) => {
      assert.is((await server.fetch('/', { method: 'POST', body: 'x'.repeat(33) })).status, 413);
      assert.is(await (await server.fetch('/', { method: 'POST', body: 'x'.repeat(32) })).text(), 'x'.repeat(32));
    },
    { http: { limits: { maxRequestBodySize: 32 } } },
  );
});

test('reading the body twice is a clear error', async () => {
  const app = new ApplicationBuilder().run(async (ctx) => {
    await ctx.request.text();
    const codes: string[] = [];
    for (const again of [() => ctx.request.text(), () => ctx.request.json(), () => ctx.request.buffer()]) {
      await again().catch((err: { code: string }) => codes.push(err.code));
    }
    for (const again of [() => ctx.request.stream(), () => ctx.request.body]) {
      try {
        again();
      } catch (err) {
        codes.push((err as { code: string }).code);
      }
    }
    ctx.response.json({ codes, used: ctx.request.bodyUsed });
  });
  await serve(app, async (server) => {
    const res = await server.fetch('/', { method: 'POST', body: 'x' });
    assert.equal(await res.json(), { codes: Array(5).fill('ERR_TIERCEL_BODY_ALREADY_READ'), used: true });
  });
});

test('path can be rewritten by middleware', async () => {
  const app = new ApplicationBuilder()
    .use((ctx, next) => {
      if (ctx.request.path === '/old') ctx.request.path = '/new';
      return next();
    })
    .map('/new', (b) => b.run((ctx) => ctx.response.send(`new ${ctx.request.queryString}`)));
  await serve(app, async (server) => {
    assert.is(await (await server.fetch('/old?k=v')).text(), 'new ?k=v');
  });
});

test('each request on a connection gets its own path and query, the same target again or another', async () => {
  // A rewrite of one request's path must not leak into the next request with the same target.
  let rewrites = 0;
  const app = new ApplicationBuilder()
    .use((ctx, next) => {
      if (ctx.request.rawTarget === '/a?x=1' && rewrites++ === 0) ctx.request.path = '/rewritten';
      return next();
    })
    .run((ctx) => ctx.response.send(`${ctx.request.path}|${ctx.request.queryString}`));
  await serve(app, async (server) => {
    const targets = ['/a?x=1', '/a?x=1', '/b', '/a?y', '/a?y', '/c/%2E%2E/d?q', '/c/%2E%2E/d?q', '/b', '*'];
    const methods = targets.map((t) => (t === '*' ? 'OPTIONS' : 'GET'));
    const raw = targets.map((t, i) => `${methods[i]} ${t} HTTP/1.1\r\nhost: x\r\n${i === targets.length - 1 ? 'connection: close\r\n' : ''}\r\n`).join('');
    const response = await rawExchange(server, raw);
    const bodies = response.split('HTTP/1.1 200 OK\r\n').slice(1).map((r) => r.slice(r.indexOf('\r\n\r\n') + 4));
    assert.equal(bodies, ['/rewritten|?x=1', '/a|?x=1', '/b|', '/a|?y', '/a|?y', '/d|?q', '/d|?q', '/b|', '*|']);
  });
});

test('header lookups find their own field whatever the case of the name and whatever was asked before', async () => {
  // Each lookup lower-cases its name through a one-entry memo: a name asked after another (or the
  // same name in another case) must not be answered with the other one's field.
  const app = new ApplicationBuilder().run((ctx) => {
    const h = ctx.request.headers;
    ctx.response.json([h.has('Origin'), h.get('ORIGIN'), h.get('x-a'), h.has('x-missing'), h.get('origin'), h.get('X-A'), h.getAll('X-B'), h.get('x-b'), h.has('X-A')]);
  });
  await serve(app, async (server) => {
    for (let i = 0; i < 2; i++) {
      const res = await server.fetch('/', { headers: { origin: 'https://a.test', 'x-a': `one${i}`, 'x-b': 'two' } });
      assert.equal(await res.json(), [true, 'https://a.test', `one${i}`, false, 'https://a.test', `one${i}`, ['two'], 'two', true]);
    }
  });
});

test.run();
