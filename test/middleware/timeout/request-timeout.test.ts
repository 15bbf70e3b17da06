// Request timeouts per route through the public API over HTTP/1.1 and HTTP/2, time moved by a
// ManualClock: 503 (as a problem) and the signal aborted; fast routes untouched; a started
// response left to finish.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../hosting/index.js';
import { problemDetails, requestTimeout, RequestTimeoutError, Router, TimeoutConfigError, MAX_REQUEST_TIMEOUT_MS } from '../../../middleware/index.js';
import { ApplicationBuilder } from '../../../pipeline/index.js';
import { overBoth } from '../support.js';

interface World {
  clock: ManualClock;
  /** Resolves when a slow handler is waiting (its timer is armed). */
  waiting: Promise<void>;
  reasons: unknown[];
  /** Resolves when a slow handler has seen its signal abort. */
  woken: Promise<void>;
}

let world: World;

function app(): ApplicationBuilder {
  let entered!: () => void;
  let woke!: () => void;
  const clock = new ManualClock(0);
  world = { clock, waiting: new Promise((r) => (entered = r)), reasons: [], woken: new Promise((r) => (woke = r)) };
  const timeout = requestTimeout({ timeoutMs: 1_000, clock });
  const router = new Router()
    .get('/slow', timeout, async (ctx) => {
      const signal = ctx.signal;
      await new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => resolve(), { once: true });
        entered();
      });
      world.reasons.push(signal.reason);
      woke();
      // Too late: the 503 went out; this write fails and is not the client's concern.
      ctx.response.send('late');
    })
    .get('/streaming', timeout, async (ctx) => {
      const signal = ctx.signal;
      await ctx.response.write('started ');
      await new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => resolve(), { once: true });
        entered();
      });
      world.reasons.push(signal.reason);
      ctx.response.end('and finished after the timeout');
    })
    .get('/quick', timeout, async (ctx) => {
      await Promise.resolve();
      ctx.response.send('quick');
    })
    .get('/sync', timeout, (ctx) => ctx.response.send('sync'))
    .get('/throws', timeout, () => {
      throw new Error('at once');
    })
    .get('/free', (ctx) => ctx.response.send(`aborted: ${ctx.signal.aborted}`));
  return new ApplicationBuilder().use(problemDetails()).use(router.middleware());
}

test('past the timeout: 503 as a problem, and the handler sees its signal abort with the coded reason', () =>
  overBoth(app, async (c) => {
    const pending = c.request('/slow');
    await world.waiting;
    world.clock.advance(999);
    assert.is(world.reasons.length, 0);
    world.clock.advance(1);
    const res = await pending;
    assert.is(res.status, 503);
    assert.is(res.headers['content-type'], 'application/problem+json');
    assert.equal(res.json(), { type: 'about:blank', title: 'Service Unavailable', status: 503 });
    await world.woken;
    assert.is(world.reasons.length, 1);
    assert.instance(world.reasons[0], RequestTimeoutError);
    assert.is((world.reasons[0] as RequestTimeoutError).code, 'ERR_TIERCEL_REQUEST_TIMEOUT');
    assert.is((world.reasons[0] as RequestTimeoutError).timeoutMs, 1_000);
  }));

test('within the timeout, nothing changes and the timer is cleared; routes without it have none', () =>
  overBoth(app, async (c) => {
    assert.is((await c.request('/quick')).text(), 'quick');
    assert.is((await c.request('/sync')).text(), 'sync');
    assert.is((await c.request('/free')).text(), 'aborted: false');
    assert.is((await c.request('/throws')).status, 500);
    assert.is(world.clock.pendingTimers, 0);
  }));

test('a response already started is not replaced: the signal aborts and the handler finishes it', () =>
  overBoth(app, async (c) => {
    const pending = c.request('/streaming');
    await world.waiting;
    world.clock.advance(1_000);
    const res = await pending;
    assert.is(res.status, 200);
    assert.is(res.text(), 'started and finished after the timeout');
    assert.instance(world.reasons[0], RequestTimeoutError);
  }));

test('configuration errors are refused at once, with a code', () => {
  for (const bad of [undefined, {}, { timeoutMs: 0 }, { timeoutMs: 1.5 }, { timeoutMs: MAX_REQUEST_TIMEOUT_MS + 1 }, { timeoutMs: 10, limit: 1 }]) {
    try {
      requestTimeout(bad as never);
      assert.unreachable(JSON.stringify(bad));
    } catch (err) {
      assert.instance(err, TimeoutConfigError);
      assert.is((err as TimeoutConfigError).code, 'ERR_TIERCEL_TIMEOUT_CONFIG');
    }
  }
});

test.run();
