// The shared Host / :authority check against an independent implementation: every bracketed
// literal it accepts must be what Node's own parser (net.isIPv6) accepts, over seeded random
// candidates built to sit near the edges of the grammar (group counts, "::", embedded IPv4).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isIPv6 } from 'node:net';
import { isValidHostValue } from '../../../protocols/http/index.js';

// A small seeded generator (mulberry32), so a failure names a case that reproduces.
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function candidate(next: () => number): string {
  const pick = (n: number): number => Math.floor(next() * n);
  if (next() < 0.3) {
    // Any string over the characters of an IPv6 literal, and a few that are not.
    const alphabet = '0123456789abcdefABCDEF:::...g';
    let s = '';
    for (let i = 1 + pick(24); i > 0; i--) s += alphabet[pick(alphabet.length)];
    return s;
  }
  // 1-9 groups of 0-5 hex digits (an empty group makes "::"), sometimes ending in a dotted quad.
  const groups: string[] = [];
  for (let i = 1 + pick(9); i > 0; i--) groups.push(next() < 0.2 ? '' : pick(0x10000).toString(16).slice(0, 1 + pick(5)));
  let s = groups.join(':');
  if (next() < 0.3) s += `:${[0, 0, 0, 0].map(() => (next() < 0.1 ? '0' : '') + pick(300)).join('.')}`;
  return s;
}

test('bracketed literals: accepted exactly when net.isIPv6 accepts them (RFC 3986 IPv6address)', () => {
  const next = random(0x7e5ce1);
  let valid = 0;
  for (let i = 0; i < 50_000; i++) {
    const s = candidate(next);
    const ours = isValidHostValue(`[${s}]`);
    assert.is(ours, isIPv6(s), JSON.stringify(s));
    if (ours) valid++;
  }
  // The candidates must exercise both verdicts, or the comparison proves nothing.
  assert.ok(valid > 1_000, `${valid} valid literals`);
});

test.run();
