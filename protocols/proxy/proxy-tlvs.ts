import { ProxyProtocolError, type ProxySslInfo, type ProxyTlv, type ProxyTlvs } from '../../connection/index.js';
import { crc32c } from './crc32c.js';

// PROXY v2 TLVs (proxy-protocol.txt section 2.2): type (1 byte), length (2 bytes, big-endian),
// value. Each registered type is checked and typed; every TLV is also kept raw, in order.

export const PP2_TYPE_ALPN = 0x01;
export const PP2_TYPE_AUTHORITY = 0x02;
export const PP2_TYPE_CRC32C = 0x03;
export const PP2_TYPE_NOOP = 0x04;
export const PP2_TYPE_UNIQUE_ID = 0x05;
export const PP2_TYPE_SSL = 0x20;
export const PP2_SUBTYPE_SSL_VERSION = 0x21;
export const PP2_SUBTYPE_SSL_CN = 0x22;
export const PP2_SUBTYPE_SSL_CIPHER = 0x23;
export const PP2_SUBTYPE_SSL_SIG_ALG = 0x24;
export const PP2_SUBTYPE_SSL_KEY_ALG = 0x25;
export const PP2_TYPE_NETNS = 0x30;

const PP2_CLIENT_SSL = 0x01;
const PP2_CLIENT_CERT_CONN = 0x02;
const PP2_CLIENT_CERT_SESS = 0x04;

/** Section 2.2.5: a unique id is at most 128 bytes. */
const MAX_UNIQUE_ID = 128;

/** What a header without TLVs has (v1, LOCAL, and address families whose block is skipped). */
export const NO_TLVS: ProxyTlvs = Object.freeze({ alpn: undefined, authority: undefined, uniqueId: undefined, ssl: undefined, netns: undefined, raw: Object.freeze([]) as readonly ProxyTlv[] });

// Byte-exact: a bad sequence refuses the header instead of becoming U+FFFD, a BOM is kept.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function tlvError(detail: string): ProxyProtocolError {
  return new ProxyProtocolError('tlv', detail);
}

/** The TLV list in `buf[start, end)`: `[type, value start, value end]` triples, or the rejection. */
function split(buf: Buffer, start: number, end: number, what: string): number[] | ProxyProtocolError {
  const out: number[] = [];
  for (let i = start; i < end; ) {
    if (end - i < 3) return tlvError(`${end - i} byte(s) after the last ${what}, too few for another`);
    const length = buf.readUInt16BE(i + 1);
    const valueStart = i + 3;
    if (valueStart + length > end) return tlvError(`${what} 0x${buf[i].toString(16)} claims ${length} bytes; ${end - valueStart} remain`);
    out.push(buf[i], valueStart, valueStart + length);
    i = valueStart + length;
  }
  return out;
}

/**
 * Reads the TLVs in `header[start, header.length)` (`header` is the whole v2 header: a CRC32C
 * covers all of it). A TLV cut short, a registered type given twice (which value would count?),
 * or a value its type does not allow refuses the header.
 */
export function readTlvs(header: Buffer, start: number): ProxyTlvs | ProxyProtocolError {
  if (start === header.length) return NO_TLVS;
  const list = split(header, start, header.length, 'TLV');
  if (list instanceof ProxyProtocolError) return list;
  const raw: ProxyTlv[] = [];
  const seen = new Set<number>();
  let alpn: string | undefined;
  let authority: string | undefined;
  let uniqueId: Buffer | undefined;
  let ssl: ProxySslInfo | undefined;
  let netns: string | undefined;
  for (let i = 0; i < list.length; i += 3) {
    const type = list[i];
    const valueStart = list[i + 1];
    const value = header.subarray(valueStart, list[i + 2]);
    raw.push({ type, value });
    if (type === PP2_TYPE_NOOP || !isRegistered(type)) continue;
    if (seen.has(type)) return tlvError(`TLV 0x${type.toString(16)} given twice`);
    seen.add(type);
    switch (type) {
      case PP2_TYPE_ALPN:
        // RFC 7301 section 3.1: a protocol id is 1 to 255 bytes, opaque (read byte for byte).
        if (value.length === 0 || value.length > 255) return tlvError(`an ALPN of ${value.length} bytes (1 to 255)`);
        alpn = value.toString('latin1');
        break;
      case PP2_TYPE_AUTHORITY: {
        const text = decodeUtf8(value);
        if (text === undefined) return tlvError('an authority that is not UTF-8');
        authority = text;
        break;
      }
      case PP2_TYPE_CRC32C: {
        if (value.length !== 4) return tlvError(`a CRC32C of ${value.length} bytes (4)`);
        const sent = value.readUInt32BE(0);
        const computed = crc32c(header, valueStart);
        if (sent !== computed) return new ProxyProtocolError('checksum', `CRC32C 0x${sent.toString(16)} sent, 0x${computed.toString(16)} computed`);
        break;
      }
      case PP2_TYPE_UNIQUE_ID:
        if (value.length > MAX_UNIQUE_ID) return tlvError(`a unique id of ${value.length} bytes (at most ${MAX_UNIQUE_ID})`);
        uniqueId = value;
        break;
      case PP2_TYPE_SSL: {
        const info = readSsl(header, valueStart, list[i + 2]);
        if (info instanceof ProxyProtocolError) return info;
        ssl = info;
        break;
      }
      case PP2_TYPE_NETNS:
        netns = value.toString('latin1');
        break;
    }
  }
  return { alpn, authority, uniqueId, ssl, netns, raw };
}

function isRegistered(type: number): boolean {
  return (type >= PP2_TYPE_ALPN && type <= PP2_TYPE_UNIQUE_ID) || type === PP2_TYPE_SSL || type === PP2_TYPE_NETNS;
}

/** Section 2.2.6: `client` (1 byte), `verify` (4 bytes), then sub-TLVs. */
function readSsl(buf: Buffer, start: number, end: number): ProxySslInfo | ProxyProtocolError {
  if (end - start < 5) return tlvError(`an SSL TLV of ${end - start} bytes (at least 5)`);
  const client = buf[start];
  const list = split(buf, start + 5, end, 'SSL sub-TLV');
  if (list instanceof ProxyProtocolError) return list;
  const subTlvs: ProxyTlv[] = [];
  const strings = new Map<number, string>();
  for (let i = 0; i < list.length; i += 3) {
    const type = list[i];
    const value = buf.subarray(list[i + 1], list[i + 2]);
    subTlvs.push({ type, value });
    if (type < PP2_SUBTYPE_SSL_VERSION || type > PP2_SUBTYPE_SSL_KEY_ALG) continue;
    if (strings.has(type)) return tlvError(`SSL sub-TLV 0x${type.toString(16)} given twice`);
    // The common name is UTF-8 (section 2.2.6); the others are US-ASCII names, read byte for byte.
    const text = type === PP2_SUBTYPE_SSL_CN ? decodeUtf8(value) : value.toString('latin1');
    if (text === undefined) return tlvError('an SSL common name that is not UTF-8');
    strings.set(type, text);
  }
  return {
    ssl: (client & PP2_CLIENT_SSL) !== 0,
    certificateOnConnection: (client & PP2_CLIENT_CERT_CONN) !== 0,
    certificateInSession: (client & PP2_CLIENT_CERT_SESS) !== 0,
    verify: buf.readUInt32BE(start + 1),
    version: strings.get(PP2_SUBTYPE_SSL_VERSION),
    commonName: strings.get(PP2_SUBTYPE_SSL_CN),
    cipher: strings.get(PP2_SUBTYPE_SSL_CIPHER),
    signatureAlgorithm: strings.get(PP2_SUBTYPE_SSL_SIG_ALG),
    keyAlgorithm: strings.get(PP2_SUBTYPE_SSL_KEY_ALG),
    subTlvs,
  };
}

function decodeUtf8(value: Buffer): string | undefined {
  try {
    return utf8.decode(value);
  } catch {
    return undefined;
  }
}
