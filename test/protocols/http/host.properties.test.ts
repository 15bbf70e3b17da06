// Property tests of the shared Host / :authority checks against the reference written from the
// RFC 3986 grammar (fuzz/host-invariants.ts; the same checks run under Jazzer.js in
// fuzz/host.fuzz.ts). Seeded, a fixed number of runs; a failure prints the seed and the case.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { propertyRuns } from '../../support/properties.js';
import { checkHost, referenceHostAndPort } from '../../../fuzz/host-invariants.js';
import { isValidHostValue } from '../../../protocols/http/index.js';

const chars = (alphabet: string, max: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...alphabet), { maxLength: max }).map((a) => a.join(''));

// Pieces that sit on the grammar's edges, glued at random.
const piece = fc.oneof(
  chars("[]:%.vV0123456789abcdefABCDEFgz-_~!$&'()*+,;=@/ ?#\t\x7f\xe9\u0100", 6),
  fc.constantFrom('::', '::ffff:', '1.2.3.4', '256.0.0.1', '01.2.3.4', '%25', '%4', '%zz', 'v1.', 'v1f.x:y', '65535', '65536', '0', '['),
  fc.ipV4(),
  fc.ipV6(),
);
const candidate = fc.array(piece, { maxLength: 6 }).map((p) => p.join(''));
const bracketed = fc.oneof(fc.ipV6(), candidate).map((s) => `[${s}]`);
const withPort = fc.tuple(fc.oneof(candidate, bracketed, fc.domain(), fc.ipV4()), fc.option(chars('0123456789:a', 7))).map(([h, p]) => (p === null ? h : `${h}:${p}`));

test('every Host check agrees with the RFC 3986 reference, on strings near the grammar', () => {
  fc.assert(
    fc.property(fc.oneof(candidate, bracketed, withPort), fc.nat(), fc.nat(), (s, a, b) => {
      const start = a % (s.length + 1);
      checkHost(s, start, start + (b % (s.length - start + 1)));
    }),
    propertyRuns(20_000),
  );
});

test('every Host check agrees with the reference on any string', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 24 }), (s) => checkHost(s)),
    propertyRuns(5_000),
  );
});

test('the reference itself: the RFC 3986 examples', () => {
  for (const ok of ['example.com', 'example.com:', 'a:0', '[::1]:80', '[v7.a:b]', '127.0.0.1', '%41', "!$&'()*+,;=-._~"]) {
    assert.ok(referenceHostAndPort(ok) && isValidHostValue(ok), ok);
  }
  for (const bad of [':80', '[::1', '[fe80::1%25eth0]', 'a b', 'a@b', '%4', '[::1]x', 'a:b', '[1.2.3.4]', '[::1.02.3.4]']) {
    assert.not.ok(referenceHostAndPort(bad) || isValidHostValue(bad), bad);
  }
});

test.run();
