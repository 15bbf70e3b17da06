// HeaderList (response headers and trailers) and RequestHeaders (the request's view), through
// their public API: validation at the call, case-insensitive lookups, the wire form, and the
// framing bits a protocol writer reads instead of looking fields up.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FramingField, HeaderList, RequestHeaders, declaredLengthOf } from '../../../protocols/http/index.js';
import { errorCodeOf } from '../../support/errors.js';

const codeOf = errorCodeOf;

test('HeaderList: lookups ignore case; set replaces every value, append adds one; order is kept', () => {
  const h = new HeaderList();
  h.set('Content-Type', 'text/plain').append('Set-Cookie', 'a=1').append('set-cookie', 'b=2').set('X-Count', 3);
  assert.is(h.size, 4);
  assert.is(h.get('content-type'), 'text/plain');
  assert.is(h.get('CONTENT-TYPE'), 'text/plain');
  assert.ok(h.has('x-count'));
  assert.is(h.get('x-count'), '3');
  assert.equal(h.getAll('SET-COOKIE'), ['a=1', 'b=2']);
  h.set('set-cookie', ['c=3', 'd=4']);
  assert.equal(h.getAll('set-cookie'), ['c=3', 'd=4']);
  assert.equal([...h], [['Content-Type', 'text/plain'], ['X-Count', '3'], ['set-cookie', 'c=3'], ['set-cookie', 'd=4']]);
  assert.ok(h.delete('X-COUNT'));
  assert.not.ok(h.delete('x-count'));
  assert.is(h.get('x-count'), undefined);
  assert.equal(h.toObject(), { 'content-type': 'text/plain', 'set-cookie': ['c=3', 'd=4'] });
  assert.is(h.serialize('HTTP/1.1 200 OK\r\n'), 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nset-cookie: c=3\r\nset-cookie: d=4\r\n');
});

test('HeaderList: repeated fields join with ", " in the object form; copyInto skips the names given', () => {
  const h = new HeaderList();
  h.append('vary', 'accept').append('Vary', 'origin').append('connection', 'close');
  const out: Record<string, string | string[] | number> = { ':status': 200 };
  h.copyInto(out, new Set(['connection']));
  assert.equal(out, { ':status': 200, vary: 'accept, origin' });
});

test('HeaderList: only SP and HTAB are trimmed from values (NBSP is obs-text and stays)', () => {
  const h = new HeaderList();
  h.set('x-a', ' \t padded \t ');
  assert.is(h.get('x-a'), 'padded');
  h.set('x-b', '\u00a0caf\u00e9\u00a0');
  assert.is(h.get('x-b'), '\u00a0caf\u00e9\u00a0');
  h.set('x-c', '');
  assert.is(h.get('x-c'), '');
});

test('HeaderList: bad names and values are refused at the call (response splitting), before and after a good one', () => {
  const h = new HeaderList();
  // The same good value twice, then bad ones: the check of the last good value must not let them by.
  h.set('x-ok', 'fine').set('x-ok2', 'fine');
  for (const [name, value] of [['x-a', 'a\r\nb'], ['x-a', 'nul\0'], ['x-a', '\u0100'], ['bad name', 'v'], ['', 'v'], ['x:y', 'v']] as const) {
    assert.is(codeOf(() => h.set(name, value)), 'ERR_TIERCEL_INVALID_HEADER', `${JSON.stringify(name)}: ${JSON.stringify(value)}`);
  }
  assert.is(codeOf(() => h.append('x-a', { toString: () => 'x' } as unknown as string)), 'ERR_TIERCEL_INVALID_HEADER');
  assert.is(codeOf(() => h.set('x-a', null as unknown as string)), 'ERR_TIERCEL_INVALID_HEADER');
  assert.is(h.size, 2);
});

test('HeaderList: sealed, every change throws ERR_TIERCEL_HEADERS_SENT but reads still work', () => {
  const h = new HeaderList();
  h.set('x-a', '1');
  h.seal('the response headers were sent');
  assert.ok(h.sealed);
  assert.is(codeOf(() => h.set('x-b', '2')), 'ERR_TIERCEL_HEADERS_SENT');
  assert.is(codeOf(() => h.append('x-b', '2')), 'ERR_TIERCEL_HEADERS_SENT');
  assert.is(codeOf(() => h.delete('x-a')), 'ERR_TIERCEL_HEADERS_SENT');
  assert.is(h.get('x-a'), '1');
});

test('HeaderList: framing bits follow the fields a writer must see, as they are added and removed', () => {
  const h = new HeaderList();
  assert.is(h.framingFields, 0);
  h.set('Date', 'x').set('Server', 'y').set('Content-Length', 5).set('Transfer-Encoding', 'chunked').set('Connection', 'close').set('x-other', '1');
  assert.is(h.framingFields, FramingField.Date | FramingField.Server | FramingField.ContentLength | FramingField.TransferEncoding | FramingField.Connection);
  h.delete('server');
  h.delete('content-length');
  assert.is(h.framingFields, FramingField.Date | FramingField.TransferEncoding | FramingField.Connection);
});

test('HeaderList: snapshot/matches compare the fields, not the object', () => {
  const a = new HeaderList().set('content-type', 'text/plain');
  const snap = a.snapshot();
  assert.ok(new HeaderList().set('content-type', 'text/plain').matches(snap));
  assert.not.ok(new HeaderList().set('content-type', 'text/html').matches(snap));
  assert.not.ok(new HeaderList().matches(snap));
  a.append('x', '1');
  assert.not.ok(a.matches(snap));
});

test('declaredLengthOf: 1-15 digits set once, anything else is ERR_TIERCEL_INVALID_HEADER', () => {
  assert.is(declaredLengthOf(new HeaderList().set('content-length', '42')), 42);
  assert.is(declaredLengthOf(new HeaderList().set('Content-Length', 0)), 0);
  for (const v of ['', 'abc', '-1', '+5', '1.5', ' 7x', '1234567890123456']) {
    assert.is(codeOf(() => declaredLengthOf(new HeaderList().set('content-length', v))), 'ERR_TIERCEL_INVALID_HEADER', JSON.stringify(v));
  }
  assert.is(codeOf(() => declaredLengthOf(new HeaderList().set('content-length', ['5', '5']))), 'ERR_TIERCEL_INVALID_HEADER');
});

test('RequestHeaders: case-insensitive view of the raw pairs; repeats joined with ", " (cookie with "; ")', () => {
  const h = new RequestHeaders(['Host', 'x', 'Accept', 'a', 'accept', 'b', 'Cookie', 'c=1', 'cookie', 'd=2']);
  assert.is(h.size, 5);
  assert.is(h.get('ACCEPT'), 'a, b');
  assert.is(h.get('cookie'), 'c=1; d=2');
  assert.is(h.get('missing'), undefined);
  assert.equal(h.getAll('accept'), ['a', 'b']);
  assert.ok(h.has('HOST'));
  assert.not.ok(h.has('x-nope'));
  assert.equal([...h].slice(0, 2), [['host', 'x'], ['accept', 'a']]);
  assert.equal(h.toObject(), { host: 'x', accept: 'a, b', cookie: 'c=1; d=2' });
  assert.equal(h.raw, ['Host', 'x', 'Accept', 'a', 'accept', 'b', 'Cookie', 'c=1', 'cookie', 'd=2']);
});

test('RequestHeaders: get and has answer the same before and after the names are listed (entries, toObject)', () => {
  // Names of one length that differ only in case or in one character, a name that folds onto
  // another only outside ASCII case (`_` is not `-`), and repeats: each asked before anything
  // lists the names, then again after.
  const raw = ['X-Req-Id', '1', 'x-req-iD', '2', 'X-Req_Id', '3', 'Content-Type', 'text/plain', 'COOKIE', 'a=1', 'Cookie', 'b=2'];
  const questions = ['x-req-id', 'X-REQ-ID', 'x-req_id', 'content-type', 'content-typ', 'cookie', 'host', 'X-Req-Ie'];
  const ask = (h: RequestHeaders) => questions.map((q) => [q, h.has(q), h.get(q)]);
  const h = new RequestHeaders(raw);
  const before = ask(h);
  assert.equal(before, [
    ['x-req-id', true, '1, 2'],
    ['X-REQ-ID', true, '1, 2'],
    ['x-req_id', true, '3'],
    ['content-type', true, 'text/plain'],
    ['content-typ', false, undefined],
    ['cookie', true, 'a=1; b=2'],
    ['host', false, undefined],
    ['X-Req-Ie', false, undefined],
  ]);
  assert.equal([...h].map(([name]) => name), ['x-req-id', 'x-req-id', 'x-req_id', 'content-type', 'cookie', 'cookie']);
  assert.equal(ask(h), before);
  assert.equal(ask(new RequestHeaders([])), questions.map((q) => [q, false, undefined]));
});

test.run();
