import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodePath, matchesPrefix } from '../../pipeline/index.js';
import { authorityOf, isValidMapPrefix, rawPathOf } from '../../pipeline/path.js';
test('a path with nothing to decode is returned as the same string', () => {
    const raw = '/plaintext';
    assert.is(decodePath(raw), raw);
    assert.is(decodePath('/a/b.txt'), '/a/b.txt');
});
const decoding = [
    ['/a%20b', '/a b'],
    ['/caf%C3%A9', '/café'],
    ['/caf%c3%a9', '/café'],
    ['/%F0%9F%90%A6', '/🐦'],
    // An escaped slash is data, not a separator (Kestrel keeps it encoded); NUL stays encoded too.
    ['/a%2Fb', '/a%2Fb'],
    ['/a%2fb', '/a%2fb'],
    ['/a%00b', '/a%00b'],
    // Malformed escapes are kept as sent.
    ['/a%zz', '/a%zz'],
    ['/a%4', '/a%4'],
    ['/a%', '/a%'],
    // Invalid UTF-8: a stray continuation byte, an overlong form, a surrogate, a cut sequence.
    ['/%80', '/%80'],
    ['/%C0%AF', '/%C0%AF'],
    ['/%ED%A0%80', '/%ED%A0%80'],
    ['/%C3', '/%C3'],
    ['/%C3x%A9', '/%C3x%A9'],
    ['/%E2%82', '/%E2%82'],
    ['/ok%C3%A9%80/x', '/oké%80/x'],
    // + is not a space in a path.
    ['/a+b', '/a+b'],
];
test('percent-decodes paths as Kestrel does', () => {
    for (const [raw, expected] of decoding)
        assert.is(decodePath(raw), expected, raw);
});
const dots = [
    ['/a/./b', '/a/b'],
    ['/a/../b', '/b'],
    ['/a/b/..', '/a/'],
    ['/a/b/.', '/a/b/'],
    ['/..', '/'],
    ['/../../etc/passwd', '/etc/passwd'],
    ['/public/%2E%2E/admin', '/admin'],
    ['/public/%2e./admin', '/admin'],
    ['/a/.hidden/..x', '/a/.hidden/..x'],
    ['/a/..%2Fadmin', '/a/..%2Fadmin'],
    ['/a//b', '/a//b'],
];
test('removes dot segments after decoding', () => {
    for (const [raw, expected] of dots)
        assert.is(decodePath(raw), expected, raw);
});
test('finds the path of every request-target form', () => {
    assert.is(rawPathOf('/a/b'), '/a/b');
    assert.is(rawPathOf('http://example.com/a/b'), '/a/b');
    assert.is(rawPathOf('http://example.com'), '/');
    assert.is(rawPathOf('*'), '*');
    assert.is(rawPathOf('example.com:443'), '');
    assert.is(authorityOf('http://user:pw@example.com:8080/x?y'), 'example.com:8080');
    assert.is(authorityOf('http://example.com'), 'example.com');
    assert.is(authorityOf('/x'), undefined);
    assert.is(authorityOf('*'), undefined);
});
test('matches whole segments, ignoring case', () => {
    assert.ok(matchesPrefix('/api', '/api'));
    assert.ok(matchesPrefix('/api/x', '/api'));
    assert.ok(matchesPrefix('/API/x', '/api'));
    assert.ok(matchesPrefix('/api/', '/Api'));
    assert.ok(matchesPrefix('/api/v1/x', '/api/v1'));
    assert.not.ok(matchesPrefix('/apix', '/api'));
    assert.not.ok(matchesPrefix('/ap', '/api'));
    assert.not.ok(matchesPrefix('/', '/api'));
    assert.not.ok(matchesPrefix('/api%2Fx', '/api'));
    assert.not.ok(matchesPrefix('/b/api', '/api'));
    assert.ok(matchesPrefix('/CAFÉ/menu', '/café'));
    assert.not.ok(matchesPrefix('/cafe/menu', '/café'));
});
test('accepts only map prefixes that start with / and do not end with it', () => {
    assert.ok(isValidMapPrefix('/api'));
    assert.ok(isValidMapPrefix('/api/v1'));
    for (const bad of ['', '/', 'api', '/api/', 42])
        assert.not.ok(isValidMapPrefix(bad), String(bad));
});
test.run();
//# sourceMappingURL=path.test.js.map