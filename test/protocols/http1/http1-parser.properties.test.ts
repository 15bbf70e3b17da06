// Property tests of the HTTP/1.1 parser (fast-check, seeded, a fixed number of runs; a failure
// prints the seed and the shrunk counterexample). Every run goes through checkHttp1Stream
// (fuzz/http1-invariants.ts), which also checks the typed rejections, progress, the memory bound
// and that the split run agrees with the whole one; the same checks run under Jazzer.js in
// fuzz/http1-parser.fuzz.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { propertyRuns } from '../../support/properties.js';
import { SMALL_LIMITS, TINY_LIMITS, checkHttp1Stream, parseStream, type FeedOptions } from '../../../fuzz/http1-invariants.js';
import { DEFAULT_PARSER_LIMITS } from '../../../protocols/http1/index.js';
import { applyMutations, cutsFor, mutation, validStream, type ModelStream } from './http1-arbitraries.js';
import { loadHttp1Corpus, caseBytes } from './corpus.js';

function assertMatchesModel(stream: ModelStream, cuts: number[], options: FeedOptions = {}): void {
  const outcome = checkHttp1Stream(stream.bytes, cuts, options);
  assert.is(outcome.error, null, 'a valid stream is never refused');
  assert.is(outcome.consumed, stream.end, 'consumes up to the end of HTTP/1.1 and no further');
  assert.is(outcome.messages.length, stream.messages.length, 'messages');
  outcome.messages.forEach(({ head, body, complete }, i) => {
    const m = stream.messages[i];
    const at = `message ${i}`;
    assert.ok(complete, `${at}: complete`);
    assert.is(head.method, m.method, `${at}: method`);
    assert.is(head.target, m.target, `${at}: target`);
    assert.is(head.httpVersion, m.httpVersion, `${at}: version`);
    assert.equal(head.rawHeaders, m.rawHeaders, `${at}: headers`);
    assert.equal(head.trailers, m.trailers, `${at}: trailers`);
    assert.ok(body.equals(m.body), `${at}: body`);
    assert.is(head.contentLength, m.contentLength, `${at}: contentLength`);
    assert.is(head.chunked, m.chunked, `${at}: chunked`);
    assert.is(head.keepAlive, m.keepAlive, `${at}: keepAlive`);
    assert.is(head.upgrade, m.upgrade, `${at}: upgrade`);
    assert.is(head.isConnect, m.isConnect, `${at}: isConnect`);
  });
  const last = stream.messages[stream.messages.length - 1];
  assert.is(outcome.status, last.upgrade || last.isConnect ? 'upgraded' : last.keepAlive ? 'running' : 'closed', 'status');
}

test('any split of valid pipelined requests parses to exactly the messages sent', () => {
  fc.assert(
    fc.property(
      validStream.chain((s) => fc.tuple(fc.constant(s), cutsFor(s.bytes.length))),
      ([stream, cuts]) => assertMatchesModel(stream, cuts),
    ),
    propertyRuns(400),
  );
});

test('one byte at a time, with the handler pausing after every event, parses the same', () => {
  fc.assert(
    fc.property(validStream, (stream) => {
      const every = Array.from({ length: stream.bytes.length - 1 }, (_, i) => i + 1);
      assertMatchesModel(stream, every, { pauseOnHead: true, pauseOnBody: true, pauseOnComplete: true });
    }),
    propertyRuns(100),
  );
});

const options: fc.Arbitrary<FeedOptions> = fc.record({
  limits: fc.constantFrom(DEFAULT_PARSER_LIMITS, SMALL_LIMITS, TINY_LIMITS),
  pauseOnHead: fc.boolean(),
  pauseOnBody: fc.boolean(),
  pauseOnComplete: fc.boolean(),
  checkHost: fc.boolean(),
});

const damaged = (base: fc.Arbitrary<Buffer>): fc.Arbitrary<[Buffer, number[], FeedOptions]> =>
  fc
    .tuple(base, fc.array(mutation, { minLength: 1, maxLength: 4 }), options)
    .chain(([bytes, mutations, opts]) => {
      const input = applyMutations(bytes, mutations);
      return fc.tuple(fc.constant(input), cutsFor(input.length), fc.constant(opts));
    });

test('any damage to generated requests is parsed or refused with a BadRequestError, the same way in any split', () => {
  fc.assert(
    fc.property(damaged(validStream.map((s) => s.bytes)), ([input, cuts, opts]) => {
      checkHttp1Stream(input, cuts, opts);
    }),
    propertyRuns(1500),
  );
});

const corpus = loadHttp1Corpus();
if (corpus === undefined) {
  test.skip('damage to the conformance corpus (../shared is missing)');
} else {
  const cases = corpus.cases.map(caseBytes);
  test('any damage to the conformance corpus is parsed or refused with a BadRequestError, the same way in any split', () => {
    fc.assert(
      fc.property(damaged(fc.constantFrom(...cases)), ([input, cuts, opts]) => {
        checkHttp1Stream(input, cuts, opts);
      }),
      propertyRuns(1500),
    );
  });
}

test('a head growing without end is refused once past the limits, and the carry never outgrows them', () => {
  // Byte by byte, so every byte goes through the carry.
  for (const [what, unit] of [
    ['request line', 'a'],
    ['header section', 'X: y\r\n'],
  ] as const) {
    const input = Buffer.from(`GET /${what === 'request line' ? unit.repeat(200) : ` HTTP/1.1\r\n${unit.repeat(100)}`}`);
    const outcome = parseStream(
      Array.from(input, (_, i) => input.subarray(i, i + 1)),
      { limits: SMALL_LIMITS },
    );
    assert.ok(outcome.error !== null, `${what}: refused`);
    assert.ok(outcome.consumed <= 64 + 256 + 2, `${what}: refused after ${outcome.consumed} bytes`);
    assert.ok(outcome.largestAllocation <= 1024, `${what}: allocated ${outcome.largestAllocation}`);
  }
});

test.run();
