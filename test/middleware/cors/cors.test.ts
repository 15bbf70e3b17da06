// CORS through the public API over HTTP/1.1 and HTTP/2: preflights, actual requests, origins as
// a list, a pattern and a function, credentials, Vary; and curl's view of a preflight.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cors, CorsConfigError, type CorsOptions } from '../../../middleware/index.js';
import { ApplicationBuilder } from '../../../pipeline/index.js';
import { curl } from '../../support/clients.js';
import { overBoth, withH2, type Client } from '../support.js';

function app(options: CorsOptions): () => ApplicationBuilder {
  return () =>
    new ApplicationBuilder().use(cors(options)).run((ctx) => {
      ctx.response.headers.set('x-total', '3');
      ctx.response.json({ method: ctx.request.method });
    });
}

const preflight = (c: Client, origin: string, headers: Record<string, string> = {}) =>
  c.request('/api', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'PUT', ...headers } });

test('any origin: * on actual requests, no Vary; a preflight is a 204 that never reaches the app', () =>
  overBoth(app({ origins: '*' }), async (c) => {
    const res = await c.request('/api', { headers: { origin: 'https://a.example' } });
    assert.is(res.status, 200);
    assert.is(res.headers['access-control-allow-origin'], '*');
    assert.is(res.headers.vary, undefined);
    assert.is(res.headers['access-control-allow-credentials'], undefined);
    const pre = await preflight(c, 'https://a.example', { 'access-control-request-headers': 'content-type, x-token' });
    assert.is(pre.status, 204);
    assert.is(pre.body.length, 0);
    assert.is(pre.headers['access-control-allow-origin'], '*');
    assert.is(pre.headers['access-control-allow-methods'], 'GET, HEAD, POST, PUT, PATCH, DELETE');
    assert.is(pre.headers['access-control-allow-headers'], 'content-type, x-token');
    assert.is(pre.headers['access-control-max-age'], '600');
    assert.is(pre.headers.vary, 'Access-Control-Request-Headers');
    const plain = await c.request('/api');
    assert.is(plain.headers['access-control-allow-origin'], undefined);
    const options = await c.request('/api', { method: 'OPTIONS', headers: { origin: 'https://a.example' } });
    assert.equal(options.json(), { method: 'OPTIONS' });
  }));

test('a list of origins: the allowed one is echoed with Vary: Origin; another gets no CORS headers', () =>
  overBoth(
    app({ origins: ['https://app.example', 'null'], credentials: true, exposedHeaders: ['x-total'], allowedHeaders: ['content-type'], methods: ['GET', 'PUT'], maxAgeSeconds: 60 }),
    async (c) => {
      const ok = await c.request('/api', { headers: { origin: 'https://app.example' } });
      assert.is(ok.headers['access-control-allow-origin'], 'https://app.example');
      assert.is(ok.headers['access-control-allow-credentials'], 'true');
      assert.is(ok.headers['access-control-expose-headers'], 'x-total');
      assert.is(ok.headers.vary, 'Origin');
      const other = await c.request('/api', { headers: { origin: 'https://evil.example' } });
      assert.is(other.status, 200);
      assert.is(other.headers['access-control-allow-origin'], undefined);
      assert.is(other.headers['access-control-allow-credentials'], undefined);
      assert.is(other.headers.vary, 'Origin');
      assert.is((await c.request('/api')).headers.vary, 'Origin');
      assert.is((await c.request('/api', { headers: { origin: 'null' } })).headers['access-control-allow-origin'], 'null');
      const pre = await preflight(c, 'https://app.example', { 'access-control-request-headers': 'x-other' });
      assert.is(pre.status, 204);
      assert.is(pre.headers['access-control-allow-headers'], 'content-type');
      assert.is(pre.headers['access-control-allow-methods'], 'GET, PUT');
      assert.is(pre.headers['access-control-max-age'], '60');
      assert.is(pre.headers['access-control-allow-credentials'], 'true');
      assert.is(pre.headers.vary, 'Origin');
      const refused = await preflight(c, 'https://evil.example');
      assert.is(refused.status, 204);
      assert.is(refused.headers['access-control-allow-origin'], undefined);
      assert.is(refused.headers['access-control-allow-methods'], undefined);
    },
  ));

test('a pattern and a function decide per origin', async () => {
  await overBoth(app({ origins: /^https:\/\/[a-z]+\.example\.com$/g }), async (c) => {
    for (let i = 0; i < 3; i++) assert.is((await c.request('/', { headers: { origin: 'https://a.example.com' } })).headers['access-control-allow-origin'], 'https://a.example.com');
    assert.is((await c.request('/', { headers: { origin: 'https://a.example.com.evil' } })).headers['access-control-allow-origin'], undefined);
  });
  await overBoth(app({ origins: (origin, ctx) => origin.endsWith('.test') && ctx.request.path === '/yes' }), async (c) => {
    assert.is((await c.request('/yes', { headers: { origin: 'http://x.test' } })).headers['access-control-allow-origin'], 'http://x.test');
    assert.is((await c.request('/no', { headers: { origin: 'http://x.test' } })).headers['access-control-allow-origin'], undefined);
  });
});

test('curl sees a preflight answered 204 with the allow fields', () =>
  withH2(app({ origins: ['http://site.test'] })(), async (_c, port) => {
    const res = await curl(['-s', '-i', '-X', 'OPTIONS', '-H', 'Origin: http://site.test', '-H', 'Access-Control-Request-Method: DELETE', `http://127.0.0.1:${port}/x`]);
    const head = res.stdout.toString();
    assert.match(head, /^HTTP\/1\.1 204/);
    assert.match(head, /\r\naccess-control-allow-origin: http:\/\/site\.test\r\n/i);
    assert.match(head, /\r\naccess-control-allow-methods: GET, HEAD, POST, PUT, PATCH, DELETE\r\n/i);
  }));

test('configuration errors are refused at once, with a code', () => {
  const codeOf = (options: unknown): unknown => {
    try {
      cors(options as CorsOptions);
    } catch (err) {
      assert.instance(err, CorsConfigError);
      return (err as CorsConfigError).code;
    }
    return undefined;
  };
  assert.is(codeOf(undefined), 'ERR_TIERCEL_CORS_CONFIG');
  assert.is(codeOf({}), 'ERR_TIERCEL_CORS_CONFIG');
  assert.is(codeOf({ origins: '*', credentials: true }), 'ERR_TIERCEL_CORS_CONFIG');
  assert.is(codeOf({ origins: ['https://a.example/'] }), 'ERR_TIERCEL_CORS_CONFIG');
  assert.is(codeOf({ origins: '*', methods: ['GET POST'] }), 'ERR_TIERCEL_CORS_CONFIG');
  assert.is(codeOf({ origins: '*', maxAgeSeconds: -1 }), 'ERR_TIERCEL_CORS_CONFIG');
  assert.is(codeOf({ origins: '*', credentials: 'yes' }), 'ERR_TIERCEL_CORS_CONFIG');
  assert.is(codeOf({ origins: '*', allowOrigin: '*' }), 'ERR_TIERCEL_CORS_CONFIG');
  assert.is(codeOf({ origins: '*', exposedHeaders: [] }), 'ERR_TIERCEL_CORS_CONFIG');
});

test.run();
