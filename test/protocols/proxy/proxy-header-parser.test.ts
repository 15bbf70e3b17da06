// The PROXY protocol header parser on its own: every field of v1 and v2 headers (TLVs included),
// every split point of every valid header giving the same result, the bytes after the header
// handed back untouched, and the malformed shapes refused with their reason, as early as the bytes
// allow. Headers are built by test/support/proxy-headers.ts from the specification's layout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ProxyProtocolError, type ProxyHeader, type ProxyProtocolRejectionReason } from '../../../connection/index.js';
import { ProxyHeaderParser, crc32c, parseProxyHeader, type ProxyParseResult } from '../../../protocols/proxy/index.js';
import { ipv6Bytes, sslValue, tlv, v1, v2 } from '../../support/proxy-headers.js';

const APP_BYTES = Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n', 'latin1');

function header(r: ProxyParseResult): ProxyHeader {
  if (r.status !== 'header') assert.unreachable(`expected a header, got ${r.status === 'rejected' ? `${r.error.reason}: ${r.error.message}` : r.status}`);
  return (r as { header: ProxyHeader }).header;
}

function rejection(r: ProxyParseResult): ProxyProtocolError {
  if (r.status !== 'rejected') assert.unreachable(`expected a rejection, got ${r.status}`);
  return (r as { error: ProxyProtocolError }).error;
}

/** The result of pushing `parts` one after the other (the last non-'more' one). */
function pushAll(parts: Buffer[], maxHeaderBytes?: number): ProxyParseResult {
  const parser = new ProxyHeaderParser(maxHeaderBytes);
  let r: ProxyParseResult = { status: 'more' };
  for (const p of parts) {
    r = parser.push(p);
    if (r.status !== 'more') return r;
  }
  return r;
}

test('crc32c matches the CRC-32C check value (RFC 3720 B.4: "123456789" → 0xE3069283) and the iSCSI zero vector', () => {
  assert.is(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.is(crc32c(Buffer.alloc(32)), 0x8a9136aa);
  // The zeroed field: the same as computing over zeros written in its place.
  const withField = Buffer.from('abcdefgh');
  assert.is(crc32c(withField, 2), crc32c(Buffer.from('ab\0\0\0\0gh', 'latin1')));
});

// ---- v1 ------------------------------------------------------------------------------------

test('v1 TCP4: the specification example, every field, and the bytes after it untouched', () => {
  const r = parseProxyHeader(Buffer.concat([v1('TCP4', '192.168.0.1', '192.168.0.11', 56324, 443), APP_BYTES]));
  const h = header(r);
  assert.equal(h, {
    version: 1,
    command: 'proxy',
    family: 'tcp4',
    source: { kind: 'tcp', host: '192.168.0.1', port: 56324 },
    destination: { kind: 'tcp', host: '192.168.0.11', port: 443 },
    tlvs: h.tlvs,
    length: 47,
  });
  assert.equal(h.tlvs.raw, []);
  assert.ok((r as { rest: Buffer }).rest.equals(APP_BYTES));
});

test('v1 TCP4 at its longest (56 bytes) and with port 0', () => {
  const longest = v1('TCP4', '255.255.255.255', '255.255.255.255', 65535, 65535);
  assert.is(longest.length, 56);
  assert.is(header(parseProxyHeader(longest)).length, 56);
  const zero = header(parseProxyHeader(v1('TCP4', '0.0.0.0', '10.0.0.1', 0, 0)));
  assert.equal(zero.source, { kind: 'tcp', host: '0.0.0.0', port: 0 });
});

test('v1 TCP6: any textual form, upper case, written as node:net writes it; an IPv4-mapped address unmapped', () => {
  const h = header(parseProxyHeader(v1('TCP6', '2001:DB8:0:0:0:0:0:1', '::FFFF:10.1.2.3', 1, 65535)));
  assert.is(h.family, 'tcp6');
  assert.equal(h.source, { kind: 'tcp', host: '2001:db8::1', port: 1 });
  // The TCP transport unmaps a dual-stack socket's address the same way.
  assert.equal(h.destination, { kind: 'tcp', host: '10.1.2.3', port: 65535 });
  const full = 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff';
  const longest = v1('TCP6', full, full, 65535, 65535);
  assert.is(longest.length, 104);
  assert.is(header(parseProxyHeader(longest)).source!.kind, 'tcp');
});

test('v1 UNKNOWN: short form, with anything before the CRLF, and at the 107-byte worst case; no endpoints', () => {
  for (const line of [v1('UNKNOWN'), v1('UNKNOWN', ' whatever the sender had'), v1('UNKNOWN', ` ${'f'.repeat(39)} ${'f'.repeat(39)} 65535 65535`)]) {
    const h = header(parseProxyHeader(Buffer.concat([line, APP_BYTES])));
    assert.equal([h.family, h.source, h.destination, h.length], ['unknown', null, null, line.length]);
  }
  assert.is(v1('UNKNOWN', ` ${'f'.repeat(39)} ${'f'.repeat(39)} 65535 65535`).length, 107);
});

// ---- v2 ------------------------------------------------------------------------------------

test('v2 TCP over IPv4: addresses, ports, no TLVs, and the bytes after it untouched', () => {
  const bytes = v2({ source: { host: '203.0.113.7', port: 51000 }, destination: { host: '198.51.100.1', port: 443 } });
  assert.is(bytes.length, 28);
  const r = parseProxyHeader(Buffer.concat([bytes, APP_BYTES]));
  const h = header(r);
  assert.equal([h.version, h.command, h.family, h.length], [2, 'proxy', 'tcp4', 28]);
  assert.equal(h.source, { kind: 'tcp', host: '203.0.113.7', port: 51000 });
  assert.equal(h.destination, { kind: 'tcp', host: '198.51.100.1', port: 443 });
  assert.equal(h.tlvs.raw, []);
  assert.ok((r as { rest: Buffer }).rest.equals(APP_BYTES));
});

test('v2 TCP over IPv6: compressed as node:net writes it; IPv4-mapped unmapped', () => {
  const h = header(parseProxyHeader(v2({ source: { host: '2001:db8::42', port: 1 }, destination: { host: '::ffff:192.0.2.1', port: 2 } })));
  assert.equal([h.family, h.length], ['tcp6', 52]);
  assert.equal(h.source, { kind: 'tcp', host: '2001:db8::42', port: 1 });
  assert.equal(h.destination, { kind: 'tcp', host: '192.0.2.1', port: 2 });
  assert.ok(ipv6Bytes('1:2:3:4:5:6:7:8').equals(Buffer.from('00010002000300040005000600070008', 'hex')));
});

test('v2 AF_UNIX stream: the paths become pipe endpoints (an unnamed client socket an empty path)', () => {
  const h = header(parseProxyHeader(v2({ paths: ['', '/run/haproxy/front.sock'] })));
  assert.equal([h.family, h.length], ['unix-stream', 232]);
  assert.equal(h.source, { kind: 'pipe', path: '' });
  assert.equal(h.destination, { kind: 'pipe', path: '/run/haproxy/front.sock' });
});

test('v2 datagram families and AF_UNSPEC: parsed, no endpoints (the connection keeps its own)', () => {
  const udp = header(parseProxyHeader(v2({ family: 0x12, source: { host: '10.0.0.1', port: 53 }, destination: { host: '10.0.0.2', port: 53 }, tlvs: [tlv(0x05, 'id')] })));
  assert.equal([udp.family, udp.source, udp.destination], ['udp4', null, null]);
  assert.is(udp.tlvs.uniqueId!.toString(), 'id');
  const udp6 = header(parseProxyHeader(v2({ family: 0x22, source: { host: '::1', port: 1 }, destination: { host: '::1', port: 2 } })));
  assert.is(udp6.family, 'udp6');
  assert.is(header(parseProxyHeader(v2({ family: 0x32, paths: ['/a', '/b'] }))).family, 'unix-dgram');
  // UNSPEC with bytes after it: "the receiver should ignore address information"; all skipped.
  const unspec = header(parseProxyHeader(v2({ family: 0x00, addressBlock: Buffer.from('anything at all') })));
  assert.equal([unspec.command, unspec.family, unspec.source, unspec.length, unspec.tlvs.raw.length], ['proxy', 'unknown', null, 31, 0]);
});

test('v2 LOCAL: accepted whatever its family byte and address block say (both are to be ignored), no endpoints', () => {
  const plain = header(parseProxyHeader(v2({ command: 'local' })));
  assert.equal([plain.version, plain.command, plain.family, plain.source, plain.length], [2, 'local', 'unknown', null, 16]);
  // "Receivers MUST always consider this field to skip the appropriate number of bytes".
  const withBlock = parseProxyHeader(Buffer.concat([v2({ command: 'local', family: 0xff, addressBlock: Buffer.alloc(12, 7) }), APP_BYTES]));
  assert.is(header(withBlock).length, 28);
  assert.ok((withBlock as { rest: Buffer }).rest.equals(APP_BYTES));
});

test('v2 TLVs: ALPN, authority (UTF-8), unique id, SSL with its sub-TLVs, netns, NOOP, custom types, CRC32C; all kept raw in order', () => {
  const ssl = sslValue(0x07, 0, [tlv(0x21, 'TLSv1.3'), tlv(0x22, 'Zoë Client'), tlv(0x23, 'TLS_AES_128_GCM_SHA256'), tlv(0x24, 'RSA-SHA256'), tlv(0x25, 'RSA2048'), tlv(0x28, Buffer.of(1, 2))]);
  const tlvs = [tlv(0x01, 'h2'), tlv(0x04, Buffer.alloc(0)), tlv(0x02, 'bücher.example'), tlv(0x05, Buffer.alloc(128, 0xab)), tlv(0x20, ssl), tlv(0x30, 'blue'), tlv(0xe0, Buffer.of(0xde, 0xad)), tlv(0x04, 'pad')];
  const h = header(parseProxyHeader(v2({ source: { host: '10.0.0.1', port: 1 }, destination: { host: '10.0.0.2', port: 2 }, tlvs, crc: true })));
  const t = h.tlvs;
  assert.is(t.alpn, 'h2');
  assert.is(t.authority, 'bücher.example');
  assert.ok(t.uniqueId!.equals(Buffer.alloc(128, 0xab)));
  assert.is(t.netns, 'blue');
  assert.equal(
    { ...t.ssl!, subTlvs: t.ssl!.subTlvs.map((s) => s.type) },
    {
      ssl: true,
      certificateOnConnection: true,
      certificateInSession: true,
      verify: 0,
      version: 'TLSv1.3',
      commonName: 'Zoë Client',
      cipher: 'TLS_AES_128_GCM_SHA256',
      signatureAlgorithm: 'RSA-SHA256',
      keyAlgorithm: 'RSA2048',
      subTlvs: [0x21, 0x22, 0x23, 0x24, 0x25, 0x28],
    },
  );
  assert.equal(t.raw.map((x) => x.type), [0x01, 0x04, 0x02, 0x05, 0x20, 0x30, 0xe0, 0x04, 0x03]);
  assert.ok(t.raw[6].value.equals(Buffer.of(0xde, 0xad)));
});

test('v2 SSL TLV without sub-TLVs: a client without TLS or certificate, verify non-zero', () => {
  const h = header(parseProxyHeader(v2({ source: { host: '10.0.0.1', port: 1 }, destination: { host: '10.0.0.2', port: 2 }, tlvs: [tlv(0x20, sslValue(0, 1))] })));
  const ssl = h.tlvs.ssl!;
  assert.equal([ssl.ssl, ssl.certificateOnConnection, ssl.certificateInSession, ssl.verify, ssl.version, ssl.commonName], [false, false, false, 1, undefined, undefined]);
});

test('v2 size limit: a header of exactly maxHeaderBytes is taken, one byte more refused; the format allows 65,551', () => {
  const tlvOf = (total: number): Buffer => tlv(0xe1, Buffer.alloc(total - 28 - 3));
  const exact = v2({ source: { host: '10.0.0.1', port: 1 }, destination: { host: '10.0.0.2', port: 2 }, tlvs: [tlvOf(4096)] });
  assert.is(exact.length, 4096);
  assert.is(header(parseProxyHeader(exact)).length, 4096);
  const over = v2({ source: { host: '10.0.0.1', port: 1 }, destination: { host: '10.0.0.2', port: 2 }, tlvs: [tlvOf(4097)] });
  const e = rejection(parseProxyHeader(over));
  assert.is(e.reason, 'too-large');
  // Refused from the length field alone: the first 16 bytes are enough.
  assert.is(rejection(parseProxyHeader(over.subarray(0, 16))).reason, 'too-large');
  const largest = v2({ source: { host: '10.0.0.1', port: 1 }, destination: { host: '10.0.0.2', port: 2 }, tlvs: [tlvOf(65_551)] });
  assert.is(header(parseProxyHeader(largest, 65_551)).length, 65_551);
});

// ---- every split point ---------------------------------------------------------------------

const VALID: [string, Buffer][] = [
  ['v1 TCP4', v1('TCP4', '192.168.0.1', '192.168.0.11', 56324, 443)],
  ['v1 TCP6', v1('TCP6', '2001:db8::1', '::ffff:1.2.3.4', 65535, 0)],
  ['v1 UNKNOWN', v1('UNKNOWN', ' 1 2 3')],
  ['v2 TCP4', v2({ source: { host: '10.0.0.1', port: 1000 }, destination: { host: '10.0.0.2', port: 80 } })],
  ['v2 TCP6 with TLVs and CRC32C', v2({ source: { host: 'fe80::1', port: 1 }, destination: { host: '::1', port: 2 }, tlvs: [tlv(0x01, 'http/1.1'), tlv(0x20, sslValue(1, 0, [tlv(0x21, 'TLSv1.2')]))], crc: true })],
  ['v2 LOCAL', v2({ command: 'local' })],
  ['v2 AF_UNIX, longer than 107 bytes', v2({ paths: ['/a', '/b'], tlvs: [tlv(0x05, 'x')] })],
];

for (const [name, bytes] of VALID) {
  test(`${name}: every split point (two and three pieces, and a byte at a time) parses the same, rest included`, () => {
    const stream = Buffer.concat([bytes, APP_BYTES]);
    const whole = parseProxyHeader(stream);
    const expected = header(whole);
    const check = (r: ProxyParseResult, how: string): void => {
      assert.equal(header(r), expected, how);
      // The bytes after the header, from wherever they fell: the pieces after the one that ended it.
      assert.ok(r.status === 'header');
    };
    for (let i = 1; i < stream.length; i++) {
      const parser = new ProxyHeaderParser();
      let r = parser.push(stream.subarray(0, i));
      let rest = r.status === 'header' ? [r.rest, stream.subarray(i)] : [];
      if (r.status === 'more') {
        r = parser.push(stream.subarray(i));
        rest = r.status === 'header' ? [r.rest] : [];
      }
      check(r, `split at ${i}`);
      assert.ok(Buffer.concat(rest).equals(APP_BYTES), `rest after a split at ${i}`);
      for (let j = i + 1; j < stream.length && j < i + 4; j++) check(pushAll([stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)]), `split at ${i} and ${j}`);
    }
    const bytewise = new ProxyHeaderParser();
    let r: ProxyParseResult = { status: 'more' };
    let at = 0;
    while (r.status === 'more') r = bytewise.push(stream.subarray(at, ++at));
    check(r, 'a byte at a time');
    assert.is(at, bytes.length, 'the header ends at its last byte, not later');
    // A finished parser reads nothing more.
    assert.is(bytewise.push(Buffer.from('x')), r);
  });
}

// ---- malformed shapes ----------------------------------------------------------------------

const addrs = { source: { host: '10.0.0.1', port: 1 }, destination: { host: '10.0.0.2', port: 2 } };
const line = (s: string): Buffer => Buffer.from(s, 'latin1');

const MALFORMED: [string, Buffer, ProxyProtocolRejectionReason][] = [
  ['an HTTP request (no header at all)', APP_BYTES, 'signature'],
  ['a TLS ClientHello', Buffer.from('16030100c8010000c40303', 'hex'), 'signature'],
  ['the HTTP/2 preface', line('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), 'signature'],
  ['v1 misspelt', line('PROXZ TCP4 1.1.1.1 2.2.2.2 1 2\r\n'), 'signature'],
  ['v1 lower case', line('proxy TCP4 1.1.1.1 2.2.2.2 1 2\r\n'), 'signature'],
  ['v1 without the space', line('PROXYTCP4 1.1.1.1 2.2.2.2 1 2\r\n'), 'line'],
  ['v1 unknown protocol', line('PROXY TCP5 1.1.1.1 2.2.2.2 1 2\r\n'), 'family'],
  ['v1 protocol in lower case', line('PROXY tcp4 1.1.1.1 2.2.2.2 1 2\r\n'), 'family'],
  ['v1 UNKNOWN run on', line('PROXY UNKNOWNX\r\n'), 'family'],
  ['v1 UDP4', line('PROXY UDP4 1.1.1.1 2.2.2.2 1 2\r\n'), 'family'],
  ['v1 two spaces', line('PROXY TCP4  1.1.1.1 2.2.2.2 1 2\r\n'), 'line'],
  ['v1 a space before CRLF', line('PROXY TCP4 1.1.1.1 2.2.2.2 1 2 \r\n'), 'line'],
  ['v1 a tab for a space', line('PROXY TCP4\t1.1.1.1 2.2.2.2 1 2\r\n'), 'family'],
  ['v1 a field missing', line('PROXY TCP4 1.1.1.1 2.2.2.2 1\r\n'), 'line'],
  ['v1 only the family', line('PROXY TCP4\r\n'), 'line'],
  ['v1 a field too many', line('PROXY TCP4 1.1.1.1 2.2.2.2 1 2 3\r\n'), 'line'],
  ['v1 LF alone', line('PROXY TCP4 1.1.1.1 2.2.2.2 1 2\n'), 'line'],
  ['v1 CR alone', line('PROXY TCP4 1.1.1.1 2.2.2.2 1 2\rX'), 'line'],
  ['v1 CR CR LF', line('PROXY TCP4 1.1.1.1 2.2.2.2 1 2\r\r\n'), 'line'],
  ['v1 UNKNOWN with a lone LF', line('PROXY UNKNOWN a\nb\r\n'), 'line'],
  ['v1 no CRLF in 107 bytes', line(`PROXY UNKNOWN ${'f'.repeat(93)}`), 'too-large'],
  ['v1 CRLF at bytes 107-108', line(`PROXY UNKNOWN ${'f'.repeat(92)}\r\n`), 'too-large'],
  ['v1 octet over 255', line('PROXY TCP4 256.1.1.1 2.2.2.2 1 2\r\n'), 'address'],
  ['v1 leading zero in an octet (octal to a resolver)', line('PROXY TCP4 010.1.1.1 2.2.2.2 1 2\r\n'), 'address'],
  ['v1 three octets', line('PROXY TCP4 1.1.1 2.2.2.2 1 2\r\n'), 'address'],
  ['v1 a host name', line('PROXY TCP4 localhost 2.2.2.2 1 2\r\n'), 'address'],
  ['v1 IPv6 under TCP4', line('PROXY TCP4 ::1 2.2.2.2 1 2\r\n'), 'address'],
  ['v1 IPv4 under TCP6', line('PROXY TCP6 1.1.1.1 ::1 1 2\r\n'), 'address'],
  ['v1 IPv6 with a zone', line('PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n'), 'address'],
  ['v1 IPv6 with nine groups', line('PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n'), 'address'],
  ['v1 IPv6 with two ::', line('PROXY TCP6 1::2::3 ::1 1 2\r\n'), 'address'],
  ['v1 IPv6 in brackets', line('PROXY TCP6 [::1] ::1 1 2\r\n'), 'address'],
  ['v1 bad destination', line('PROXY TCP4 1.1.1.1 2.2.2 1 2\r\n'), 'address'],
  ['v1 port over 65535', line('PROXY TCP4 1.1.1.1 2.2.2.2 65536 2\r\n'), 'port'],
  ['v1 port with a leading zero', line('PROXY TCP4 1.1.1.1 2.2.2.2 080 2\r\n'), 'port'],
  ['v1 negative port', line('PROXY TCP4 1.1.1.1 2.2.2.2 -1 2\r\n'), 'port'],
  ['v1 signed port', line('PROXY TCP4 1.1.1.1 2.2.2.2 +1 2\r\n'), 'port'],
  ['v1 bad destination port', line('PROXY TCP4 1.1.1.1 2.2.2.2 1 2x\r\n'), 'port'],
  ['v1 six-digit port', line('PROXY TCP4 1.1.1.1 2.2.2.2 1 000001\r\n'), 'port'],
  ['v2 version 1', v2({ ...addrs, versionCommand: 0x11 }), 'version'],
  ['v2 version 3', v2({ ...addrs, versionCommand: 0x31 }), 'version'],
  ['v2 command 2', v2({ ...addrs, versionCommand: 0x22 }), 'command'],
  ['v2 command 15', v2({ ...addrs, versionCommand: 0x2f }), 'command'],
  ['v2 family 4', v2({ ...addrs, family: 0x41 }), 'family'],
  ['v2 transport 3', v2({ ...addrs, family: 0x13 }), 'family'],
  ['v2 UNSPEC family with STREAM', v2({ ...addrs, family: 0x01 }), 'family'],
  ['v2 TCP4 block one byte short', v2({ family: 0x11, addressBlock: Buffer.alloc(11) }), 'length'],
  ['v2 TCP6 block of an IPv4 size', v2({ family: 0x21, addressBlock: Buffer.alloc(12) }), 'length'],
  ['v2 AF_UNIX block short', v2({ family: 0x31, addressBlock: Buffer.alloc(215) }), 'length'],
  ['v2 length over maxHeaderBytes', v2({ ...addrs, length: 4081 }), 'too-large'],
  ['v2 length at the format maximum', v2({ ...addrs, length: 0xffff }), 'too-large'],
  ['v2 TLV cut after its type', v2({ ...addrs, tlvs: [Buffer.of(0x01)] }), 'tlv'],
  ['v2 TLV cut in its length', v2({ ...addrs, tlvs: [Buffer.of(0x01, 0x00)] }), 'tlv'],
  ['v2 TLV value overruns the header', v2({ ...addrs, tlvs: [Buffer.of(0x01, 0x00, 0x05, 0x68, 0x32)] }), 'tlv'],
  ['v2 empty ALPN', v2({ ...addrs, tlvs: [tlv(0x01, '')] }), 'tlv'],
  ['v2 ALPN given twice', v2({ ...addrs, tlvs: [tlv(0x01, 'h2'), tlv(0x01, 'http/1.1')] }), 'tlv'],
  ['v2 authority given twice', v2({ ...addrs, tlvs: [tlv(0x02, 'a.example'), tlv(0x02, 'b.example')] }), 'tlv'],
  ['v2 authority not UTF-8', v2({ ...addrs, tlvs: [tlv(0x02, Buffer.of(0x61, 0xff, 0x62))] }), 'tlv'],
  ['v2 unique id of 129 bytes', v2({ ...addrs, tlvs: [tlv(0x05, Buffer.alloc(129))] }), 'tlv'],
  ['v2 SSL of 4 bytes', v2({ ...addrs, tlvs: [tlv(0x20, Buffer.alloc(4))] }), 'tlv'],
  ['v2 SSL sub-TLV overruns', v2({ ...addrs, tlvs: [tlv(0x20, Buffer.concat([sslValue(1, 0), Buffer.of(0x21, 0x00, 0x09, 0x41)]))] }), 'tlv'],
  ['v2 SSL CN given twice', v2({ ...addrs, tlvs: [tlv(0x20, sslValue(3, 0, [tlv(0x22, 'a'), tlv(0x22, 'b')]))] }), 'tlv'],
  ['v2 SSL CN not UTF-8', v2({ ...addrs, tlvs: [tlv(0x20, sslValue(3, 0, [tlv(0x22, Buffer.of(0xc3))]))] }), 'tlv'],
  ['v2 CRC32C of 3 bytes', v2({ ...addrs, tlvs: [tlv(0x03, Buffer.alloc(3))] }), 'tlv'],
  ['v2 CRC32C that does not match', v2({ ...addrs, tlvs: [tlv(0x01, 'h2')], crc: 'wrong' }), 'checksum'],
];

// A signature byte wrong at each of the 12 positions.
for (let i = 0; i < 12; i++) {
  const bad = v2(addrs);
  bad[i] ^= 0x40;
  MALFORMED.push([`v2 signature byte ${i + 1} wrong`, bad, 'signature']);
}

for (const [name, bytes, reason] of MALFORMED) {
  test(`refused: ${name} → ${reason}, in one read and a byte at a time`, () => {
    const e = rejection(parseProxyHeader(Buffer.concat([bytes, APP_BYTES])));
    assert.instance(e, ProxyProtocolError);
    assert.is(e.code, 'ERR_TIERCEL_PROXY_PROTOCOL');
    assert.is(e.reason, reason, e.message);
    const stream = Buffer.concat([bytes, APP_BYTES]);
    const parser = new ProxyHeaderParser();
    let r: ProxyParseResult = { status: 'more' };
    for (let at = 0; r.status === 'more' && at < stream.length; at++) r = parser.push(stream.subarray(at, at + 1));
    assert.is(rejection(r).reason, reason);
  });
}

test('refused as early as the bytes allow: a bad byte is judged when it arrives, not at the line end', () => {
  const early: [string, ProxyProtocolRejectionReason][] = [
    ['G', 'signature'],
    ['PROXY X', 'family'],
    ['PROXY TCP4 1.2.3.4x', 'address'],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 08', 'port'],
    ['PROXY TCP4 1.2.3.4 5.6.7.8 123456', 'port'],
    ['PROXY TCP6 ::1 ::g', 'address'],
    ['PROXY TCP4 1.2.3.4  ', 'line'],
    ['PROXY TCP4\n', 'line'],
  ];
  for (const [prefix, reason] of early) assert.is(rejection(parseProxyHeader(line(prefix))).reason, reason, prefix);
  assert.is(rejection(parseProxyHeader(v2({ ...addrs, versionCommand: 0x11 }).subarray(0, 13))).reason, 'version');
  assert.is(rejection(parseProxyHeader(v2({ ...addrs, family: 0x41 }).subarray(0, 14))).reason, 'family');
  // Valid beginnings wait for more.
  for (const prefix of ['P', 'PROXY', 'PROXY ', 'PROXY UNK', 'PROXY TCP4 1.2.3', 'PROXY TCP4 1.2.3.4 5.6.7.8 80 44', 'PROXY TCP4 1.2.3.4 5.6.7.8 80 443\r']) {
    assert.is(parseProxyHeader(line(prefix)).status, 'more', prefix);
  }
  assert.is(parseProxyHeader(v2(addrs).subarray(0, 27)).status, 'more');
});

test.run();
