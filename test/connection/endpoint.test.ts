import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseEndpoint, parseUrl, formatEndpoint, formatUrl, isCustomEndpoint, InvalidEndpointError, type Endpoint } from '../../connection/index.js';

test('reads IPv4, IPv6 and the wildcards', () => {
  assert.equal(parseEndpoint('http://127.0.0.1:5000'), { kind: 'tcp', host: '127.0.0.1', port: 5000 });
  assert.equal(parseEndpoint('http://[::1]:0'), { kind: 'tcp', host: '::1', port: 0 });
  assert.equal(parseEndpoint('http://localhost:5000'), { kind: 'tcp', host: 'localhost', port: 5000 });
  assert.equal(parseEndpoint('http://*:5000'), { kind: 'tcp', host: '*', port: 5000 });
  assert.equal(parseEndpoint('http://+:5000/'), { kind: 'tcp', host: '*', port: 5000 });
  assert.equal(parseEndpoint('http://[::ffff:127.0.0.1]:80'), { kind: 'tcp', host: '::ffff:127.0.0.1', port: 80 });
});

test('reads https and default ports', () => {
  assert.equal(parseUrl('https://127.0.0.1'), { scheme: 'https', endpoint: { kind: 'tcp', host: '127.0.0.1', port: 443 } });
  assert.equal(parseUrl('HTTP://10.0.0.1'), { scheme: 'http', endpoint: { kind: 'tcp', host: '10.0.0.1', port: 80 } });
});

test('reads unix, pipe and memory endpoints', () => {
  assert.equal(parseEndpoint('http://unix:/tmp/a.sock'), { kind: 'pipe', path: '/tmp/a.sock' });
  assert.equal(parseEndpoint('http://pipe:/tiercel'), { kind: 'pipe', path: '\\\\.\\pipe\\tiercel' });
  assert.equal(parseEndpoint('https://memory:app'), { kind: 'memory', name: 'app' });
  assert.is(formatEndpoint(parseEndpoint('http://pipe:/tiercel')), 'pipe:/tiercel');
  assert.is(formatEndpoint(parseEndpoint('http://unix:/tmp/a.sock')), 'unix:/tmp/a.sock');
  assert.is(formatEndpoint(parseEndpoint('http://[::1]:80')), '[::1]:80');
  assert.is(formatEndpoint({ kind: 'quic', port: 1 }), 'quic:{"port":1}');
});

test('reads fd endpoints (systemd socket activation): a descriptor number, or a name', () => {
  assert.equal(parseUrl('http://fd:3'), { scheme: 'http', endpoint: { kind: 'fd', fd: 3 } });
  assert.equal(parseUrl('https://FD:web'), { scheme: 'https', endpoint: { kind: 'fd', name: 'web' } });
  assert.equal(parseEndpoint('http://fd:web-v6.socket/'), { kind: 'fd', name: 'web-v6.socket' });
  assert.equal(parseEndpoint('http://fd:12'), { kind: 'fd', fd: 12 });
  assert.is(formatUrl(parseEndpoint('http://fd:3')), 'http://fd:3');
  assert.is(formatUrl(parseEndpoint('https://fd:web'), 'https'), 'https://fd:web');
});

const bad: [string, string][] = [
  ['http://fd:', 'descriptor is missing'],
  ['http://fd:2', '3 or more'],
  ['http://fd:0', '3 or more'],
  ['http://fd:a:b', 'not a descriptor name'],
  ['http://fd:a b', 'not a descriptor name'],
  [`http://fd:${'n'.repeat(256)}`, 'not a descriptor name'],
  ['127.0.0.1:5000', 'scheme'],
  ['ftp://127.0.0.1:21', "unsupported scheme 'ftp'"],
  ['http://', 'host is missing'],
  ['http://127.0.0.1:99999', 'out of range'],
  ['http://127.0.0.1:abc', 'not a port'],
  ['http://::1:80', 'brackets'],
  ['http://[::1:80', "closing ']'"],
  ['http://[zz::1]:80', 'not an IPv6'],
  ['http://example.com:80', 'not an IP address'],
  ['http://127.0.0.1:80/api', 'path'],
  ['http://unix:relative.sock', 'absolute'],
  ['http://pipe:/', 'pipe name is missing'],
  ['http://memory:', 'name is missing'],
  ['http://memory:\r/', 'whitespace'],
  ['http://memory:app\t/', 'whitespace'],
  ['http://256.1.1.1:80', 'not an IP address'],
];
for (const [input, fragment] of bad) {
  test(`refuses ${input} naming what is wrong`, () => {
    try {
      parseEndpoint(input);
      assert.unreachable('should have thrown');
    } catch (err) {
      assert.instance(err, InvalidEndpointError);
      assert.is((err as InvalidEndpointError).code, 'ERR_TIERCEL_INVALID_ENDPOINT');
      assert.ok((err as Error).message.includes(fragment), `${(err as Error).message} should mention ${fragment}`);
    }
  });
}

test('isCustomEndpoint tells a transport its own kind, and narrows so its fields can be checked', () => {
  const endpoints: Endpoint[] = [{ kind: 'loop', name: 'a' }, { kind: 'loop' }, parseEndpoint('http://memory:a'), parseEndpoint('http://127.0.0.1:1')];
  const names = endpoints.map((e) => (isCustomEndpoint(e, 'loop') ? (typeof e.name === 'string' ? e.name : 'unnamed') : e.kind));
  assert.equal(names, ['a', 'unnamed', 'memory', 'tcp']);
});

test.run();
