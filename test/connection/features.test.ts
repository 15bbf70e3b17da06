// FeatureCollection keeps its features in one small array: what a Map gave must still hold
// (lookup by key identity, replace in place, delete, iteration in the order of first set).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FeatureCollection, FeatureKey } from '../../connection/index.js';

const A = new FeatureKey<string>('a');
const B = new FeatureKey<number>('b');
const C = new FeatureKey<{ n: number }>('c');
const sameName = new FeatureKey<string>('a');

test('get, has and iteration follow set: keys by identity, a replaced value keeps its place', () => {
  const features = new FeatureCollection();
  assert.is(features.get(A), undefined);
  assert.not.ok(features.has(A));
  features.set(A, 'one');
  features.set(B, 2);
  const c = { n: 3 };
  features.set(C, c);
  features.set(A, 'uno');
  assert.is(features.get(A), 'uno');
  assert.is(features.get(B), 2);
  assert.is(features.get(C), c);
  assert.ok(features.has(B));
  // Another key with the same name is another feature.
  assert.is(features.get(sameName), undefined);
  assert.equal(
    [...features].map(([key, value]) => [key.name, value]),
    [
      ['a', 'uno'],
      ['b', 2],
      ['c', c],
    ],
  );
});

test('set to undefined removes a feature; removing an absent one changes nothing', () => {
  const features = new FeatureCollection();
  features.set(A, 'one');
  features.set(B, 0);
  features.set(C, { n: 1 });
  features.set(B, undefined);
  assert.not.ok(features.has(B));
  assert.equal([...features].map(([key]) => key.name), ['a', 'c']);
  features.set(B, undefined);
  features.set(sameName, undefined);
  assert.equal([...features].map(([key]) => key.name), ['a', 'c']);
  features.set(B, 5);
  assert.equal([...features].map(([key]) => key.name), ['a', 'c', 'b']);
  // A falsy value is a value.
  assert.ok(features.has(B));
  features.set(B, 0);
  assert.is(features.get(B), 0);
});

test('collections are independent', () => {
  const one = new FeatureCollection();
  const two = new FeatureCollection();
  one.set(A, 'one');
  assert.is(two.get(A), undefined);
  two.set(A, 'two');
  assert.is(one.get(A), 'one');
  assert.equal([...two].length, 1);
});

test.run();
