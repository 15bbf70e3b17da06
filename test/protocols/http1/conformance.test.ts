// Runs every case of the llhttp-derived corpus through the parser: in one piece, split in two at
// every byte boundary, and one byte at a time. See corpus.ts for tiercel's verdict on each case.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  POLICY,
  caseBytes,
  corpusMissing,
  expectedMessages,
  loadHttp1Corpus,
  verdictOf,
  type CorpusCase,
  type ExpectedMessage,
} from './corpus.js';
import { bytewise, feed, splitAt, type FeedResult } from './parser-recorder.js';
import { testRequiring } from '../../support/skip.js';

const corpus = loadHttp1Corpus();

const tally: Record<string, number> = {};

function checkMessages(r: FeedResult, expected: ExpectedMessage[], how: string): void {
  const got = r.recorder.completed;
  assert.is(got.length, expected.length, `${how}: completed messages`);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const { head, body } = got[i];
    const where = `${how}, message ${i}`;
    assert.is(head.method, e.method, `${where}: method`);
    assert.is(head.target, e.target, `${where}: target`);
    assert.is(head.versionMinor, e.versionMinor, `${where}: version`);
    assert.equal(head.rawHeaders, e.rawHeaders, `${where}: headers`);
    assert.equal(head.trailers, e.trailers, `${where}: trailers`);
    assert.is(body.toString('latin1'), e.body.toString('latin1'), `${where}: body`);
    assert.is(head.upgrade || head.isConnect, e.upgrade, `${where}: upgrade`);
    if (e.keepAlive !== undefined) assert.is(head.keepAlive, e.keepAlive, `${where}: keepAlive`);
    assert.is(head.contentLength, e.contentLength, `${where}: contentLength`);
  }
}

function checkAccepted(c: CorpusCase, r: FeedResult, how: string): void {
  const input = caseBytes(c);
  if (r.error !== null) assert.unreachable(`${how}: rejected with ${r.error.reason}`);
  checkMessages(r, expectedMessages(c), how);
  if (c.upgradeOffset !== undefined) {
    assert.is(r.status, 'upgraded', `${how}: stops for the upgrade`);
    assert.is(r.consumed, c.upgradeOffset, `${how}: upgrade offset`);
    return;
  }
  assert.is(r.consumed, input.length, `${how}: consumes everything`);
  if (c.incomplete) {
    assert.is(r.status, 'running', `${how}: waits for more`);
    assert.not.ok(r.parser.isIdle, `${how}: a message is in progress`);
  } else {
    const last = c.messages[c.messages.length - 1];
    assert.is(r.status, last.keepAlive === false ? 'closed' : 'running', `${how}: status`);
  }
  if (c.finish !== undefined) assert.is(r.parser.isIdle, c.finish === 'SAFE', `${how}: finish is ${c.finish}`);
}

function checkRejected(r: FeedResult, how: string, reason?: string): void {
  assert.ok(r.error !== null, `${how}: should be rejected (status ${r.status}, ${r.recorder.completed.length} messages)`);
  assert.is(r.status, 'failed', `${how}: parser is dead`);
  if (reason !== undefined) assert.is(r.error.reason, reason, `${how}: reason`);
}

function checkClosedAfter(c: CorpusCase, r: FeedResult, how: string): void {
  assert.is(r.error, null, `${how}: the leading message is valid`);
  checkMessages(r, expectedMessages(c), how);
  assert.is(r.status, 'closed', `${how}: closed after the non-keep-alive message`);
  assert.ok(r.consumed < caseBytes(c).length, `${how}: later bytes are left unparsed`);
}

function checkRefused(r: FeedResult, input: Buffer, how: string): void {
  const closed = r.status === 'closed' && r.consumed < input.length;
  assert.ok(r.error !== null || closed, `${how}: should be refused (status ${r.status})`);
}

function runCase(c: CorpusCase): void {
  const input = caseBytes(c);
  const verdict = verdictOf(c);
  const runs: [string, Buffer[]][] = [['one piece', [input]]];
  for (let at = 1; at < input.length; at++) runs.push([`split at ${at}`, splitAt(input, at)]);
  runs.push(['byte by byte', bytewise(input)]);
  for (const [how, pieces] of runs) {
    const r = feed(pieces);
    switch (verdict.kind) {
      case 'accept':
        checkAccepted(c, r, how);
        break;
      case 'reject':
        checkRejected(r, how, verdict.reason);
        break;
      case 'close-after':
        checkClosedAfter(c, r, how);
        break;
      case 'refuse':
        checkRefused(r, input, how);
        break;
    }
  }
  const once = feed([input]);
  count(c, verdict.kind + (verdict.kind === 'refuse' ? (once.error ? ' (rejected)' : ' (closed)') : ''));
  if (once.error !== null) reasons[once.error.reason] = (reasons[once.error.reason] ?? 0) + 1;
}

const reasons: Record<string, number> = {};

function count(c: CorpusCase, kind: string): void {
  const key = `${c.lenient ? 'lenient' : 'strict'} ${c.expect} → ${kind}`;
  tally[key] = (tally[key] ?? 0) + 1;
}

if (corpus === undefined) {
  testRequiring(test, corpusMissing)('llhttp conformance corpus through the parser', () => {});
} else {
  for (const c of corpus.cases) {
    const v = verdictOf(c);
    test(`${c.id} [${c.lenient ? 'lenient ' : ''}${c.expect} → ${v.kind}]`, () => runCase(c));
  }
  test('prints the tally', () => {
    const lines = Object.entries(tally).sort().map(([k, n]) => `${String(n).padStart(4)}  ${k}`);
    const policy = Object.entries(POLICY).map(([id, v]) => `  ${id}: ${v.kind}${'why' in v ? ` (${v.why})` : ''}`);
    const why = Object.entries(reasons).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
    console.log(`\n  rejection reasons: ${why}`);
    console.log(`\n  llhttp corpus, ${corpus.cases.length} cases:\n${lines.join('\n')}\n  where tiercel differs on purpose:\n${policy.join('\n')}`);
  });
}

test.run();
