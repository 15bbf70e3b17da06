// Property tests of the PROXY protocol header parser (fuzz/proxy-invariants.ts; the same checks
// run under Jazzer.js in fuzz/proxy-header.fuzz.ts): any generated v1 or v2 header, followed by
// any bytes, parses to what was sent however the reads split it; any damage to a header (a byte
// changed, inserted or removed, a cut) is parsed or refused with its typed error the same way in
// any split, never thrown; arbitrary bytes likewise. Seeded, a fixed number of runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { SocketAddress } from 'node:net';
import { checkProxyHeader } from '../../../fuzz/proxy-invariants.js';
import { proxyHeaders } from '../../../fuzz/seeds.js';
import { propertyRuns } from '../../support/properties.js';
import { sslValue, tlv, v1, v2 } from '../../support/proxy-headers.js';

/** node:net's form of an IPv6 address, unmapped as the TCP transport unmaps it. */
function netForm(ip: string): string {
  const a = new SocketAddress({ address: ip, family: 'ipv6' }).address;
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

const port = fc.integer({ min: 0, max: 65535 });
const cuts = fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 6 });
const trailing = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a));

interface Sent {
  bytes: Buffer;
  family: string;
  source: { host: string; port: number } | null;
  destination: { host: string; port: number } | null;
  alpn?: string;
  authority?: string;
}

const v1Header: fc.Arbitrary<Sent> = fc.oneof(
  fc.tuple(fc.ipV4(), fc.ipV4(), port, port).map(([s, d, sp, dp]) => ({ bytes: v1('TCP4', s, d, sp, dp), family: 'tcp4', source: { host: s, port: sp }, destination: { host: d, port: dp } })),
  fc.tuple(fc.ipV6(), fc.ipV6(), port, port).map(([s, d, sp, dp]) => ({ bytes: v1('TCP6', s, d, sp, dp), family: 'tcp6', source: { host: netForm(s), port: sp }, destination: { host: netForm(d), port: dp } })),
  fc.string({ unit: fc.constantFrom(' ', 'f', ':', '1', '.', 'x'), maxLength: 90 }).map((rest) => ({ bytes: v1('UNKNOWN', rest.length ? ` ${rest}` : ''), family: 'unknown', source: null, destination: null })),
);

const alpnId = fc.constantFrom('h2', 'http/1.1', 'h3', 'x'.repeat(255));
const v2Header: fc.Arbitrary<Sent> = fc
  .tuple(
    fc.oneof(fc.tuple(fc.ipV4(), fc.ipV4()).map((p) => [p, false] as const), fc.tuple(fc.ipV6(), fc.ipV6()).map((p) => [p, true] as const)),
    port,
    port,
    fc.option(alpnId, { nil: undefined }),
    fc.option(fc.string({ minLength: 1, maxLength: 60 }), { nil: undefined }),
    fc.array(fc.tuple(fc.integer({ min: 0xe0, max: 0xff }), fc.uint8Array({ maxLength: 30 })), { maxLength: 3 }),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([[[s, d], six], sp, dp, alpn, authority, custom, ssl, crc]) => {
    const tlvs = [
      ...(alpn === undefined ? [] : [tlv(0x01, alpn)]),
      ...(authority === undefined ? [] : [tlv(0x02, authority)]),
      ...(ssl ? [tlv(0x20, sslValue(1, 0, [tlv(0x21, 'TLSv1.3')]))] : []),
      ...custom.map(([type, value]) => tlv(type, Buffer.from(value))),
    ];
    return {
      bytes: v2({ source: { host: s, port: sp }, destination: { host: d, port: dp }, tlvs, crc }),
      family: six ? 'tcp6' : 'tcp4',
      source: { host: six ? netForm(s) : s, port: sp },
      destination: { host: six ? netForm(d) : d, port: dp },
      alpn,
      authority,
    };
  });

test('any v1 or v2 header, with any bytes after it, parses to what was sent however the reads split it', () => {
  fc.assert(
    fc.property(fc.oneof(v1Header, v2Header), trailing, cuts, (sent, after, at) => {
      const data = Buffer.concat([sent.bytes, after]);
      const r = checkProxyHeader(data, at);
      assert.is(r.status, 'header');
      if (r.status !== 'header') return;
      const h = r.header;
      assert.is(h.family, sent.family);
      assert.is(h.length, sent.bytes.length);
      assert.equal(h.source, sent.source === null ? null : { kind: 'tcp', ...sent.source });
      assert.equal(h.destination, sent.destination === null ? null : { kind: 'tcp', ...sent.destination });
      assert.is(h.tlvs.alpn, sent.alpn);
      assert.is(h.tlvs.authority, sent.authority);
      assert.ok(r.rest.equals(after));
    }),
    propertyRuns(2_000),
  );
});

/** A header damaged: a byte changed, inserted or removed, or the whole cut short. */
const damaged = fc
  .tuple(fc.oneof(v1Header.map((s) => s.bytes), v2Header.map((s) => s.bytes), fc.constantFrom(...proxyHeaders())), fc.array(fc.tuple(fc.nat(), fc.nat(255), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 4 }))
  .map(([bytes, edits]) => {
    let b = Buffer.from(bytes);
    for (const [pos, value, kind] of edits) {
      const i = pos % (b.length + 1);
      if (kind === 0 && i < b.length) b[i] = value;
      else if (kind === 1) b = Buffer.concat([b.subarray(0, i), Buffer.of(value), b.subarray(i)]);
      else if (kind === 2 && i < b.length) b = Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
      else b = b.subarray(0, i);
    }
    return b;
  });

test('any damage to a header is parsed or refused with ProxyProtocolError, the same in any split, never thrown', () => {
  fc.assert(
    fc.property(damaged, trailing, cuts, (bytes, after, at) => {
      checkProxyHeader(Buffer.concat([bytes, after]), at);
    }),
    propertyRuns(8_000),
  );
});

test('arbitrary bytes, and arbitrary bytes after a valid start, are parsed or refused the same in any split', () => {
  const start = fc.constantFrom(Buffer.alloc(0), Buffer.from('PROXY '), Buffer.from('PROXY TCP4 '), Buffer.from('PROXY TCP6 '), Buffer.from('0d0a0d0a000d0a515549540a', 'hex'), Buffer.from('0d0a0d0a000d0a515549540a21', 'hex'));
  fc.assert(
    fc.property(start, fc.uint8Array({ maxLength: 300 }), cuts, (s, rest, at) => {
      checkProxyHeader(Buffer.concat([s, Buffer.from(rest)]), at);
    }),
    propertyRuns(8_000),
  );
});

test('the smallest and the largest maxHeaderBytes hold to the same invariants', () => {
  fc.assert(
    fc.property(damaged, cuts, fc.constantFrom(232, 65_551), (bytes, at, max) => {
      checkProxyHeader(bytes, at, max);
    }),
    propertyRuns(2_000),
  );
});

test.run();
