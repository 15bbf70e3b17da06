// The fuzz targets: one entry per parser that reads bytes or text from outside. `npm run fuzz`,
// the time-boxed run in `npm test` (test/fuzz/fuzz-targets.test.ts) and the replay of seeds and
// regression inputs all take their list from here.
//
// A new parser is added with a `<name>.fuzz.ts` beside this file exporting `fuzz(data: Buffer)`
// (throwing on any broken promise), an invariants module the property tests share, and an entry
// below.
import { endpointSeeds, hostSeeds, http1Seeds, proxySeeds, type CorpusCase } from './seeds.js';

export interface FuzzTarget {
  readonly name: string;
  /** The compiled module (under dist/fuzz/) that exports `fuzz(data: Buffer)`. */
  readonly module: string;
  /** Folders under dist/ whose code is instrumented for coverage feedback. */
  readonly instrument: readonly string[];
  /** libFuzzer's -max_len: long enough to cross the limits the target configures. */
  readonly maxLen: number;
  /** A libFuzzer dictionary beside this file: the tokens the parser branches on. */
  readonly dictionary?: string;
  /** Seed inputs: the target's own, plus what the conformance corpus's cases offer. */
  readonly seeds: (cases: readonly CorpusCase[]) => Buffer[];
}

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  {
    name: 'http1-parser',
    module: 'http1-parser.fuzz.js',
    instrument: ['protocols/http1/', 'protocols/http/'],
    maxLen: 8192,
    dictionary: 'http1.dict',
    seeds: http1Seeds,
  },
  {
    name: 'host',
    module: 'host.fuzz.js',
    instrument: ['protocols/http/'],
    maxLen: 512,
    seeds: hostSeeds,
  },
  {
    name: 'endpoint',
    module: 'endpoint.fuzz.js',
    instrument: ['connection/'],
    maxLen: 512,
    seeds: endpointSeeds,
  },
  {
    name: 'proxy-header',
    module: 'proxy-header.fuzz.js',
    instrument: ['protocols/proxy/'],
    // Past the default 4096-byte v2 bound, so the too-large refusal is reachable.
    maxLen: 4400,
    dictionary: 'proxy.dict',
    seeds: proxySeeds,
  },
];
