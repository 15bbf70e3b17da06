import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionLifetime, FeatureCollection, FeatureKey } from '../../connection/index.js';

const A = new FeatureKey<{ a: number }>('a');
const B = new FeatureKey<string>('b');
const C = new FeatureKey<number>('c');

test('FeatureCollection: set, get, has, replace and remove (undefined), in insertion order', () => {
  const features = new FeatureCollection();
  assert.is(features.get(A), undefined);
  assert.not.ok(features.has(A));
  const a = { a: 1 };
  features.set(A, a);
  features.set(B, 'one');
  features.set(C, 3);
  assert.is(features.get(A), a);
  assert.is(features.get(B), 'one');
  assert.ok(features.has(C));
  features.set(B, 'two');
  assert.is(features.get(B), 'two');
  assert.equal([...features].map(([k, v]) => [k.name, v]), [['a', a], ['b', 'two'], ['c', 3]]);
  // The middle one, then the others: each removal leaves the rest reachable.
  features.set(B, undefined);
  assert.not.ok(features.has(B));
  assert.is(features.get(C), 3);
  assert.equal([...features].map(([k]) => k.name), ['a', 'c']);
  features.set(A, undefined);
  features.set(C, undefined);
  assert.equal([...features], []);
  // Removing what is absent does nothing; the collection is usable again after it emptied.
  features.set(A, undefined);
  features.set(C, 4);
  assert.is(features.get(C), 4);
  assert.equal([...features].map(([k]) => k.name), ['c']);
});

test('FeatureCollection: a feature added or removed during a walk does not disturb it', () => {
  const features = new FeatureCollection();
  features.set(A, { a: 1 });
  features.set(B, 'b');
  const seen: string[] = [];
  for (const [key] of features) {
    seen.push(key.name);
    features.set(A, undefined);
    features.set(C, 3);
  }
  assert.equal(seen, ['a', 'b']);
  assert.equal([...features].map(([k]) => k.name), ['b', 'c']);
});

test('ConnectionLifetime: one listener, unregistered, is not called; the next one is', () => {
  const lifetime = new ConnectionLifetime();
  const called: string[] = [];
  const stopFirst = lifetime.onCloseRequested(() => called.push('first'));
  stopFirst();
  stopFirst();
  lifetime.onCloseRequested(() => called.push('second'));
  lifetime.requestClose();
  lifetime.requestClose();
  assert.equal(called, ['second']);
  assert.ok(lifetime.isCloseRequested);
  assert.ok(lifetime.closeRequested.aborted);
});

test('ConnectionLifetime: listeners run in order; unregistering one of several, or one twice, leaves the others', () => {
  const lifetime = new ConnectionLifetime();
  const called: number[] = [];
  const stops = [1, 2, 3].map((n) => lifetime.onCloseRequested(() => called.push(n)));
  stops[1]();
  stops[1]();
  const signal = lifetime.closeRequested;
  assert.not.ok(signal.aborted);
  lifetime.requestClose();
  assert.equal(called, [1, 3]);
  assert.ok(signal.aborted);
  // After the request a listener runs at once.
  lifetime.onCloseRequested(() => called.push(4))();
  assert.equal(called, [1, 3, 4]);
});

test('ConnectionLifetime: all of several unregistered, then one more: only that one runs', () => {
  const lifetime = new ConnectionLifetime();
  const called: string[] = [];
  const stops = ['x', 'y'].map((n) => lifetime.onCloseRequested(() => called.push(n)));
  for (const stop of stops) stop();
  lifetime.onCloseRequested(() => called.push('z'));
  lifetime.requestClose();
  assert.equal(called, ['z']);
});

test('ConnectionLifetime: addCloseRequestListener registers as onCloseRequested does; offCloseRequested unregisters it', () => {
  const lifetime = new ConnectionLifetime();
  const called: string[] = [];
  const gone = { handleCloseRequest: () => called.push('gone') };
  const kept = { handleCloseRequest: () => called.push('kept') };
  lifetime.addCloseRequestListener(gone);
  lifetime.addCloseRequestListener(kept);
  lifetime.addCloseRequestListener(() => called.push('function'));
  lifetime.offCloseRequested(gone);
  lifetime.requestClose();
  assert.equal(called, ['kept', 'function']);
  // After the request a listener runs at once.
  lifetime.addCloseRequestListener(() => called.push('late'));
  assert.equal(called, ['kept', 'function', 'late']);
});

test.run();
