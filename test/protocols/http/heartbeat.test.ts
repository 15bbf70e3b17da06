import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLOCK, HEARTBEAT, LOGGER_FACTORY, resolve } from '../../../di/index.js';
import { ManualClock } from '../../../hosting/index.js';
import type { HeartbeatHandler } from '../../../protocols/http/index.js';
import { appContainer, RecordingLoggerFactory } from '../../di/support.js';

class FailingHandler implements HeartbeatHandler {
  calls = 0;
  onHeartbeat(): void {
    this.calls++;
    throw new Error('boom');
  }
}

test("a heartbeat handler that throws is logged at error level, and the tick goes on to the others and to the next tick", () => {
  const clock = new ManualClock(1_000_000);
  const loggers = new RecordingLoggerFactory();
  const services = appContainer();
  services.register(CLOCK, { useValue: clock });
  services.register(LOGGER_FACTORY, { useValue: loggers });
  const heartbeat = resolve(services, HEARTBEAT);
  const failing = new FailingHandler();
  const seen: number[] = [];
  const counting: HeartbeatHandler = { onHeartbeat: (now) => void seen.push(now) };
  heartbeat.add(failing);
  heartbeat.add(counting);
  try {
    clock.advance(2_000);
    assert.equal(seen, [1_001_000, 1_002_000], 'the handler after the failing one ran on both ticks');
    assert.is(failing.calls, 2, 'the failing handler is still called on the next tick');
    const lines = loggers.of('tiercel.heartbeat');
    assert.is(lines.length, 2);
    assert.is(lines[0]!.level, 'error');
    assert.is(lines[0]!.fields?.handler, 'FailingHandler');
    assert.is((lines[0]!.fields?.err as Error).message, 'boom');
  } finally {
    heartbeat.delete(failing);
    heartbeat.delete(counting);
  }
  assert.is(clock.pendingTimers, 0, 'the timer stops with the last handler');
});

test.run();
