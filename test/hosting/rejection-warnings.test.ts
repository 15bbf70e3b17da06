// Connections refused at maxConcurrentConnections: a debug line each (tiercel.connections), and a
// throttled warn (tiercel.server, ConnectionsRejected) with the count since the last one, over the
// in-memory transport with a ManualClock moving the time.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLOCK, InvalidOptionError, LOGGER_FACTORY, LOG_EVENTS } from '../../connection/index.js';
import { ManualClock, Server } from '../../hosting/index.js';
import { MemoryTransport } from '../../transports/index.js';
import { RecordingLoggerFactory } from '../di/support.js';
import { readAll, readUntil } from '../support/streams.js';

async function holdingServer(options: { connectionRejectionLogIntervalMs?: number } = {}) {
  const server = new Server({ maxConcurrentConnections: 1, ...options });
  const logs = new RecordingLoggerFactory();
  const clock = new ManualClock(0);
  server.services.register(LOGGER_FACTORY, { useValue: logs });
  server.services.register(CLOCK, { useValue: clock });
  const release: (() => void)[] = [];
  server.listen('http://memory:throttled', (ep) =>
    ep.run(async (ctx) => {
      ctx.transport.write('welcome\n');
      await new Promise<void>((r) => release.push(r));
    }),
  );
  await server.start();
  const memory = server.getTransport(MemoryTransport);
  const held = memory.connect('throttled');
  await readUntil(held, (t) => t.includes('welcome'));
  /** Opens `n` connections that are refused, one after the other. */
  const refuse = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) assert.is(await readAll(memory.connect('throttled')), '');
  };
  const warns = () => logs.lines.filter((l) => l.level === 'warn' && l.fields?.eventId === LOG_EVENTS.ConnectionsRejected.eventId);
  const stop = async (): Promise<void> => {
    release.splice(0).forEach((r) => r());
    held.destroy();
    await server.stop(1_000);
  };
  return { server, logs, clock, refuse, warns, stop };
}

test('the first refusal warns at once; the rest within the interval only at debug, counted in the next warn', async () => {
  const s = await holdingServer();
  try {
    await s.refuse(3);
    assert.is(s.server.stats.rejected, 3);
    assert.equal(s.warns().map((l) => [l.category, l.fields?.count, l.fields?.maxConcurrentConnections]), [['tiercel.server', 1, 1]]);
    // Each refusal is still its own debug line.
    assert.is(s.logs.of('tiercel.connections').filter((l) => l.fields?.eventId === LOG_EVENTS.ConnectionRejected.eventId && l.level === 'debug').length, 3);
    s.clock.advance(9_999);
    await s.refuse(1);
    assert.is(s.warns().length, 1, 'still within the interval');
    s.clock.advance(1);
    await s.refuse(1);
    assert.equal(s.warns().map((l) => [l.fields?.count, l.fields?.sinceMs]), [
      [1, 0],
      [4, 10_000],
    ]);
    assert.match(s.warns()[1].message, /^4 connection\(s\) refused: maxConcurrentConnections \(1\) reached$/);
    await s.refuse(2);
  } finally {
    await s.stop();
  }
  // Stopping writes what was refused since the last line.
  assert.equal(s.warns().map((l) => l.fields?.count), [1, 4, 2]);
});

test('connectionRejectionLogIntervalMs: Infinity leaves only the debug lines; a bad value is refused at once', async () => {
  const s = await holdingServer({ connectionRejectionLogIntervalMs: Infinity });
  try {
    await s.refuse(2);
  } finally {
    await s.stop();
  }
  assert.is(s.warns().length, 0);
  assert.is(s.logs.of('tiercel.connections').filter((l) => l.fields?.eventId === LOG_EVENTS.ConnectionRejected.eventId).length, 2);
  for (const bad of [-1, Number.NaN, '10' as unknown as number]) {
    assert.throws(() => new Server({ connectionRejectionLogIntervalMs: bad }), (e: unknown) => e instanceof InvalidOptionError && /connectionRejectionLogIntervalMs/.test((e as Error).message));
  }
});

test.run();
