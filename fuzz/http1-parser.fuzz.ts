// Fuzz target: the HTTP/1.1 parser (request heads, Content-Length and chunked bodies, chunk
// extensions, trailers, pipelining). The first byte of an input steers the run, the rest is the
// byte stream a client sends:
//   bits 0-1  limits: default, default, SMALL_LIMITS, TINY_LIMITS
//   bit  2-4  pause in onRequestHead / onBody / onMessageComplete (resumed at once)
//   bit  5    check Host from onRequestHead, as the connection driver does
//   bits 6-7  how the stream is cut for the comparison run: one byte per piece, in two, in a
//             few, or in many small pieces (positions drawn from the input's own bytes)
import { DEFAULT_PARSER_LIMITS } from '../protocols/http1/index.js';
import { SMALL_LIMITS, TINY_LIMITS, checkHttp1Stream, type FeedOptions } from './http1-invariants.js';

const LIMITS = [DEFAULT_PARSER_LIMITS, DEFAULT_PARSER_LIMITS, SMALL_LIMITS, TINY_LIMITS];

export function fuzz(data: Buffer): void {
  if (data.length === 0) return;
  const control = data[0];
  const input = data.subarray(1);
  const options: FeedOptions = {
    limits: LIMITS[control & 3],
    pauseOnHead: (control & 4) !== 0,
    pauseOnBody: (control & 8) !== 0,
    pauseOnComplete: (control & 16) !== 0,
    checkHost: (control & 32) !== 0,
  };
  checkHttp1Stream(input, cutsFor(input, control >> 6), options);
}

/** Cut positions for `input`: deterministic in its bytes, so a finding reproduces from the file. */
export function cutsFor(input: Buffer, strategy: number): number[] {
  const n = input.length;
  if (n < 2) return [];
  if (strategy === 0) return Array.from({ length: n - 1 }, (_, i) => i + 1);
  // FNV-1a over the bytes seeds a small LCG: cheap, and spreads the cuts over the whole input.
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ input[i], 0x01000193);
  const next = (): number => (h = (Math.imul(h, 1664525) + 1013904223) >>> 0);
  const count = strategy === 1 ? 1 : strategy === 2 ? 2 + (next() % 4) : Math.ceil(n / (1 + (next() % 8)));
  const cuts: number[] = [];
  for (let i = 0; i < count; i++) cuts.push(1 + (next() % (n - 1)));
  return cuts;
}
