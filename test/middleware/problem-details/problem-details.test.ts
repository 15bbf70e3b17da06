// Problem details (RFC 9457) through the public API over HTTP/1.1 and HTTP/2: every kind of error
// becomes application/problem+json with the right status and members, and nothing leaks.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { container as rootContainer } from 'tsyringe';
import { LOGGER } from '../../../di/tokens.js';
import { cors, problemDetails, ProblemDetailsConfigError, ProblemError, Router } from '../../../middleware/index.js';
import { ApplicationBuilder, HttpError } from '../../../pipeline/index.js';
import { MemoryLogger } from '../../pipeline/support.js';
import { overBoth } from '../support.js';

function app(logger = new MemoryLogger(), options = {}): ApplicationBuilder {
  const services = rootContainer.createChildContainer();
  services.register(LOGGER, { useValue: logger });
  const router = new Router()
    .get('/forbidden', () => {
      throw new HttpError(403, 'Members only', { headers: { 'www-authenticate': 'Bearer' } });
    })
    .get('/plain-404', () => {
      throw new HttpError(404);
    })
    .get('/hidden', () => {
      throw new HttpError(503, 'replica db-3 is down', { headers: { 'retry-after': 30 } });
    })
    .get('/crash', (ctx) => {
      ctx.response.headers.set('etag', '"meant-for-the-200"');
      throw new TypeError('secret internals');
    })
    .get('/problem', () => {
      throw new ProblemError(403, { type: 'https://example.com/probs/out-of-credit', title: 'You do not have enough credit.', detail: 'Your balance is 30, but that costs 50.', instance: '/account/12345/msgs/abc', extensions: { balance: 30 } });
    })
    .post('/upload', async (ctx) => {
      ctx.request.maxBodySize = 4;
      ctx.response.send(await ctx.request.text());
    })
    .get('/started', (ctx) => {
      void ctx.response.write('partial');
      throw new Error('after the head');
    })
    .get('/empty-401', (ctx) => {
      ctx.response.status = 401;
    })
    .get('/ok', (ctx) => ctx.response.send('fine'));
  return new ApplicationBuilder(services).use(cors({ origins: '*' })).use(problemDetails(options)).use(router.middleware());
}

const CORS = { origin: 'https://a.example' };

test('an exposed HttpError: status, title, detail, its headers; outer middleware fields kept', () =>
  overBoth(app, async (c) => {
    const res = await c.request('/forbidden', { headers: CORS });
    assert.is(res.status, 403);
    assert.is(res.headers['content-type'], 'application/problem+json');
    assert.is(res.headers['www-authenticate'], 'Bearer');
    assert.is(res.headers['access-control-allow-origin'], '*');
    assert.equal(res.json(), { type: 'about:blank', title: 'Forbidden', status: 403, detail: 'Members only' });
    assert.equal((await c.request('/plain-404')).json(), { type: 'about:blank', title: 'Not Found', status: 404 });
  }));

test('a 5xx HttpError and a crash say nothing of the cause; the crash is logged; the handler’s fields are dropped', async () => {
  const logger = new MemoryLogger();
  await overBoth(
    () => app(logger),
    async (c) => {
      const hidden = await c.request('/hidden');
      assert.is(hidden.status, 503);
      assert.is(hidden.headers['retry-after'], '30');
      assert.equal(hidden.json(), { type: 'about:blank', title: 'Service Unavailable', status: 503 });
      const crash = await c.request('/crash', { headers: CORS });
      assert.is(crash.status, 500);
      assert.is(crash.headers.etag, undefined);
      assert.is(crash.headers['access-control-allow-origin'], '*');
      assert.equal(crash.json(), { type: 'about:blank', title: 'Internal Server Error', status: 500 });
      assert.not.match(crash.text(), /secret/);
    },
  );
  const errors = logger.errors().map((e) => (e.fields?.err as Error).message);
  assert.equal(errors, ['replica db-3 is down', 'secret internals', 'replica db-3 is down', 'secret internals']);
});

test('a ProblemError sends its whole problem, extensions included', () =>
  overBoth(app, async (c) => {
    const res = await c.request('/problem');
    assert.is(res.status, 403);
    assert.equal(res.json(), {
      type: 'https://example.com/probs/out-of-credit',
      title: 'You do not have enough credit.',
      status: 403,
      detail: 'Your balance is 30, but that costs 50.',
      instance: '/account/12345/msgs/abc',
      code: 'ERR_TIERCEL_PROBLEM',
      balance: 30,
    });
  }));

test('a protocol error (body over the limit), the router’s 405, an unanswered 404 and an empty 401', () =>
  overBoth(app, async (c) => {
    const big = await c.request('/upload', { method: 'POST', body: 'too large' });
    assert.is(big.status, 413);
    assert.equal(big.json<{ code: string }>().code, 'ERR_TIERCEL_BODY_TOO_LARGE');
    const wrong = await c.request('/ok', { method: 'DELETE' });
    assert.is(wrong.status, 405);
    assert.is(wrong.headers.allow, 'GET, HEAD');
    assert.equal(wrong.json(), { type: 'about:blank', title: 'Method Not Allowed', status: 405, code: 'ERR_TIERCEL_METHOD_NOT_ALLOWED' });
    const missing = await c.request('/nowhere');
    assert.is(missing.status, 404);
    assert.equal(missing.json(), { type: 'about:blank', title: 'Not Found', status: 404 });
    assert.equal((await c.request('/empty-401')).json<{ status: number }>().status, 401);
    assert.is((await c.request('/ok')).text(), 'fine');
  }));

test('an error after the response started is not rewritten: the exchange is aborted', () =>
  overBoth(app, async (c) => {
    const res = await c.request('/started').then(
      (r) => r.status,
      (err: Error) => err.message,
    );
    // The client sees the cut, never a complete 200 nor a problem.
    assert.type(res, 'string', `a started response must be aborted (got status ${String(res)})`);
  }));

test('with no logger registered, a crash is still answered as a problem', () =>
  overBoth(
    () =>
      new ApplicationBuilder().use(problemDetails()).run(() => {
        throw new Error('unlogged');
      }),
    async (c) => assert.equal((await c.request('/')).json(), { type: 'about:blank', title: 'Internal Server Error', status: 500 }),
  ));

test('options: emptyResponses and includeCode can be turned off; bad options are refused', async () => {
  await overBoth(
    () => app(new MemoryLogger(), { emptyResponses: false, includeCode: false }),
    async (c) => {
      const missing = await c.request('/nowhere');
      assert.is(missing.status, 404);
      assert.is(missing.body.length, 0);
      assert.is((await c.request('/ok', { method: 'DELETE' })).json<{ code?: string }>().code, undefined);
    },
  );
  for (const bad of [{ nope: true }, { includeCode: 'yes' }]) {
    try {
      problemDetails(bad as never);
      assert.unreachable();
    } catch (err) {
      assert.instance(err, ProblemDetailsConfigError);
      assert.is((err as ProblemDetailsConfigError).code, 'ERR_TIERCEL_PROBLEM_DETAILS_CONFIG');
    }
  }
});

test.run();
