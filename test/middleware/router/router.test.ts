// The router through the public API, over HTTP/1.1 (TestServer) and HTTP/2 (h2c on TCP):
// parameters, constraints, wildcards, per-method handlers, 405 with Allow, fall-through on 404.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NextCalledTwiceError } from '../../../connection/index.js';
import { Router, RouterConfigError, ROUTER_DEFAULTS } from '../../../middleware/index.js';
import { ApplicationBuilder, HttpError, type HttpContext } from '../../../pipeline/index.js';
import { overBoth, type Client } from '../support.js';

const describe = (ctx: HttpContext): void => ctx.response.json({ method: ctx.request.method, template: ctx.route?.template, params: ctx.route?.params });

function app(): ApplicationBuilder {
  const router = new Router()
    .get('/users/:id', describe)
    .put('/users/:id', describe)
    .get('/orders/:id(^\\d+$)', describe)
    .get('/files/*', describe)
    .get('/a/:x/b/:y', describe)
    .post('/things', (ctx) => {
      ctx.response.status = 201;
      ctx.response.send('made');
    });
  return new ApplicationBuilder()
    .use(router.middleware())
    .run((ctx) => ctx.response.send(`fell through: ${ctx.request.path}`));
}

function both(name: string, fn: (c: Client) => Promise<void>): void {
  test(`${name} (HTTP/1.1, then HTTP/2)`, () => overBoth(app, fn));
}

both('a parameter is matched and decoded; the template and values are on ctx.route', async (c) => {
  const res = await c.request('/users/42');
  assert.is(res.status, 200);
  assert.equal(res.json(), { method: 'GET', template: '/users/:id', params: { id: '42' } });
  assert.equal((await c.request('/users/J%C3%BCrgen')).json<{ params: unknown }>().params, { id: 'Jürgen' });
  assert.equal((await c.request('/a/1/b/2')).json<{ params: unknown }>().params, { x: '1', y: '2' });
});

both('a decoded %, ? or # in the path is data, never decoded twice or taken as a query', async (c) => {
  assert.equal((await c.request('/users/50%2541')).json<{ params: unknown }>().params, { id: '50%41' });
  assert.equal((await c.request('/users/a%3Fb')).json<{ params: unknown }>().params, { id: 'a?b' });
  assert.equal((await c.request('/users/a%23b?q=1')).json<{ params: unknown }>().params, { id: 'a#b' });
});

both('a constraint: a value that breaks it does not match (falls through)', async (c) => {
  assert.equal((await c.request('/orders/17')).json<{ params: unknown }>().params, { id: '17' });
  const res = await c.request('/orders/abc');
  assert.is(res.status, 200);
  assert.is(res.text(), 'fell through: /orders/abc');
});

both('a wildcard takes the rest of the path', async (c) => {
  assert.equal((await c.request('/files/a/b/c.txt')).json<{ params: unknown }>().params, { '*': 'a/b/c.txt' });
});

both('per-method handlers; a path with routes for other methods only is a 405 with Allow', async (c) => {
  const put = await c.request('/users/7', { method: 'PUT' });
  assert.equal(put.json<{ method: string }>().method, 'PUT');
  const del = await c.request('/users/7', { method: 'DELETE' });
  assert.is(del.status, 405);
  assert.is(del.headers.allow, 'GET, HEAD, PUT');
  const get = await c.request('/things');
  assert.is(get.status, 405);
  assert.is(get.headers.allow, 'POST');
  const post = await c.request('/things', { method: 'POST', body: 'x' });
  assert.is(post.status, 201);
});

both('HEAD is answered by the GET route, without a body', async (c) => {
  const res = await c.request('/users/9', { method: 'HEAD' });
  assert.is(res.status, 200);
  assert.is(res.body.length, 0);
  assert.match(res.headers['content-type'] ?? '', /application\/json/);
});

both('no route: the request falls through to the rest of the pipeline', async (c) => {
  assert.is((await c.request('/nowhere')).text(), 'fell through: /nowhere');
  assert.is((await c.request('/users')).text(), 'fell through: /users');
  assert.is((await c.request('/Users/1')).text(), 'fell through: /Users/1');
});

test('a parameter longer than maxParamLength does not match', () =>
  overBoth(
    () => new ApplicationBuilder().use(new Router({ maxParamLength: 8 }).get('/u/:id', describe).middleware()).run((ctx) => ctx.response.send('no')),
    async (c) => {
      assert.is((await c.request('/u/12345678')).status, 200);
      assert.is((await c.request('/u/123456789')).text(), 'no');
    },
  ));

test('options: case-insensitive and trailing-slash matching when asked for', () =>
  overBoth(
    () => new ApplicationBuilder().use(new Router({ caseSensitive: false, ignoreTrailingSlash: true }).get('/Users/:id', describe).middleware()),
    async (c) => {
      const res = await c.request('/USERS/Ab/');
      assert.is(res.status, 200);
      assert.equal(res.json<{ params: unknown }>().params, { id: 'Ab' });
    },
  ));

test('a route of several handlers runs them in order; next() after the last continues the pipeline', () =>
  overBoth(
    () => {
      const seen: string[] = [];
      const router = new Router()
        .get(
          '/chain/:n',
          async (ctx, next) => {
            seen.push(`first ${ctx.route?.params.n}`);
            await next();
            seen.push('first after');
          },
          (_ctx, next) => {
            seen.push('second');
            return next();
          },
        )
        .get(
          '/twice',
          (ctx, next) => {
            void next();
            try {
              void next();
            } catch (err) {
              ctx.response.send((err as NextCalledTwiceError).code);
            }
          },
          () => undefined,
        );
      return new ApplicationBuilder().use(router.middleware()).run((ctx) => ctx.response.send(seen.splice(0).join(',')));
    },
    async (c) => {
      assert.is((await c.request('/chain/3')).text(), 'first 3,second');
      assert.is((await c.request('/twice')).text(), 'ERR_TIERCEL_NEXT_CALLED_TWICE');
    },
  ));

test('inside map(), templates are relative to pathBase', () =>
  overBoth(
    () => new ApplicationBuilder().map('/api', (b) => b.use(new Router().get('/', describe).get('/users/:id', describe).middleware())),
    async (c) => {
      assert.equal((await c.request('/api/users/5')).json<{ template: string }>().template, '/users/:id');
      assert.equal((await c.request('/api')).json<{ template: string }>().template, '/');
    },
  ));

test('an HttpError thrown by a route reaches the pipeline', () =>
  overBoth(
    () =>
      new ApplicationBuilder().use(
        new Router()
          .get('/teapot', () => {
            throw new HttpError(418, 'short and stout');
          })
          .middleware(),
      ),
    async (c) => {
      const res = await c.request('/teapot');
      assert.is(res.status, 418);
      assert.is(res.text(), 'short and stout');
    },
  ));

test('every method shorthand registers its method; allowedMethods lists what a path answers', () => {
  const router = new Router()
    .get('/r', describe)
    .post('/r', describe)
    .put('/r', describe)
    .patch('/r', describe)
    .delete('/r', describe)
    .options('/r', describe)
    .on(['GET', 'POST'], '/s/:id', describe);
  assert.equal(router.allowedMethods('/r'), ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
  assert.equal(router.allowedMethods('/s/a%25b'), ['GET', 'HEAD', 'POST']);
  assert.equal(router.allowedMethods('/nothing'), []);
  return overBoth(
    () => new ApplicationBuilder().use(router.middleware()),
    async (c) => {
      for (const method of ['PATCH', 'DELETE', 'OPTIONS']) assert.is((await c.request('/r', { method })).json<{ method: string }>().method, method);
      assert.is((await c.request('/s/1', { method: 'POST', body: '' })).json<{ template: string }>().template, '/s/:id');
    },
  );
});

test('configuration errors are coded and state the rule', () => {
  const code = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (err) {
      assert.instance(err, RouterConfigError);
      return (err as RouterConfigError).code;
    }
    return undefined;
  };
  assert.is(code(() => new Router({ nope: 1 } as never)), 'ERR_TIERCEL_ROUTER_CONFIG');
  assert.is(code(() => new Router({ maxParamLength: 0 })), 'ERR_TIERCEL_ROUTER_CONFIG');
  assert.is(code(() => new Router({ caseSensitive: 'yes' as never })), 'ERR_TIERCEL_ROUTER_CONFIG');
  assert.is(code(() => new Router().get('users', describe)), 'ERR_TIERCEL_ROUTER_CONFIG');
  assert.is(code(() => new Router().get('/x')), 'ERR_TIERCEL_ROUTER_CONFIG');
  assert.is(code(() => new Router().get('/x', 'no' as never)), 'ERR_TIERCEL_ROUTER_CONFIG');
  assert.is(code(() => new Router().on([], '/x', describe)), 'ERR_TIERCEL_ROUTER_CONFIG');
  assert.is(code(() => new Router().on('BREW', '/x', describe)), 'ERR_TIERCEL_ROUTER_CONFIG');
  assert.is(code(() => new Router().get('/x', describe).get('/x', describe)), 'ERR_TIERCEL_ROUTER_CONFIG');
  assert.is(code(() => new Router().get('/x/:id(^(a+)+$)', describe)), 'ERR_TIERCEL_ROUTER_CONFIG');
  assert.is(ROUTER_DEFAULTS.maxParamLength, 100);
});

test('an explicit HEAD replaces the one implied by GET, in either order', () =>
  overBoth(
    () =>
      new ApplicationBuilder().use(
        new Router()
          .get('/g', (ctx) => ctx.response.send('get'))
          .head('/g', (ctx) => {
            ctx.response.headers.set('x-head', 'own');
            ctx.response.end();
          })
          .head('/h', (ctx) => {
            ctx.response.headers.set('x-head', 'own');
            ctx.response.end();
          })
          .get('/h', (ctx) => ctx.response.send('get'))
          .middleware(),
      ),
    async (c) => {
      assert.is((await c.request('/g', { method: 'HEAD' })).headers['x-head'], 'own');
      assert.is((await c.request('/h', { method: 'HEAD' })).headers['x-head'], 'own');
      assert.is((await c.request('/h')).text(), 'get');
    },
  ));

test.run();
