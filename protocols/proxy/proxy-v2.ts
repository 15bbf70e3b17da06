import { ProxyProtocolError, type Endpoint, type ProxyFamily, type ProxyHeader } from '../../connection/index.js';
import { formatIPv4, formatIPv6 } from './ip-text.js';
import { NO_TLVS, readTlvs } from './proxy-tlvs.js';

// PROXY protocol version 2: a 16-byte binary header, an address block, TLVs
// (proxy-protocol.txt section 2.2).

/** The 12 bytes a v2 header starts with. */
export const PROXY_V2_SIGNATURE: Buffer = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
/** The fixed part: signature, version and command, family and protocol, length. */
export const PROXY_V2_FIXED_LENGTH = 16;

const COMMAND_LOCAL = 0x0;
const COMMAND_PROXY = 0x1;
/** Section 2.2: an AF_UNIX address is 108 bytes (`sun_path`). */
const UNIX_PATH = 108;

/** The families and transports the specification assigns (byte 14), with their address block sizes. */
const FAMILIES: ReadonlyMap<number, { readonly family: ProxyFamily; readonly addressLength: number }> = new Map([
  [0x00, { family: 'unknown', addressLength: 0 }],
  [0x11, { family: 'tcp4', addressLength: 12 }],
  [0x12, { family: 'udp4', addressLength: 12 }],
  [0x21, { family: 'tcp6', addressLength: 36 }],
  [0x22, { family: 'udp6', addressLength: 36 }],
  [0x31, { family: 'unix-stream', addressLength: 2 * UNIX_PATH }],
  [0x32, { family: 'unix-dgram', addressLength: 2 * UNIX_PATH }],
]);

/**
 * Checks the first `end` bytes of a v2 header (which start with CR) as far as they go: the
 * signature byte by byte, the version and command, the family, then the length. Returns the
 * header's total length once known, undefined while fewer than 16 bytes are here, or the rejection.
 * A length over `maxHeaderBytes` is refused at once, before anything more is held.
 */
export function checkV2Fixed(buf: Buffer, end: number, maxHeaderBytes: number): number | ProxyProtocolError | undefined {
  const signature = Math.min(end, PROXY_V2_SIGNATURE.length);
  for (let i = 0; i < signature; i++) {
    if (buf[i] !== PROXY_V2_SIGNATURE[i]) return new ProxyProtocolError('signature', 'the connection does not start with a PROXY header');
  }
  if (end <= 12) return undefined;
  const version = buf[12] >> 4;
  if (version !== 2) return new ProxyProtocolError('version', `version ${version} (only 2 is defined)`);
  const command = buf[12] & 0x0f;
  if (command !== COMMAND_LOCAL && command !== COMMAND_PROXY) return new ProxyProtocolError('command', `command ${command} (0 LOCAL or 1 PROXY)`);
  if (end === 13) return undefined;
  // LOCAL ignores the family (section 2.2: "discard the protocol block including the family").
  const family = FAMILIES.get(buf[13]);
  if (command === COMMAND_PROXY && family === undefined) return new ProxyProtocolError('family', `family and transport byte 0x${buf[13].toString(16).padStart(2, '0')} is not assigned`);
  if (end < PROXY_V2_FIXED_LENGTH) return undefined;
  const length = buf.readUInt16BE(14);
  const total = PROXY_V2_FIXED_LENGTH + length;
  if (total > maxHeaderBytes) return new ProxyProtocolError('too-large', `a ${total}-byte header (maxHeaderBytes is ${maxHeaderBytes})`);
  if (command === COMMAND_PROXY && length < family!.addressLength) {
    return new ProxyProtocolError('length', `${length} bytes after the fixed part; ${family!.family} addresses take ${family!.addressLength}`);
  }
  return total;
}

/** Reads a whole v2 header, `header` exactly its bytes, already checked by `checkV2Fixed`. */
export function readV2(header: Buffer): ProxyHeader | ProxyProtocolError {
  const length = header.length;
  if ((header[12] & 0x0f) === COMMAND_LOCAL) {
    // The proxy's own connection (a health check): its endpoints are the connection's own.
    return { version: 2, command: 'local', family: 'unknown', source: null, destination: null, tlvs: NO_TLVS, length };
  }
  const { family, addressLength } = FAMILIES.get(header[13])!;
  // UNSPEC: "the receiver should ignore address information", and without a known address size
  // nothing after it can be told from addresses: the whole block is skipped.
  if (family === 'unknown') return { version: 2, command: 'proxy', family, source: null, destination: null, tlvs: NO_TLVS, length };
  const tlvs = readTlvs(header, PROXY_V2_FIXED_LENGTH + addressLength);
  if (tlvs instanceof ProxyProtocolError) return tlvs;
  let source: Endpoint | null = null;
  let destination: Endpoint | null = null;
  const a = PROXY_V2_FIXED_LENGTH;
  switch (family) {
    case 'tcp4':
      source = { kind: 'tcp', host: formatIPv4(header, a), port: header.readUInt16BE(a + 8) };
      destination = { kind: 'tcp', host: formatIPv4(header, a + 4), port: header.readUInt16BE(a + 10) };
      break;
    case 'tcp6':
      source = { kind: 'tcp', host: formatIPv6(header, a), port: header.readUInt16BE(a + 32) };
      destination = { kind: 'tcp', host: formatIPv6(header, a + 16), port: header.readUInt16BE(a + 34) };
      break;
    case 'unix-stream':
      source = { kind: 'pipe', path: unixPath(header, a) };
      destination = { kind: 'pipe', path: unixPath(header, a + UNIX_PATH) };
      break;
    default:
    // Datagram families: a stream server has no use for their addresses. The specification lets
    // a receiver fall back to UNSPEC for what it does not support: the connection keeps its own.
  }
  return { version: 2, command: 'proxy', family, source, destination, tlvs, length };
}

/** `sun_path` up to its first NUL (empty for an unnamed socket, as a client's usually is). */
function unixPath(buf: Buffer, start: number): string {
  let end = start;
  while (end < start + UNIX_PATH && buf[end] !== 0) end++;
  return buf.toString('utf8', start, end);
}
