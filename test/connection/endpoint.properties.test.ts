// Property tests of the listen-URL parser: it refuses only with InvalidEndpointError, every TCP
// host it accepts is read by node:net as the same IP literal, and printing an endpoint reads back
// the same (fuzz/endpoint-invariants.ts; the same checks run under Jazzer.js in
// fuzz/endpoint.fuzz.ts). Seeded, a fixed number of runs; a failure prints the seed and the case.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { propertyRuns } from '../support/properties.js';
import { isIP, isIPv4 } from 'node:net';
import { checkEndpoint } from '../../fuzz/endpoint-invariants.js';
import { parseUrl, InvalidEndpointError } from '../../connection/index.js';

const piece = fc.oneof(
  fc.constantFrom('http://', 'https://', 'HTTP://', 'ftp://', '://', 'unix:', 'pipe:', 'memory:', 'localhost', '*', '+'),
  fc.constantFrom('/', '//', '\\', '[', ']', ':', '%', '.', ' ', '\t', '\n', 'a', 'Z', 'é', '\u2028'),
  fc.constantFrom('0', '01', '010', '255', '256', '65535', '65536', '99999', 'eth0', 'ETH0', 'fe80::1', '::', '::ffff:'),
  fc.ipV4(),
  fc.ipV4Extended(),
  fc.ipV6(),
  fc.string({ maxLength: 4 }),
);

test('any string is parsed into a bindable endpoint that prints and reads back the same, or refused with InvalidEndpointError', () => {
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 7 }).map((p) => p.join('')), (s) => {
      checkEndpoint(s);
    }),
    propertyRuns(20_000),
  );
});

test('an IPv4 host is taken exactly when node:net reads it as one (no octal, hex or short forms)', () => {
  fc.assert(
    fc.property(fc.ipV4Extended(), fc.integer({ min: 0, max: 65535 }), (ip, port) => {
      const accepted = checkEndpoint(`http://${ip}:${port}`);
      assert.is(accepted !== null, isIPv4(ip), ip);
      if (accepted !== null) assert.equal(accepted.endpoint, { kind: 'tcp', host: ip, port });
    }),
    propertyRuns(5_000),
  );
});

test('an IPv6 literal is taken with its address in lower case', () => {
  fc.assert(
    fc.property(fc.ipV6(), fc.boolean(), (ip, upper) => {
      const written = upper ? ip.toUpperCase() : ip;
      const accepted = checkEndpoint(`https://[${written}]`);
      assert.ok(accepted !== null && isIP(ip) === 6, ip);
      assert.equal(accepted!.endpoint, { kind: 'tcp', host: ip.toLowerCase(), port: 443 });
    }),
    propertyRuns(5_000),
  );
});

// Found by the endpoint fuzz target (fuzz/regressions/endpoint/): each was accepted before.
const refused: [string, string][] = [
  // The resolver reads a leading zero as octal: this bound 8.0.0.1.
  ['http://010.0.0.1:80', 'not an IP address'],
  ['http://[::ffff:010.0.0.1]:80', 'not an IPv6 address'],
  // A zone node:net does not take for one: the host was then looked up as a name.
  ['http://[fe80::1%et[h0]:80', 'not an IPv6 address'],
  ['http://[fe80::1%]:80', 'not an IPv6 address'],
  // A lone ':' at either end: the empty group it makes was taken for part of a "::".
  ['http://[:ffff::10.0.0.1]:808', 'not an IPv6 address'],
  ['http://[1::2:]:80', 'not an IPv6 address'],
];
for (const [input, fragment] of refused) {
  test(`refuses ${input}`, () => {
    try {
      parseUrl(input);
      assert.unreachable('should have thrown');
    } catch (err) {
      assert.instance(err, InvalidEndpointError);
      assert.ok((err as Error).message.includes(fragment), (err as Error).message);
    }
  });
}

test('an IPv6 zone keeps its case: it names an interface', () => {
  assert.equal(parseUrl('http://[FE80::1%Eth0]:80').endpoint, { kind: 'tcp', host: 'fe80::1%Eth0', port: 80 });
});

test.run();
