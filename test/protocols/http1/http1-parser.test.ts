import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DEFAULT_PARSER_LIMITS,
  HeadScannerPool,
  Http1Parser,
  assertValidHost,
  type ParserLimits,
  type RequestHead,
} from '../../../protocols/http1/http1-parser.js';
import { isValidHostValue } from '../../../protocols/http/index.js';
import { BadRequestError, RequestRejectionReason as R } from '../../../protocols/http1/rejection.js';
import { InvalidOptionError } from '../../../connection/errors.js';
import { Recorder, bytewise, feed, splitAt, type FeedResult } from './parser-recorder.js';
import { acceptedTargets, invalidHosts, targetRejections, validHosts } from './request-rules.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Every way of cutting `input`: whole, in two at each boundary, and byte by byte. */
function everySplit(input: Buffer): [string, Buffer[]][] {
  const runs: [string, Buffer[]][] = [['one piece', [input]]];
  for (let at = 1; at < input.length; at++) runs.push([`split at ${at}`, splitAt(input, at)]);
  runs.push(['byte by byte', bytewise(input)]);
  return runs;
}

function rejects(raw: string, reason: R, status: number, limits?: Partial<ParserLimits>): void {
  for (const [how, pieces] of everySplit(bytes(raw))) {
    const r = feed(pieces, limits);
    assert.ok(r.error !== null, `${how}: should be rejected with ${reason}`);
    assert.is(r.error.reason, reason, `${how}: reason`);
    assert.is(r.error.status, status, `${how}: status`);
    assert.is(r.error.code, 'ERR_TIERCEL_BAD_REQUEST');
    assert.is(r.status, 'failed');
  }
}

function parsesEverySplit(raw: string, check: (r: FeedResult, how: string) => void, limits?: Partial<ParserLimits>): void {
  for (const [how, pieces] of everySplit(bytes(raw))) {
    const r = feed(pieces, limits);
    if (r.error) assert.unreachable(`${how}: rejected with ${r.error.reason}`);
    check(r, how);
  }
}

// ---- limits ------------------------------------------------------------------------------

const small: Partial<ParserLimits> = {
  maxRequestLineSize: 64,
  maxRequestHeadersTotalSize: 128,
  maxRequestHeaderCount: 4,
  maxChunkExtensionSize: 16,
  maxTrailerSize: 32,
};
// A request line of exactly n bytes, CRLF included.
const lineOf = (n: number): string => `GET /${'a'.repeat(n - 16)} HTTP/1.1\r\n`;
// A header field line of exactly n bytes, CRLF included.
const fieldOf = (name: string, n: number): string => `${name}: ${'v'.repeat(n - name.length - 4)}\r\n`;

test('a request line at the limit is accepted; one byte more is 414', () => {
  assert.is(lineOf(64).length, 64);
  parsesEverySplit(`${lineOf(64)}\r\n`, (r, how) => assert.is(r.recorder.completed.length, 1, how), small);
  rejects(`${lineOf(65)}\r\n`, R.RequestLineTooLong, 414, small);
});

test('an unterminated request line is refused with 414 as soon as it passes the limit', () => {
  const parser = new Http1Parser(new Recorder(), small);
  const long = bytes(`GET /${'a'.repeat(200)}`);
  let fed = 0;
  try {
    for (; fed < long.length; fed++) parser.execute(long.subarray(fed, fed + 1));
    assert.unreachable('should have been refused');
  } catch (err) {
    assert.instance(err, BadRequestError);
    assert.is((err as BadRequestError).reason, R.RequestLineTooLong);
  }
  assert.is(fed + 1, 65, 'refused on the 65th byte, not at the CRLF');
  // And when it all comes at once, before anything is buffered.
  rejects(`GET /${'a'.repeat(200)}`, R.RequestLineTooLong, 414, small);
});

test('maxRequestHeadersTotalSize counts the field lines with their CRLFs: at the limit is served, one byte more is 431', () => {
  const fields = fieldOf('A', 60) + fieldOf('B', 68);
  assert.is(fields.length, 128);
  // Neither the request line nor the empty line counts, so both may be at their limits at once
  // (and a head split anywhere, even between the last CR and LF, is carried whole).
  parsesEverySplit(`GET / HTTP/1.1\r\n${fields}\r\n`, (r, how) => assert.is(r.recorder.completed.length, 1, how), small);
  parsesEverySplit(`${lineOf(64)}${fields}\r\n`, (r, how) => assert.is(r.recorder.completed[0].head.rawHeaders[3].length, 63, how), small);
  rejects(`GET / HTTP/1.1\r\n${fieldOf('A', 60) + fieldOf('B', 69)}\r\n`, R.HeadersTooLarge, 431, small);
});

test('the default header limit: exactly 32,768 bytes of field lines are served, 32,769 get 431', () => {
  const head = (n: number): string => `GET / HTTP/1.1\r\nHost: x\r\n${fieldOf('X-Big', n - 9)}\r\n`;
  assert.is(head(32768).length, 16 + 32768 + 2);
  const at = bytes(head(32768));
  // Whole, byte by byte, and cut between the CR and LF of the empty line (the one byte of the
  // head that is past the limit and yet not counted).
  for (const pieces of [[at], bytewise(at), splitAt(at, at.length - 1)]) {
    const r = feed(pieces);
    assert.is(r.error, null, `${pieces.length} pieces`);
    assert.is(r.recorder.completed[0].head.rawHeaders[3].length, 32768 - 9 - 9);
  }
  for (const pieces of [[bytes(head(32769))], splitAt(bytes(head(32769)), 16 + 32768)]) {
    assert.is(feed(pieces).error?.reason, R.HeadersTooLarge);
  }
});

test('an endless header value is refused with 431 before its line ends', () => {
  rejects(`GET / HTTP/1.1\r\nX: ${'v'.repeat(300)}`, R.HeadersTooLarge, 431, small);
});

test('more header fields than the limit is 431', () => {
  const four = 'A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n';
  parsesEverySplit(`GET / HTTP/1.1\r\n${four}\r\n`, (r, how) => assert.is(r.recorder.completed[0].head.rawHeaders.length, 8, how), small);
  rejects(`GET / HTTP/1.1\r\n${four}E: 5\r\n\r\n`, R.TooManyHeaders, 431, small);
});

test('trailers are limited by size (431) and chunk extensions by size (413)', () => {
  const chunked = 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n';
  // Trailer field lines count as header lines do: 32 bytes of them fit the limit of 32.
  parsesEverySplit(`${chunked}1\r\na\r\n0\r\n${fieldOf('X', 32)}\r\n`, (r, how) => assert.is(r.recorder.completed[0].head.trailers?.[1].length, 27, how), small);
  rejects(`${chunked}1\r\na\r\n0\r\n${fieldOf('X', 33)}\r\n`, R.TrailersTooLarge, 431, small);
  rejects(`${chunked}1\r\na\r\n0\r\nX: ${'t'.repeat(40)}\r\n\r\n`, R.TrailersTooLarge, 431, small);
  rejects(`${chunked}1;${'e'.repeat(20)}\r\na\r\n0\r\n\r\n`, R.ChunkExtensionsTooLarge, 413, small);
  // The extension budget is per message, not per chunk.
  rejects(`${chunked}1;aaaaaa\r\na\r\n1;bbbbbb\r\nb\r\n1;cccccc\r\nc\r\n0\r\n\r\n`, R.ChunkExtensionsTooLarge, 413, small);
});

test('extraMethods lets an app recognise a method of its own', () => {
  const strict = new Recorder();
  assert.throws(() => new Http1Parser(strict).execute(Buffer.from('BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n')), (e: unknown) => (e as { status?: number }).status === 501);
  const r = new Recorder();
  new Http1Parser(r, { extraMethods: ['BREW'] }).execute(Buffer.from('BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n'));
  assert.is(r.messages[0]?.head.method, 'BREW');
});

test('the defaults are Kestrel\'s and limits are validated', () => {
  assert.equal(
    { ...DEFAULT_PARSER_LIMITS },
    {
      maxRequestLineSize: 8192,
      maxRequestHeadersTotalSize: 32768,
      maxRequestHeaderCount: 100,
      maxChunkExtensionSize: 16384,
      maxTrailerSize: 32768,
      extraMethods: [],
    },
  );
  assert.throws(() => new Http1Parser(new Recorder(), { maxRequestLineSize: 0 }), (e: unknown) => e instanceof InvalidOptionError);
  assert.throws(() => new Http1Parser(new Recorder(), { extraMethods: ['BAD METHOD'] }), (e: unknown) => e instanceof InvalidOptionError);
  assert.throws(() => new Http1Parser(new Recorder(), { maxRequestHeaderCount: 1.5 }), (e: unknown) => e instanceof InvalidOptionError);
});

// ---- smuggling shapes and strictness -----------------------------------------------------

const POST = 'POST / HTTP/1.1\r\nHost: a\r\n';
const rejections: [string, string, R, number][] = [
  ['CL.TE', `${POST}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG`, R.ContentLengthWithTransferEncoding, 400],
  ['TE.CL', `${POST}Transfer-Encoding: chunked\r\nContent-Length: 6\r\n\r\n0\r\n\r\nG`, R.ContentLengthWithTransferEncoding, 400],
  ['TE: chunked, identity', `${POST}Transfer-Encoding: chunked, identity\r\n\r\n`, R.InvalidTransferEncoding, 400],
  ['TE: identity', `${POST}Transfer-Encoding: identity\r\n\r\n`, R.InvalidTransferEncoding, 400],
  ['TE: chunked, chunked', `${POST}Transfer-Encoding: chunked, chunked\r\n\r\n`, R.InvalidTransferEncoding, 400],
  ['TE: empty', `${POST}Transfer-Encoding:\r\n\r\n`, R.InvalidTransferEncoding, 400],
  ['TE: gzip, chunked', `${POST}Transfer-Encoding: gzip, chunked\r\n\r\n`, R.UnsupportedTransferEncoding, 501],
  ['Transfer-Encoding : chunked', `${POST}Transfer-Encoding : chunked\r\n\r\n`, R.WhitespaceBeforeColon, 400],
  ['TE: \\x0bchunked', `${POST}Transfer-Encoding: \x0bchunked\r\n\r\n`, R.InvalidHeaderValue, 400],
  ['duplicate Transfer-Encoding', `${POST}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n`, R.DuplicateTransferEncoding, 400],
  ['Transfer-Encoding in HTTP/1.0', 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n', R.TransferEncodingInHttp10, 400],
  ['chunk size overflow', `${POST}Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n`, R.ChunkSizeOverflow, 400],
  ['chunk size 0x5', `${POST}Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n`, R.InvalidChunkSize, 400],
  ['chunk size with a leading space', `${POST}Transfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n`, R.InvalidChunkSize, 400],
  ['chunk size with a trailing space', `${POST}Transfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n`, R.InvalidChunkSize, 400],
  ['chunk size -1', `${POST}Transfer-Encoding: chunked\r\n\r\n-1\r\n`, R.InvalidChunkSize, 400],
  ['chunk data longer than its size', `${POST}Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n`, R.InvalidChunkTerminator, 400],
  ['chunk size line ending in bare LF', `${POST}Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n`, R.BareLineFeed, 400],
  ['chunk data ending in bare LF', `${POST}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n`, R.InvalidChunkTerminator, 400],
  ['chunk extension without a name', `${POST}Transfer-Encoding: chunked\r\n\r\n5;\r\nhello\r\n0\r\n\r\n`, R.InvalidChunkExtension, 400],
  ['chunk extension with an open quote', `${POST}Transfer-Encoding: chunked\r\n\r\n5;a="b\r\nhello\r\n0\r\n\r\n`, R.InvalidChunkExtension, 400],
  ['Content-Length: -5', `${POST}Content-Length: -5\r\n\r\n`, R.InvalidContentLength, 400],
  ['Content-Length: +5', `${POST}Content-Length: +5\r\n\r\n`, R.InvalidContentLength, 400],
  ['Content-Length: 5, 5', `${POST}Content-Length: 5, 5\r\n\r\nhello`, R.InvalidContentLength, 400],
  ['Content-Length: 4 2', `${POST}Content-Length: 4 2\r\n\r\n`, R.InvalidContentLength, 400],
  ['Content-Length: empty', `${POST}Content-Length:\r\n\r\n`, R.InvalidContentLength, 400],
  ['Content-Length over 2^53', `${POST}Content-Length: 9007199254740993\r\n\r\n`, R.InvalidContentLength, 400],
  ['duplicate Content-Length 5 and 5', `${POST}Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello`, R.DuplicateContentLength, 400],
  ['bare LF ending the request line', 'GET / HTTP/1.1\nHost: a\r\n\r\n', R.BareLineFeed, 400],
  ['bare LF ending a field line', 'GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n', R.BareLineFeed, 400],
  ['bare LF as the empty line', 'GET / HTTP/1.1\r\nHost: a\r\n\n', R.BareLineFeed, 400],
  ['bare CR inside a value', 'GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n', R.BareCarriageReturn, 400],
  ['bare CR after the request line', 'GET / HTTP/1.1\rHost: a\r\n\r\n', R.BareCarriageReturn, 400],
  ['obs-fold', 'GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n  folded\r\n\r\n', R.ObsoleteLineFolding, 400],
  ['whitespace after the request line', 'GET / HTTP/1.1\r\n Host: a\r\n\r\n', R.ObsoleteLineFolding, 400],
  ['NUL in a value', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n', R.InvalidHeaderValue, 400],
  ['DEL in a value', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\x7fb\r\n\r\n', R.InvalidHeaderValue, 400],
  ['space before the colon', 'GET / HTTP/1.1\r\nHost : a\r\n\r\n', R.WhitespaceBeforeColon, 400],
  ['empty field name', 'GET / HTTP/1.1\r\n: a\r\n\r\n', R.EmptyHeaderName, 400],
  ['non-token field name', 'GET / HTTP/1.1\r\nX(y): a\r\n\r\n', R.InvalidHeaderName, 400],
  ['duplicate Host', 'GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n', R.DuplicateHost, 400],
  ['non-token method', 'G(T / HTTP/1.1\r\n\r\n', R.InvalidMethod, 400],
  ['empty method', ' / HTTP/1.1\r\n\r\n', R.InvalidMethod, 400],
  ['an expectation other than 100-continue', 'PUT / HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 0\r\n\r\n', R.UnsupportedExpectation, 417],
  ['unknown method (RFC 9110 §9.1)', 'MKCOLA / HTTP/1.1\r\nHost: x\r\n\r\n', R.UnknownMethod, 501],
  ['HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', R.UnexpectedHttp2Preface, 400],
  ['space inside the target', 'GET /a b HTTP/1.1\r\n\r\n', R.InvalidVersion, 400],
  ['control byte in the target', 'GET /a\x01b HTTP/1.1\r\n\r\n', R.InvalidRequestTarget, 400],
  ['non-ASCII in the target', 'GET /\xc3\xa9 HTTP/1.1\r\n\r\n', R.InvalidRequestTarget, 400],
  ['two spaces before the target', 'GET  / HTTP/1.1\r\n\r\n', R.InvalidRequestTarget, 400],
  ['no version (HTTP/0.9)', 'GET /\r\n\r\n', R.InvalidRequestLine, 400],
  ['HTTP/1.2', 'GET / HTTP/1.2\r\n\r\n', R.UnsupportedHttpVersion, 505],
  ['HTTP/2.0', 'GET / HTTP/2.0\r\n\r\n', R.UnsupportedHttpVersion, 505],
  ['lower-case version', 'GET / http/1.1\r\n\r\n', R.InvalidVersion, 400],
  ['RTSP', 'OPTIONS * RTSP/1.0\r\n\r\n', R.InvalidVersion, 400],
  ['a space after the version', 'GET / HTTP/1.1 \r\n\r\n', R.InvalidVersion, 400],
  ['a target that is no form', 'GET a/b HTTP/1.1\r\n\r\n', R.InvalidRequestTarget, 400],
];
for (const [name, raw, reason, status] of rejections) {
  test(`refuses ${name} (${reason}, ${status}) however it is split`, () => rejects(raw, reason, status));
}

// What a request-target and a field value may hold, byte by byte: the scanner tests ranges, so
// each of the 256 values is checked against the rule it stands for, on the whole-line fast path
// and, cut into pieces, on the byte states.
const isTargetByte = (c: number): boolean => c >= 0x21 && c <= 0x7e;
const isFieldValueByte = (c: number): boolean => c === 0x09 || (c >= 0x20 && c <= 0x7e) || c >= 0x80;

test('every byte value in a request-target: visible ASCII is taken as sent, anything else refused', () => {
  for (let c = 0; c < 256; c++) {
    const target = `/abcdef${String.fromCharCode(c)}ghijkl`;
    const raw = bytes(`GET ${target} HTTP/1.1\r\nHost: a\r\n\r\n`);
    for (const [how, pieces] of [['one piece', [raw]], ['split at 9', splitAt(raw, 9)], ['byte by byte', bytewise(raw)]] as const) {
      const r = feed([...pieces]);
      const what = `byte 0x${c.toString(16)}, ${how}`;
      if (isTargetByte(c)) {
        if (r.error) assert.unreachable(`${what}: rejected with ${r.error.reason}`);
        assert.is(r.recorder.messages[0].head.target, target, what);
      } else {
        assert.ok(r.error !== null, `${what}: should be refused`);
        const reason = c === 0x20 ? R.InvalidVersion : c === 0x0d || c === 0x0a ? R.InvalidRequestLine : R.InvalidRequestTarget;
        assert.is(r.error.reason, reason, what);
      }
    }
  }
});

test('every byte value in a field value: HTAB, SP, VCHAR and obs-text are taken as sent, other controls refused', () => {
  for (let c = 0; c < 256; c++) {
    const value = `abcdef${String.fromCharCode(c)}ghijkl`;
    const raw = bytes(`GET / HTTP/1.1\r\nHost: a\r\nX-Value: ${value}\r\n\r\n`);
    for (const [how, pieces] of [['one piece', [raw]], ['split at 34', splitAt(raw, 34)], ['byte by byte', bytewise(raw)]] as const) {
      const r = feed([...pieces]);
      const what = `byte 0x${c.toString(16)}, ${how}`;
      if (isFieldValueByte(c)) {
        if (r.error) assert.unreachable(`${what}: rejected with ${r.error.reason}`);
        assert.is(r.recorder.messages[0].head.rawHeaders[3], value, what);
      } else {
        assert.ok(r.error !== null, `${what}: should be refused`);
        const reason = c === 0x0d ? R.BareCarriageReturn : c === 0x0a ? R.BareLineFeed : R.InvalidHeaderValue;
        assert.is(r.error.reason, reason, what);
      }
    }
  }
});

test('parsers sharing a HeadScannerPool: heads and trailer sections cut into pieces and interleaved parse as if each parser were alone', () => {
  const pool = new HeadScannerPool({ ...DEFAULT_PARSER_LIMITS, maxRequestHeaderCount: 4 });
  const inputs = [
    'GET /a HTTP/1.1\r\nHost: a.example\r\nX-One: 1\r\n\r\nGET /a2 HTTP/1.1\r\nHost: a.example\r\n\r\n',
    'POST /b HTTP/1.1\r\nHost: b.example\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n',
    'GET /c HTTP/1.1\r\nHost: c.example\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n',
  ].map(bytes);
  for (const size of [1, 2, 5, 7, 13]) {
    const recorders = inputs.map(() => new Recorder());
    const parsers = recorders.map((r) => (r.parser = new Http1Parser(r, pool)));
    const errors: (BadRequestError | null)[] = inputs.map(() => null);
    // Round robin: every parser has a head half-scanned while the others scan theirs.
    for (let at = 0; inputs.some((input) => at < input.length); at += size) {
      inputs.forEach((input, i) => {
        if (at >= input.length || errors[i] !== null) return;
        try {
          parsers[i].execute(input.subarray(at, at + size));
        } catch (err) {
          errors[i] = err as BadRequestError;
        }
      });
    }
    const how = `pieces of ${size}`;
    assert.equal(recorders[0].messages.map((m) => [m.head.target, m.head.host, m.head.rawHeaders.length]), [['/a', 'a.example', 4], ['/a2', 'a.example', 2]], how);
    assert.is(errors[0], null, how);
    const b = recorders[1].messages[0];
    assert.equal([b.head.target, b.body.toString(), b.head.trailers, b.complete], ['/b', 'abc', ['X-Trailer', 't'], true], how);
    assert.is(errors[2]?.reason, R.TooManyHeaders, `${how}: the third parser's fifth field is over its limit`);
    assert.is(recorders[2].messages.length, 0, how);
  }
});

test('a dead parser keeps refusing', () => {
  const parser = new Http1Parser(new Recorder());
  assert.throws(() => parser.execute(bytes('GET / HTTP/1.1\r\nHost : a\r\n\r\n')));
  assert.is(parser.status, 'failed');
  assert.is(parser.error?.reason, R.WhitespaceBeforeColon);
  assert.throws(() => parser.execute(bytes('GET / HTTP/1.1\r\n\r\n')), (e: unknown) => e === parser.error);
});

// ---- what a request looks like -----------------------------------------------------------

test('the Host field keeps its name as sent, in any case', () => {
  for (const name of ['Host', 'host', 'HOST', 'hOsT', 'hosT']) {
    parsesEverySplit(`GET / HTTP/1.1\r\n${name}: example.com\r\n\r\n`, (r, how) => {
      const [{ head }] = r.recorder.completed;
      assert.equal(head.rawHeaders, [name, 'example.com'], how);
      assert.is(head.host, 'example.com', how);
    });
  }
});

test('reports the head: interned method, target forms, flat headers, framing fields', () => {
  const raw =
    'GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nX-Tab:\t spaced \t\r\nConnection: keep-alive, Upgrade\r\n' +
    'Upgrade: websocket\r\nExpect: 100-Continue\r\nEmpty:\r\n\r\n';
  parsesEverySplit(raw, (r, how) => {
    const [{ head }] = r.recorder.completed;
    assert.ok(head.method === 'GET', how);
    assert.is(head.target, '/a?b=c');
    assert.is(head.targetForm, 'origin');
    assert.is(head.httpVersion, '1.1');
    assert.equal(head.rawHeaders, [
      'Host', 'example.com',
      'X-Tab', 'spaced',
      'Connection', 'keep-alive, Upgrade',
      'Upgrade', 'websocket',
      'Expect', '100-Continue',
      'Empty', '',
    ]);
    assert.is(head.host, 'example.com');
    assert.is(head.keepAlive, true);
    assert.is(head.upgrade, true);
    assert.is(head.expectContinue, true);
    assert.is(head.contentLength, -1);
    assert.is(head.chunked, false);
    assert.is(head.hasBody, false);
    assert.is(r.status, 'upgraded', `${how}: stops for the upgrade`);
  });
});

test('target forms', () => {
  const form = (line: string): RequestHead => feed([bytes(`${line}\r\nHost: a\r\n\r\n`)]).recorder.completed[0].head;
  assert.is(form('OPTIONS * HTTP/1.1').targetForm, 'asterisk');
  assert.is(form('GET http://a.example/x HTTP/1.1').targetForm, 'absolute');
  assert.is(form('CONNECT a.example:443 HTTP/1.1').targetForm, 'authority');
  assert.is(form('CONNECT [::1]:443 HTTP/1.1').targetForm, 'authority');
  assert.is(form('QUERY /q HTTP/1.1').method, 'QUERY');
});

// ---- request targets (RFC 9112 §3.2; RFC 9110 §4.2) ----------------------------------------

for (const [line, reason] of targetRejections) {
  test(`refuses \`${line}\` (${reason}) however it is split`, () => rejects(`${line} HTTP/1.1\r\nHost: a.example\r\n\r\n`, reason, 400));
}

test('accepts the forms RFC 9112 §3.2 allows, reporting each', () => {
  for (const [line, form] of acceptedTargets) {
    parsesEverySplit(`${line} HTTP/1.1\r\nHost: a.example\r\n\r\n`, (r, how) => {
      const { head } = r.recorder.messages[0];
      assert.is(head.targetForm, form, `${line} (${how})`);
      assert.is(head.target, line.slice(line.indexOf(' ') + 1));
    });
  }
});

test('keep-alive follows the version and the Connection options', () => {
  const keepAlive = (raw: string): boolean => feed([bytes(raw)]).recorder.completed[0].head.keepAlive;
  assert.is(keepAlive('GET / HTTP/1.1\r\n\r\n'), true);
  assert.is(keepAlive('GET / HTTP/1.1\r\nConnection: close\r\n\r\n'), false);
  assert.is(keepAlive('GET / HTTP/1.1\r\nConnection: Keep-Alive, CLOSE\r\n\r\n'), false);
  assert.is(keepAlive('GET / HTTP/1.0\r\n\r\n'), false);
  assert.is(keepAlive('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'), true);
  // Upgrade is ignored in HTTP/1.0 (RFC 9110 §7.8).
  const r = feed([bytes('GET / HTTP/1.0\r\nConnection: upgrade, keep-alive\r\nUpgrade: ws\r\n\r\n')]);
  assert.is(r.recorder.completed[0].head.upgrade, false);
  assert.is(r.status, 'running');
});

test('after a message that is not keep-alive, nothing more is parsed', () => {
  const raw = bytes('GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET /second HTTP/1.1\r\n\r\n');
  const r = feed([raw]);
  assert.is(r.recorder.completed.length, 1);
  assert.is(r.status, 'closed');
  assert.is(r.consumed, raw.indexOf('GET /second'));
  assert.is(r.parser.execute(bytes('GET / HTTP/1.1\r\n\r\n')), 0);
});

// ---- bodies, pipelining, pausing ---------------------------------------------------------

test('pipelined requests with bodies, however the bytes arrive', () => {
  const raw =
    'POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello' +
    'GET /b HTTP/1.1\r\nHost: h\r\n\r\n' +
    'PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n' +
    '\r\nDELETE /d HTTP/1.1\r\nHost: h\r\n\r\n';
  parsesEverySplit(raw, (r, how) => {
    const got = r.recorder.completed.map((m) => `${m.head.method} ${m.head.target} ${m.body.toString()}`);
    assert.equal(got, ['POST /a hello', 'GET /b ', 'PUT /c abc', 'DELETE /d '], how);
    assert.ok(r.parser.isIdle, `${how}: idle after the last one`);
  });
});

test("a read buffer the transport fills again is parsed anew, not from the last read's text", () => {
  // Pipelined heads are decoded to text together; a transport may reuse one Buffer for every read.
  const read = (a: string, b: string): string => `GET /${a} HTTP/1.1\r\nHost: ${a}.example\r\n\r\nGET /${b} HTTP/1.1\r\nHost: ${b}.example\r\n\r\n`;
  const buf = bytes(read('aaaa', 'bbbb'));
  const rec = new Recorder();
  const parser = new Http1Parser(rec);
  assert.is(parser.execute(buf), buf.length);
  buf.write(read('cccc', 'dddd'), 'latin1');
  assert.is(parser.execute(buf), buf.length);
  assert.equal(
    rec.completed.map((m) => `${m.head.target} ${m.head.host}`),
    ['/aaaa aaaa.example', '/bbbb bbbb.example', '/cccc cccc.example', '/dddd dddd.example'],
  );
});

test('pause after a message stops execute there; resume goes on with the rest', () => {
  const first = 'POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi';
  const raw = bytes(`${first}GET /b HTTP/1.1\r\nHost: h\r\n\r\n`);
  const rec = new Recorder();
  const parser = new Http1Parser(rec);
  rec.parser = parser;
  rec.pauseOnComplete = true;
  const n = parser.execute(raw);
  assert.is(n, first.length, 'stops right after the first message');
  assert.is(parser.status, 'paused');
  assert.is(rec.completed.length, 1);
  assert.is(parser.execute(raw.subarray(n)), 0, 'consumes nothing while paused');
  parser.resume();
  assert.is(parser.execute(raw.subarray(n)), raw.length - n);
  assert.is(rec.completed.length, 2);
  assert.is(rec.completed[1].head.target, '/b');
});

test('pause in onRequestHead stops before the body (for Expect: 100-continue)', () => {
  const head = 'POST /a HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n';
  const raw = bytes(`${head}hi`);
  const rec = new Recorder();
  const parser = new Http1Parser(rec);
  rec.parser = parser;
  rec.pauseOnHead = true;
  assert.is(parser.execute(raw), head.length);
  assert.equal(rec.events, ['head']);
  assert.ok(rec.messages[0].head.expectContinue);
  rec.pauseOnHead = false;
  parser.resume();
  assert.is(parser.execute(raw.subarray(head.length)), 2);
  assert.equal(rec.events, ['head', 'body:2', 'complete']);
});

test('a chunked request with extensions and trailers, one byte at a time', () => {
  const raw =
    'POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n' +
    '5;name=value;q="a \\"quoted\\" one"\r\nhello\r\n' +
    '6\r\n world\r\n' +
    'A\r\n0123456789\r\n' +
    '0\r\nTrailer-One: 1\r\nTrailer-Two:  two \r\n\r\n';
  for (const pieces of [[bytes(raw)], bytewise(bytes(raw))]) {
    const r = feed(pieces);
    assert.is(r.error, null);
    const [m] = r.recorder.completed;
    assert.is(m.body.toString(), 'hello world0123456789');
    assert.is(m.head.chunked, true);
    assert.equal(m.head.trailers, ['Trailer-One', '1', 'Trailer-Two', 'two']);
    assert.ok(r.parser.isIdle);
  }
});

test('body pieces are views of the input, not copies', () => {
  const raw = bytes('POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello');
  let piece: Buffer | undefined;
  const parser = new Http1Parser({
    onRequestHead() {},
    onBody(chunk) {
      piece = chunk;
    },
    onMessageComplete() {},
  });
  parser.execute(raw);
  assert.ok(piece !== undefined && piece.buffer === raw.buffer && piece.byteOffset === raw.byteOffset + raw.length - 5);
});

test('upgrade with a body reads the body first; CONNECT ignores Content-Length', () => {
  const upgrade = 'POST /u HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nUpgrade: x\r\nContent-Length: 3\r\n\r\nabc';
  let r = feed([bytes(`${upgrade}NEW-PROTOCOL`)]);
  assert.is(r.status, 'upgraded');
  assert.is(r.consumed, upgrade.length);
  assert.is(r.recorder.completed[0].body.toString(), 'abc');
  const connect = 'CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nContent-Length: 3\r\n\r\n';
  r = feed([bytes(`${connect}abcTUNNEL`)]);
  assert.is(r.status, 'upgraded');
  assert.is(r.consumed, connect.length);
  assert.ok(r.recorder.completed[0].head.isConnect);
  assert.is(r.recorder.completed[0].body.length, 0);
});

test('a declined upgrade goes on as HTTP/1.1 after resume()', () => {
  const first = 'GET /ws HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n';
  const raw = bytes(`${first}GET /next HTTP/1.1\r\nHost: h\r\n\r\n`);
  const rec = new Recorder();
  const parser = new Http1Parser(rec);
  const n = parser.execute(raw);
  assert.is(n, first.length);
  assert.is(parser.status, 'upgraded');
  parser.resume();
  assert.is(parser.status, 'running');
  assert.is(parser.execute(raw.subarray(n)), raw.length - n);
  assert.is(rec.completed[1].head.target, '/next');
});

test('incomplete input leaves the parser waiting, not idle', () => {
  for (const raw of ['GET / HTTP/1.1\r\nHost: h\r\n', 'POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nab', 'G']) {
    const r = feed([bytes(raw)]);
    assert.is(r.error, null, raw);
    assert.is(r.status, 'running');
    assert.not.ok(r.parser.isIdle, raw);
  }
});

test('random cuts of a long pipelined stream give the same requests as one piece', () => {
  const requests = [
    'GET /a?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t/1\r\nAccept: */*\r\n\r\n',
    'POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\nhello world',
    'PUT /c HTTP/1.1\r\nhost: h\r\ntransfer-encoding: CHUNKED\r\n\r\n4;a=b;c="d;e"\r\nwiki\r\n5\r\npedia\r\n0\r\nX-T: 1\r\n\r\n',
    '\r\nOPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n',
    `GET /${'long'.repeat(50)} HTTP/1.1\r\nHost: h\r\nCookie: ${'k=v; '.repeat(40)}\r\n\r\n`,
  ];
  const input = bytes(Array.from({ length: 40 }, (_, i) => requests[i % requests.length]).join(''));
  const summary = (r: FeedResult): string[] =>
    r.recorder.completed.map(
      (m) => `${m.head.method} ${m.head.target} ${m.head.rawHeaders.join('|')} ${m.body.toString()} ${m.head.trailers?.join('|')}`,
    );
  const whole = feed([input]);
  assert.is(whole.recorder.completed.length, 40);
  const expected = summary(whole);
  // A small deterministic PRNG (mulberry32), so a failure can be replayed.
  let seed = 0x5eed;
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let round = 0; round < 200; round++) {
    const pieces: Buffer[] = [];
    for (let at = 0; at < input.length; ) {
      const size = 1 + Math.floor(random() * (round % 2 === 0 ? 8 : 120));
      pieces.push(input.subarray(at, at + size));
      at += size;
    }
    const r = feed(pieces);
    assert.is(r.error, null, `round ${round}`);
    assert.equal(summary(r), expected, `round ${round}`);
  }
});

// ---- Host (the driver's check) -----------------------------------------------------------

test('assertValidHost: HTTP/1.1 needs one valid Host; HTTP/1.0 may omit it', () => {
  const head = (raw: string): RequestHead => feed([bytes(raw)]).recorder.messages[0].head;
  const reason = (raw: string): string | null => {
    try {
      assertValidHost(head(raw));
      return null;
    } catch (err) {
      return (err as BadRequestError).reason;
    }
  };
  assert.is(reason('GET / HTTP/1.1\r\n\r\n'), R.MissingHost);
  assert.is(reason('GET / HTTP/1.0\r\n\r\n'), null);
  assert.is(reason('GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n'), null);
  assert.is(reason('GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n'), null);
  assert.is(reason('GET / HTTP/1.1\r\nHost: \r\n\r\n'), null);
  assert.is(reason('GET / HTTP/1.1\r\nHost: a b\r\n\r\n'), R.InvalidHost);
  assert.is(reason('GET / HTTP/1.1\r\nHost: a:80x\r\n\r\n'), R.InvalidHost);
  assert.is(reason('GET / HTTP/1.1\r\nHost: a/b\r\n\r\n'), R.InvalidHost);
  assert.is(reason('GET / HTTP/1.1\r\nHost: [::1\r\n\r\n'), R.InvalidHost);
  assert.is(reason('GET / HTTP/1.1\r\nHost: a%zz\r\n\r\n'), R.InvalidHost);
  assert.is(reason('GET / HTTP/1.1\r\nHost: [a.b]\r\n\r\n'), R.InvalidHost);
  // The Host of an absolute-form request is checked too (RFC 9112 §3.2), though its target names the authority.
  assert.is(reason('GET http://a.example/ HTTP/1.1\r\nHost: [a.b]\r\n\r\n'), R.InvalidHost);
  assert.is(reason('GET http://a.example/ HTTP/1.1\r\nHost: b.example\r\n\r\n'), null);
});

test('isValidHostValue follows RFC 3986 host [":" port], for Host and :authority alike', () => {
  for (const host of validHosts) assert.ok(isValidHostValue(host), `valid: ${JSON.stringify(host)}`);
  for (const host of invalidHosts) assert.not.ok(isValidHostValue(host), `invalid: ${JSON.stringify(host)}`);
});

test.run();
