// The PROXY protocol header parser (protocols/proxy/) on any bytes: it answers 'more', a header or
// a typed rejection and never throws; it never asks for more than a header can hold (107 bytes for
// v1, maxHeaderBytes for v2); a header it returns is well formed (its length, its CRLF, endpoints
// node:net reads as IPs, ports in range) with the bytes after it handed back exactly; and the
// answer does not depend on how the bytes are split into reads. Used by the fuzz target and
// test/protocols/proxy/proxy-header-parser.properties.test.ts.
import { isIP } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { ProxyProtocolError, type Endpoint, type TcpEndpoint } from '../connection/index.js';
import { PROXY_PROTOCOL_DEFAULTS, PROXY_V1_MAX_LENGTH, ProxyHeaderParser, parseProxyHeader, type ProxyParseResult } from '../protocols/proxy/index.js';
import { invariant, show } from './invariant.js';

const REASONS = new Set(['signature', 'version', 'command', 'family', 'length', 'too-large', 'line', 'address', 'port', 'tlv', 'checksum']);

/** Parses `data` in one read and split at `cuts`, checks both, and returns the one-read result. */
export function checkProxyHeader(data: Buffer, cuts: readonly number[], maxHeaderBytes: number = PROXY_PROTOCOL_DEFAULTS.maxHeaderBytes): ProxyParseResult {
  const whole = parseProxyHeader(data, maxHeaderBytes);
  const where = (what: string): string => `parseProxyHeader(${show(data)}): ${what}`;
  const bound = data[0] === 0x50 ? PROXY_V1_MAX_LENGTH : maxHeaderBytes;
  switch (whole.status) {
    case 'more':
      invariant(data.length < bound, () => where(`asks for more after ${data.length} bytes (bound ${bound})`));
      break;
    case 'rejected':
      invariant(whole.error instanceof ProxyProtocolError && whole.error.code === 'ERR_TIERCEL_PROXY_PROTOCOL', () => where(`refused with ${String(whole.error)}`));
      invariant(REASONS.has(whole.error.reason), () => where(`reason ${whole.error.reason}`));
      break;
    case 'header': {
      const h = whole.header;
      invariant(h.length > 0 && h.length <= bound && h.length <= data.length, () => where(`header length ${h.length}`));
      invariant(whole.rest.equals(data.subarray(h.length)), () => where('rest is not the bytes after the header'));
      if (h.version === 1) {
        const line = data.subarray(0, h.length);
        invariant(line.indexOf('\r\n') === h.length - 2 && line.indexOf('\n') === h.length - 1, () => where('a v1 header that does not end at its first CRLF'));
      } else {
        invariant(h.length === 16 + data.readUInt16BE(14), () => where('a v2 header whose length is not 16 + its length field'));
      }
      invariant((h.source === null) === (h.destination === null), () => where('one endpoint without the other'));
      if (h.source !== null) checkEndpoint(h.source, where);
      if (h.destination !== null) checkEndpoint(h.destination, where);
      for (const t of h.tlvs.raw) invariant(t.type >= 0 && t.type <= 255 && t.value.length < h.length, () => where('a TLV larger than the header'));
      break;
    }
  }
  const split = pushPieces(data, cuts, maxHeaderBytes);
  invariant(sameResult(whole, split), () => where(`split at ${JSON.stringify(cuts)} gives ${describe(split)}, one read ${describe(whole)}`));
  return whole;
}

function checkEndpoint(e: Endpoint, where: (what: string) => string): void {
  if (e.kind === 'pipe') return;
  const { host, port } = e as TcpEndpoint;
  invariant(e.kind === 'tcp' && isIP(host) !== 0 && !host.includes('%'), () => where(`endpoint ${JSON.stringify(e)}`));
  invariant(Number.isInteger(port) && port >= 0 && port <= 65535, () => where(`port ${port}`));
}

/** The result of pushing `data` cut at `cuts`, with `rest` made of everything after the header. */
function pushPieces(data: Buffer, cuts: readonly number[], maxHeaderBytes: number): ProxyParseResult {
  const points = [...new Set(cuts)].filter((c) => c > 0 && c < data.length).sort((a, b) => a - b);
  points.push(data.length);
  const parser = new ProxyHeaderParser(maxHeaderBytes);
  let from = 0;
  for (const to of points) {
    const r = parser.push(data.subarray(from, to));
    if (r.status === 'header') return { ...r, rest: Buffer.concat([r.rest, data.subarray(to)]) };
    if (r.status === 'rejected') return r;
    from = to;
  }
  return { status: 'more' };
}

function sameResult(a: ProxyParseResult, b: ProxyParseResult): boolean {
  if (a.status !== b.status) return false;
  if (a.status === 'rejected') return a.error.reason === (b as typeof a).error.reason;
  if (a.status === 'header') return isDeepStrictEqual(a.header, (b as typeof a).header) && a.rest.equals((b as typeof a).rest);
  return true;
}

function describe(r: ProxyParseResult): string {
  if (r.status === 'rejected') return `rejected (${r.error.reason})`;
  if (r.status === 'header') return `a header ${JSON.stringify(r.header)} + ${r.rest.length} bytes`;
  return 'more';
}
