import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLOCK, HEARTBEAT, LOGGER_FACTORY, resolve } from '../../../di/index.js';
import { ManualClock } from '../../../hosting/index.js';
import { systemClock } from '../../../connection/index.js';
import { Heartbeat, type HeartbeatHandler } from '../../../protocols/http/index.js';
import { MemoryLogger } from '../../pipeline/support.js';
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
  // Kept to the next tick: a server whose connections all upgrade would otherwise make a timer per connection.
  assert.is(clock.pendingTimers, 1, 'the timer outlives the last handler until the next tick');
  clock.advance(1_000);
  assert.is(clock.pendingTimers, 0, 'the first tick with no handler stops the timer');
});

test('a handler added between the last one leaving and the next tick keeps the same timer, and is ticked', () => {
  const clock = new ManualClock(1_000_000);
  const heartbeat = new Heartbeat(clock, 1_000);
  const seen: number[] = [];
  const first: HeartbeatHandler = { onHeartbeat: () => undefined };
  const second: HeartbeatHandler = { onHeartbeat: (now) => void seen.push(now) };
  heartbeat.add(first);
  heartbeat.delete(first);
  heartbeat.add(second);
  assert.is(clock.pendingTimers, 1, 'one timer, not a second one');
  clock.advance(1_000);
  assert.equal(seen, [1_001_000]);
  heartbeat.delete(second);
  clock.advance(1_000);
  assert.is(clock.pendingTimers, 0);
});

test('a tick that runs longer than the interval is logged as HeartbeatSlow (warn): the event loop was blocked', async () => {
  const log = new MemoryLogger();
  const heartbeat = new Heartbeat(systemClock, 50, log);
  let blocked = false;
  const blocking: HeartbeatHandler = {
    onHeartbeat: () => {
      if (blocked) return;
      blocked = true;
      // Real work that holds the event loop for more than two intervals.
      const until = Date.now() + 130;
      while (Date.now() < until);
    },
  };
  heartbeat.add(blocking);
  try {
    const deadline = Date.now() + 3_000;
    while (!log.entries.some((e) => e.fields?.event === 'HeartbeatSlow') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    // Three more ticks: the tick after the long one is not reported again as late.
    await new Promise((r) => setTimeout(r, 160));
  } finally {
    heartbeat.delete(blocking);
  }
  const slow = log.entries.find((e) => e.fields?.event === 'HeartbeatSlow')!;
  assert.is(slow.level, 'warn');
  assert.is(slow.fields?.eventId, 22);
  assert.is(slow.fields?.intervalMs, 50);
  assert.ok((slow.fields?.durationMs as number) >= 130, String(slow.fields?.durationMs));
  assert.is(log.entries.filter((e) => e.fields?.event === 'HeartbeatSlow').length, 1, 'one slow tick, one line');
});

test.run();
