import { test } from 'uvu';
import * as assert from 'uvu/assert';
import diagnosticsChannel from 'node:diagnostics_channel';
import { DiagnosticChannels, ServerStateError, type ConnectionQueueMessage, type Endpoint } from '../../connection/index.js';
import { AcceptQueue } from '../../transports/accept-queue.js';

interface Item {
  readonly id: number;
  alive: boolean;
}

function queue(discarded: Item[]): AcceptQueue<Item> {
  return new AcceptQueue<Item>(
    (item) => item.alive,
    (item) => discarded.push(item),
  );
}

test('hands items out in arrival order, to waiting takers first', async () => {
  const q = queue([]);
  const waiting = q.take();
  q.push({ id: 1, alive: true });
  q.push({ id: 2, alive: true });
  q.push({ id: 3, alive: true });
  assert.is((await waiting)?.id, 1);
  assert.is((await q.take())?.id, 2);
  assert.is((await q.take())?.id, 3);
  assert.is(q.size, 0);
});

/** A queue holding item 1, which died while it waited, then the live item 2. */
function withDeadFirst(): { q: AcceptQueue<Item>; discarded: Item[] } {
  const discarded: Item[] = [];
  const q = queue(discarded);
  const dead = { id: 1, alive: true };
  q.push(dead);
  q.push({ id: 2, alive: true });
  dead.alive = false;
  return { q, discarded };
}

test('skips and discards items that died while queued', async () => {
  const { q, discarded } = withDeadFirst();
  assert.is((await q.take())?.id, 2);
  assert.equal(discarded.map((i) => i.id), [1]);
});

test('close resolves waiting and later takes with null and discards what is queued or pushed after', async () => {
  const discarded: Item[] = [];
  const q = queue(discarded);
  const a = q.take();
  const b = q.take();
  q.close();
  assert.is(await a, null);
  assert.is(await b, null);
  const late = queue(discarded);
  late.push({ id: 7, alive: true });
  late.close();
  late.push({ id: 8, alive: true });
  assert.is(await late.take(), null);
  assert.equal(discarded.map((i) => i.id), [7, 8]);
  assert.ok(late.closed);
});

test('takeEach hands over the live queued items at once, then each push, then null on close', () => {
  const { q, discarded } = withDeadFirst();
  const seen: (number | null)[] = [];
  q.takeEach((item) => seen.push(item === null ? null : item.id));
  assert.equal(seen, [2]);
  assert.equal(discarded.map((i) => i.id), [1]);
  q.push({ id: 3, alive: true });
  q.push({ id: 4, alive: true });
  assert.equal(seen, [2, 3, 4]);
  assert.is(q.size, 0);
  q.close();
  q.push({ id: 5, alive: true });
  assert.equal(seen, [2, 3, 4, null]);
  assert.equal(discarded.map((i) => i.id), [1, 5]);
});

test('takeEach on a closed queue hears null at once; a second consumer is refused', async () => {
  const closed = queue([]);
  closed.close();
  const seen: unknown[] = [];
  closed.takeEach((item) => seen.push(item));
  assert.equal(seen, [null]);
  const q = queue([]);
  q.takeEach(() => {});
  assert.throws(() => q.takeEach(() => {}), (err: unknown) => err instanceof ServerStateError);
  const taken = queue([]);
  void taken.take();
  assert.throws(() => taken.takeEach(() => {}), (err: unknown) => err instanceof ServerStateError);
});

test('a long burst is served in order', async () => {
  const q = queue([]);
  for (let id = 0; id < 10_000; id++) q.push({ id, alive: true });
  for (let id = 0; id < 10_000; id++) assert.is((await q.take())?.id, id);
  assert.is(q.size, 0);
});

test('publishes its depth on tiercel:connection.queue while someone listens: not for a handoff to a waiting take; dead and discarded items leave it', async () => {
  const endpoint: Endpoint = { kind: 'memory', name: 'q' };
  const depths: number[] = [];
  const messages = new Set<ConnectionQueueMessage>();
  const listener = (m: unknown): void => {
    messages.add(m as ConnectionQueueMessage);
    depths.push((m as ConnectionQueueMessage).depth);
  };
  const q = new AcceptQueue<Item>((item) => item.alive, () => {}, () => endpoint);
  q.push({ id: 0, alive: true }); // nobody listens yet: nothing published
  assert.is((await q.take())?.id, 0);
  diagnosticsChannel.subscribe(DiagnosticChannels.connectionQueue, listener);
  try {
    const waiting = q.take();
    q.push({ id: 1, alive: true }); // straight to the waiting take: it never waited
    assert.is((await waiting)?.id, 1);
    assert.equal(depths, []);
    const dead = { id: 2, alive: true };
    q.push(dead);
    q.push({ id: 3, alive: true });
    q.push({ id: 4, alive: true });
    dead.alive = false;
    assert.is((await q.take())?.id, 3); // the dead one is skipped, then 3 taken
    q.close(); // 4 is discarded
    assert.equal(depths, [1, 2, 3, 2, 1, 0]);
    assert.is(messages.size, 1, 'one message object per queue');
    assert.equal([...messages][0].endpoint, endpoint);
  } finally {
    diagnosticsChannel.unsubscribe(DiagnosticChannels.connectionQueue, listener);
  }
});

test.run();
