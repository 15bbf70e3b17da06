import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { availableParallelism } from 'node:os';
import { ClusterHost, DEFAULT_CLUSTER_OPTIONS, MAX_WORKERS, resolveClusterOptions, type ClusterOptions } from '../../hosting/index.js';

test("defaults: 'auto' is os.availableParallelism(), the back-off 100 ms doubling to 10 s, reset after 30 s", () => {
  const resolved = resolveClusterOptions();
  assert.is(resolved.workers, availableParallelism());
  assert.is(resolved.restartDelayMs, 100);
  assert.is(resolved.maxRestartDelayMs, 10_000);
  assert.is(resolved.stableAfterMs, 30_000);
  assert.ok(Object.isFrozen(DEFAULT_CLUSTER_OPTIONS));
  assert.is(resolveClusterOptions({ workers: 3, restartDelayMs: undefined }).workers, 3);
  assert.is(resolveClusterOptions({ workers: MAX_WORKERS }).workers, MAX_WORKERS);
});

test('bad options fail at once with ERR_TIERCEL_INVALID_OPTION naming the option', () => {
  const cases: [ClusterOptions, string][] = [
    [{ workers: 0 }, 'workers'],
    [{ workers: 2.5 }, 'workers'],
    [{ workers: MAX_WORKERS + 1 }, 'workers'],
    [{ workers: 'all' as never }, 'workers'],
    [{ restartDelayMs: -1 }, 'restartDelayMs'],
    [{ stopGraceMs: Infinity }, 'stopGraceMs'],
    [{ startTimeoutMs: '5' as never }, 'startTimeoutMs'],
    [{ restartDelayMs: 500, maxRestartDelayMs: 100 }, 'maxRestartDelayMs'],
    [{ worker: 2 } as never, 'worker'],
  ];
  for (const [options, option] of cases) {
    try {
      resolveClusterOptions(options);
      assert.unreachable(JSON.stringify(options));
    } catch (err) {
      assert.is((err as { code?: string }).code, 'ERR_TIERCEL_INVALID_OPTION', JSON.stringify(options));
      assert.is((err as { option?: string }).option, option);
    }
  }
  assert.throws(() => new ClusterHost({ workers: -1 }), (err: { code?: string }) => err.code === 'ERR_TIERCEL_INVALID_OPTION');
});

test('a ClusterHost that never started stops at once and has no workers', async () => {
  const host = new ClusterHost({ workers: 2 });
  assert.equal(host.urls, []);
  assert.equal(host.pids, []);
  await host.stop();
  await host.restart();
  assert.not.throws(() => host.kill());
  try {
    await host.start();
    assert.unreachable('start after stop');
  } catch (err) {
    assert.is((err as { code?: string }).code, 'ERR_TIERCEL_CLUSTER_START');
  }
});

test.run();
