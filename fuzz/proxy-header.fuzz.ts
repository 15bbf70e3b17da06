// Fuzz target: the PROXY protocol v1/v2 header parser (protocols/proxy/). The first byte of an
// input steers the run, the rest is what the proxy's connection starts with:
//   bits 0-1  maxHeaderBytes: the default (4096), the smallest (232), the format's largest (65 551), the default
//   bits 6-7  how the stream is cut for the comparison run (as in the http1-parser target)
import { MAX_PROXY_V2_HEADER_BYTES, MIN_PROXY_HEADER_BYTES, PROXY_PROTOCOL_DEFAULTS } from '../protocols/proxy/index.js';
import { cutsFor } from './http1-parser.fuzz.js';
import { checkProxyHeader } from './proxy-invariants.js';

const MAX_HEADER_BYTES = [PROXY_PROTOCOL_DEFAULTS.maxHeaderBytes, MIN_PROXY_HEADER_BYTES, MAX_PROXY_V2_HEADER_BYTES, PROXY_PROTOCOL_DEFAULTS.maxHeaderBytes];

export function fuzz(data: Buffer): void {
  if (data.length === 0) return;
  const control = data[0];
  const input = data.subarray(1);
  checkProxyHeader(input, cutsFor(input, control >> 6), MAX_HEADER_BYTES[control & 3]);
}
