import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { container as rootContainer, Lifecycle, type DependencyContainer } from 'tsyringe';
import { LOGGER } from '../../di/tokens.js';
import { ApplicationBuilder, HttpError, PipelineConfigError, type HttpContext } from '../../pipeline/index.js';
import { MemoryLogger, rawBody, rawExchange, serve } from './support.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('runs middleware in order, around next(), sync and async mixed', async () => {
  const trace: string[] = [];
  const app = new ApplicationBuilder()
    .use(async (_ctx, next) => {
      trace.push('a>');
      await next();
      trace.push('<a');
    })
    .use((_ctx, next) => {
      trace.push('b>');
      const r = next();
      trace.push('<b');
      return r;
    })
    .use(async (_ctx, next) => {
      await tick();
      trace.push('c');
      return next();
    })
    .run((ctx) => {
      trace.push('handler');
      ctx.response.send('done');
    });
  await serve(app, async (server) => {
    const res = await server.fetch('/');
    assert.is(res.status, 200);
    assert.is(await res.text(), 'done');
    assert.equal(trace, ['a>', 'b>', '<b', 'c', 'handler', '<a']);
  });
});

test('waits for the rest of the pipeline when a sync middleware drops the promise of next()', async () => {
  const app = new ApplicationBuilder()
    .use((ctx, next) => {
      ctx.response.headers.set('x-first', '1');
      void next();
    })
    .run(async (ctx) => {
      await tick();
      ctx.response.send('late');
    });
  await serve(app, async (server) => {
    const res = await server.fetch('/');
    assert.is(res.headers.get('x-first'), '1');
    assert.is(await res.text(), 'late');
  });
});

test('answers 404 when nobody answers, and lets an outer middleware replace the 404', async () => {
  const app = new ApplicationBuilder()
    .map('/spa', (spa) =>
      spa.use(async (ctx, next) => {
        await next();
        if (ctx.response.status === 404 && !ctx.response.headersSent) {
          ctx.response.status = 200;
          ctx.response.send('index.html');
        }
      }),
    )
    .use((_ctx, next) => next());
  await serve(app, async (server) => {
    const res = await server.fetch('/nothing-here');
    assert.is(res.status, 404);
    assert.is(res.headers.get('content-length'), '0');
    assert.is(await res.text(), '');
    const spa = await server.fetch('/spa/deep/link');
    assert.is(spa.status, 200);
    assert.is(await spa.text(), 'index.html');
  });
});

test('a middleware that answers without calling next ends the pipeline', async () => {
  let reached = false;
  const app = new ApplicationBuilder()
    .use((ctx) => {
      ctx.response.status = 204;
    })
    .run(() => {
      reached = true;
    });
  await serve(app, async (server) => {
    const res = await server.fetch('/');
    assert.is(res.status, 204);
    assert.not.ok(reached);
  });
});

test('map() matches whole segments case-insensitively and moves the prefix to pathBase', async () => {
  const seen: string[] = [];
  const app = new ApplicationBuilder()
    .use(async (ctx, next) => {
      await next();
      // Restored after the branch returns.
      seen.push(`after ${ctx.request.pathBase}|${ctx.request.path}`);
    })
    .map('/api', (api) => {
      api.map('/v1', (v1) =>
        v1.run(async (ctx) => {
          await tick();
          ctx.response.send(`v1 ${ctx.request.pathBase}|${ctx.request.path}`);
        }),
      );
      api.run((ctx) => ctx.response.send(`api ${ctx.request.pathBase}|${ctx.request.path}`));
    })
    .run((ctx) => ctx.response.send(`main ${ctx.request.pathBase}|${ctx.request.path}`));
  await serve(app, async (server) => {
    const get = async (path: string): Promise<string> => (await server.fetch(path)).text();
    assert.is(await get('/api'), 'api /api|');
    assert.is(await get('/API/users?x=1'), 'api /API|/users');
    assert.is(await get('/api/'), 'api /api|/');
    assert.is(await get('/apix'), 'main |/apix');
    assert.is(await get('/api/v1/things'), 'v1 /api/v1|/things');
    assert.is(await get('/Api/V1'), 'v1 /Api/V1|');
    assert.is(await get('/other/api'), 'main |/other/api');
    assert.equal(seen, [
      'after |/api',
      'after |/API/users',
      'after |/api/',
      'after |/apix',
      'after |/api/v1/things',
      'after |/Api/V1',
      'after |/other/api',
    ]);
  });
});

test('a map() branch that does not answer is a 404; it does not fall back to the main pipeline', async () => {
  const app = new ApplicationBuilder()
    .map('/empty', (b) => b.use((_ctx, next) => next()))
    .run((ctx) => ctx.response.send('main'));
  await serve(app, async (server) => {
    assert.is((await server.fetch('/empty/x')).status, 404);
    assert.is(await (await server.fetch('/x')).text(), 'main');
  });
});

test('when() runs its branch for matching requests, then rejoins the main pipeline', async () => {
  const app = new ApplicationBuilder()
    .when(
      (ctx) => ctx.request.headers.has('x-tag'),
      (b) =>
        b.use(async (ctx, next) => {
          await tick();
          ctx.response.headers.set('x-tagged', 'yes');
          return next();
        }),
    )
    .when(
      (ctx) => ctx.request.path === '/stop',
      (b) => b.run((ctx) => ctx.response.send('stopped in branch')),
    )
    .run((ctx) => ctx.response.send(`main ${ctx.response.headers.get('x-tagged') ?? 'no'}`));
  await serve(app, async (server) => {
    const tagged = await server.fetch('/', { headers: { 'x-tag': '1' } });
    assert.is(tagged.headers.get('x-tagged'), 'yes');
    assert.is(await tagged.text(), 'main yes');
    assert.is(await (await server.fetch('/')).text(), 'main no');
    assert.is(await (await server.fetch('/stop')).text(), 'stopped in branch');
  });
});

test('an unknown error is a 500 that leaks nothing, logged to the logger given', async () => {
  const logger = new MemoryLogger();
  const app = new ApplicationBuilder(undefined, { logger })
    .use((ctx, next) => {
      ctx.response.headers.set('x-app', 'set before the failure');
      return next();
    })
    .map('/async', (b) =>
      b.run(async () => {
        await tick();
        throw new Error('db password is hunter2');
      }),
    )
    .run(() => {
      throw new Error('db password is hunter2');
    });
  await serve(app, async (server) => {
    for (const path of ['/sync', '/async']) {
      const res = await server.fetch(path);
      assert.is(res.status, 500, path);
      assert.is(res.headers.get('x-app'), null, 'headers set for the failed response are dropped');
      const body = await res.text();
      assert.not.ok(body.includes('hunter2'), path);
      assert.is(body, '');
    }
    const errors = logger.errors();
    assert.is(errors.length, 2);
    assert.is((errors[0].fields?.err as Error).message, 'db password is hunter2');
    assert.is(errors[1].fields?.target, '/async');
  });
});

test('logs through the LOGGER of the builder\'s container', async () => {
  const logger = new MemoryLogger();
  const services = rootContainer.createChildContainer();
  services.register(LOGGER, { useValue: logger });
  const app = new ApplicationBuilder(services).run(() => {
    throw new TypeError('boom');
  });
  await serve(app, async (server) => {
    assert.is((await server.fetch('/')).status, 500);
    assert.is(logger.errors().length, 1);
  });
});

test('an HttpError answers with its status, its headers, and its message only when exposed', async () => {
  const app = new ApplicationBuilder().run((ctx) => {
    switch (ctx.request.path) {
      case '/403':
        throw new HttpError(403, 'Members only');
      case '/401':
        throw new HttpError(401, 'token expired at 12:00', { expose: false, headers: { 'www-authenticate': 'Bearer' } });
      case '/503':
        throw new HttpError(503, 'replica db-3 is down', { headers: { 'retry-after': 30 } });
      case '/503-exposed':
        throw new HttpError(503, 'Down for maintenance', { expose: true });
      default:
        return Promise.reject(new HttpError(422));
    }
  });
  await serve(app, async (server) => {
    let res = await server.fetch('/403');
    assert.is(res.status, 403);
    assert.is(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.is(await res.text(), 'Members only');

    res = await server.fetch('/401');
    assert.is(res.status, 401);
    assert.is(res.headers.get('www-authenticate'), 'Bearer');
    assert.is(await res.text(), '');

    res = await server.fetch('/503');
    assert.is(res.status, 503);
    assert.is(res.headers.get('retry-after'), '30');
    assert.is(await res.text(), '');

    res = await server.fetch('/503-exposed');
    assert.is(await res.text(), 'Down for maintenance');

    res = await server.fetch('/other');
    assert.is(res.status, 422);
    assert.is(await res.text(), 'Unprocessable Content');
  });
});

test('HttpError takes only 4xx and 5xx, and exposes 4xx by default', () => {
  assert.is(new HttpError(404).expose, true);
  assert.is(new HttpError(500).expose, false);
  assert.is(new HttpError(400).code, 'ERR_TIERCEL_HTTP_ERROR');
  assert.is(new HttpError(400, 'x', { code: 'ERR_APP_X' }).code, 'ERR_APP_X');
  assert.is(new HttpError(404).message, 'Not Found');
  for (const bad of [200, 302, 600, 404.5]) {
    assert.throws(() => new HttpError(bad), (err: { code?: string }) => err.code === 'ERR_TIERCEL_INVALID_STATUS');
  }
});

test('an error after the headers went out aborts the connection', async () => {
  const logger = new MemoryLogger();
  const app = new ApplicationBuilder(undefined, { logger }).run(async (ctx) => {
    ctx.response.write('partial ');
    await tick();
    throw new Error('mid-stream failure');
  });
  await serve(app, async (server) => {
    let failed = false;
    try {
      const res = await server.fetch('/');
      assert.is(res.status, 200);
      await res.text();
    } catch {
      failed = true;
    }
    assert.ok(failed, 'the client must not see a complete response');
    assert.is(logger.errors().length, 1);
  });
});

test('calling next() twice is an error', async () => {
  const logger = new MemoryLogger();
  const app = new ApplicationBuilder(undefined, { logger })
    .use(async (_ctx, next) => {
      await next();
      await next();
    })
    .use((_ctx, next) => next());
  await serve(app, async (server) => {
    const res = await server.fetch('/');
    assert.is(res.status, 500);
    assert.is((logger.errors()[0].fields?.err as { code?: string }).code, 'ERR_TIERCEL_NEXT_CALLED_TWICE');
  });
});

test('a response the app started but did not end is ended for it', async () => {
  const app = new ApplicationBuilder().run(async (ctx) => {
    ctx.response.headers.set('content-type', 'text/plain');
    ctx.response.write('started');
    await tick();
    ctx.response.write(' and left open');
  });
  await serve(app, async (server) => {
    const res = await server.fetch('/');
    assert.is(await res.text(), 'started and left open');
  });
});

class RequestClock {
  static created = 0;
  static disposed = 0;
  readonly n = ++RequestClock.created;
  dispose(): void {
    RequestClock.disposed++;
  }
}

test('ctx.services is a request scope, disposed after the request', async () => {
  const services = rootContainer.createChildContainer();
  services.register(RequestClock, { useClass: RequestClock }, { lifecycle: Lifecycle.ContainerScoped });
  const app = new ApplicationBuilder(services)
    .use((ctx, next) => {
      ctx.items.set('first', ctx.services.resolve(RequestClock));
      return next();
    })
    .run(async (ctx) => {
      await tick();
      const clock = ctx.services.resolve(RequestClock);
      assert.is(clock, ctx.items.get('first'), 'one instance per request');
      assert.is(RequestClock.disposed, RequestClock.created - 1, 'not disposed while the request runs');
      ctx.response.send(String(clock.n));
    });
  await serve(app, async (server) => {
    assert.is(await (await server.fetch('/')).text(), '1');
    assert.is(await (await server.fetch('/')).text(), '2');
    assert.is(RequestClock.created, 2);
    await tick();
    assert.is(RequestClock.disposed, 2);
  });
});

test('ctx.services works without a container given', async () => {
  const app = new ApplicationBuilder().run((ctx) => {
    const scope: DependencyContainer = ctx.services;
    ctx.response.send(String(scope.isRegistered(RequestClock, true)));
  });
  await serve(app, async (server) => {
    assert.is(await (await server.fetch('/')).text(), 'false');
  });
});

test('ctx exposes the connection, features, items and the exchange', async () => {
  const app = new ApplicationBuilder().run((ctx: HttpContext) => {
    const c = ctx.connection;
    ctx.response.json({
      id: typeof c.id === 'string' && c.id.length > 0,
      sameId: c.id === ctx.exchange.connection.id,
      transport: c.transport,
      remote: c.remoteEndpoint.kind,
      features: [...ctx.features].length,
      items: ctx.items.size,
      aborted: ctx.signal.aborted,
    });
  });
  await serve(app, async (server) => {
    assert.equal(await (await server.fetch('/')).json(), {
      id: true,
      sameId: true,
      transport: 'memory',
      remote: 'memory',
      features: 0,
      items: 0,
      aborted: false,
    });
  });
});

test('ctx.signal fires when the client goes away', async () => {
  let entered!: () => void;
  const inHandler = new Promise<void>((r) => (entered = r));
  let sawAbort!: (reason: unknown) => void;
  const aborted = new Promise<unknown>((r) => (sawAbort = r));
  const app = new ApplicationBuilder().run((ctx) => {
    ctx.signal.addEventListener('abort', () => sawAbort(ctx.signal.reason));
    ctx.response.write('waiting…');
    entered();
    return aborted.then(() => undefined);
  });
  await serve(app, async (server) => {
    const controller = new AbortController();
    const res = await server.fetch('/', { signal: controller.signal });
    await inHandler;
    assert.is(res.status, 200);
    controller.abort();
    await aborted;
  });
});

test('refuses a bad composition at configuration time', () => {
  const code = (err: { code?: string }): boolean => err instanceof PipelineConfigError && err.code === 'ERR_TIERCEL_PIPELINE_CONFIG';
  for (const prefix of ['/', 'api', '/api/', '']) assert.throws(() => new ApplicationBuilder().map(prefix, () => {}), code, prefix);
  const ran = new ApplicationBuilder().run(() => {});
  assert.throws(() => ran.use((_c, n) => n()), code);
  assert.throws(() => ran.run(() => {}), code);
  assert.throws(() => ran.map('/x', () => {}), code);
  assert.throws(() => new ApplicationBuilder().use('nope' as never), code);
  assert.throws(() => new ApplicationBuilder(undefined, { loger: {} } as never), code);
});

test('the built application is a plain HttpApplication, usable detached', async () => {
  const { handle } = new ApplicationBuilder().run((ctx) => ctx.response.send('detached')).build();
  await serve({ handle }, async (server) => {
    assert.is(await (await server.fetch('/')).text(), 'detached');
  });
});

test('raw: a request to an unmapped path gets an empty 404', async () => {
  await serve(new ApplicationBuilder(), async (server) => {
    const response = await rawExchange(server, 'GET /x HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n');
    assert.ok(response.startsWith('HTTP/1.1 404 Not Found\r\n'), response);
    assert.is(rawBody(response), '');
  });
});

test.run();
