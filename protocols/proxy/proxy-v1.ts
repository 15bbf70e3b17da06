import { ProxyProtocolError, type ProxyHeader, type TcpEndpoint } from '../../connection/index.js';
import { isIPv4Char, isIPv6Char, readIPv4, readIPv6 } from './ip-text.js';
import { NO_TLVS } from './proxy-tlvs.js';

// PROXY protocol version 1: one line of US-ASCII text (proxy-protocol.txt section 2.1).
//   "PROXY" SP ( "TCP4" | "TCP6" ) SP src SP dst SP srcport SP dstport CRLF
//   "PROXY" SP "UNKNOWN" [ anything but CR and LF ] CRLF

/** The longest v1 line, CRLF included: `PROXY UNKNOWN` with two full IPv6 addresses and ports. */
export const PROXY_V1_MAX_LENGTH = 107;

const PREFIX = Buffer.from('PROXY ', 'latin1');
const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const FAMILIES = ['TCP4', 'TCP6', 'UNKNOWN'] as const;

/**
 * Reads a v1 header from `buf[0, end)`, the first bytes of the connection (which start with 'P').
 * Returns the header once its CRLF has arrived, undefined while the bytes so far can still begin a
 * valid line, or the rejection as soon as they cannot: the specification asks for an abort as
 * early as possible, so every field is checked as far as it has arrived. Bytes are judged in
 * order, so the reason is that of the first byte that cannot be right, however reads split them.
 */
export function readV1(buf: Buffer, end: number): ProxyHeader | ProxyProtocolError | undefined {
  const prefix = Math.min(end, PREFIX.length);
  for (let i = 0; i < prefix; i++) {
    if (buf[i] !== PREFIX[i]) return i < 5 ? new ProxyProtocolError('signature', 'the connection does not start with a PROXY header') : new ProxyProtocolError('line', "'PROXY' is not followed by one space");
  }
  if (end <= PREFIX.length) return undefined;
  // The line ends at the first CR or LF, which must be a CRLF within the first 107 bytes.
  const scan = Math.min(end, PROXY_V1_MAX_LENGTH);
  let stop = scan;
  for (let i = PREFIX.length; i < scan; i++) {
    if (buf[i] === CR || buf[i] === LF) {
      stop = i;
      break;
    }
  }
  const crlf = stop + 1 < scan && buf[stop] === CR && buf[stop + 1] === LF;
  const fields = readFields(buf, stop, crlf);
  if (crlf || fields !== undefined) return fields;
  if (stop < scan) {
    if (buf[stop] === LF) return new ProxyProtocolError('line', 'a line feed without a carriage return before it');
    if (stop + 1 < scan) return new ProxyProtocolError('line', 'a carriage return without a line feed after it');
  }
  return end >= PROXY_V1_MAX_LENGTH ? new ProxyProtocolError('too-large', `no CRLF within ${PROXY_V1_MAX_LENGTH} bytes`) : undefined;
}

/**
 * The fields in `buf[6, contentEnd)`: the whole line when `complete` (a CRLF follows), else the
 * bytes so far, whose last field may still be arriving.
 */
function readFields(buf: Buffer, contentEnd: number, complete: boolean): ProxyHeader | ProxyProtocolError | undefined {
  const length = contentEnd + 2;
  let start = PREFIX.length;
  let space = indexOf(buf, SP, start, contentEnd);
  const familyText = buf.toString('latin1', start, space < 0 ? contentEnd : space);
  if (space < 0 && !complete) {
    return FAMILIES.some((f) => f.startsWith(familyText)) ? undefined : new ProxyProtocolError('family', `'${familyText}…' is not TCP4, TCP6 or UNKNOWN`);
  }
  if (familyText === 'UNKNOWN') {
    // Whatever follows UNKNOWN up to the CRLF is ignored (section 2.1); the connection's own
    // endpoints stand.
    return complete ? { version: 1, command: 'proxy', family: 'unknown', source: null, destination: null, tlvs: NO_TLVS, length } : undefined;
  }
  if (familyText !== 'TCP4' && familyText !== 'TCP6') return new ProxyProtocolError('family', `'${familyText}' is not TCP4, TCP6 or UNKNOWN`);
  const v6 = familyText === 'TCP6';

  const hosts: string[] = [];
  const ports: number[] = [];
  for (let field = 0; field < 4; field++) {
    if (space < 0) return complete ? new ProxyProtocolError('line', `the line ends after ${field} of its 4 address fields`) : undefined;
    start = space + 1;
    space = indexOf(buf, SP, start, contentEnd);
    const last = space < 0;
    const fieldEnd = last ? contentEnd : space;
    if (fieldEnd === start) {
      if (!last || complete) return new ProxyProtocolError('line', 'two spaces in a row, or a space before the line end');
      return undefined;
    }
    if (last && !complete) return checkPartial(buf, start, fieldEnd, field, v6);
    if (field < 2) {
      const host = v6 ? readIPv6(buf, start, fieldEnd) : readIPv4(buf, start, fieldEnd);
      if (host === null) return new ProxyProtocolError('address', `'${buf.toString('latin1', start, fieldEnd)}' is not an ${v6 ? 'IPv6' : 'IPv4'} address`);
      hosts.push(host);
    } else {
      const port = readPort(buf, start, fieldEnd);
      if (port < 0) return new ProxyProtocolError('port', `'${buf.toString('latin1', start, fieldEnd)}' is not a port (0 to 65535, no leading zero)`);
      ports.push(port);
    }
  }
  if (space >= 0) return new ProxyProtocolError('line', 'more than 4 address fields');
  if (!complete) return undefined;
  const source: TcpEndpoint = { kind: 'tcp', host: hosts[0], port: ports[0] };
  const destination: TcpEndpoint = { kind: 'tcp', host: hosts[1], port: ports[1] };
  return { version: 1, command: 'proxy', family: v6 ? 'tcp6' : 'tcp4', source, destination, tlvs: NO_TLVS, length };
}

/** A field still arriving: undefined while it can still become valid, else its rejection. */
function checkPartial(buf: Buffer, start: number, end: number, field: number, v6: boolean): ProxyProtocolError | undefined {
  if (field < 2) {
    const ok = v6 ? isIPv6Char : isIPv4Char;
    for (let i = start; i < end; i++) {
      if (!ok(buf[i])) return new ProxyProtocolError('address', `'${buf.toString('latin1', start, end)}…' cannot begin an ${v6 ? 'IPv6' : 'IPv4'} address`);
    }
    return end - start > (v6 ? 45 : 15) ? new ProxyProtocolError('address', 'an address longer than any') : undefined;
  }
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b < DIGIT_0 || b > DIGIT_9) return new ProxyProtocolError('port', `'${buf.toString('latin1', start, end)}…' cannot begin a port`);
  }
  if ((buf[start] === DIGIT_0 && end - start > 1) || end - start > 5) return new ProxyProtocolError('port', `'${buf.toString('latin1', start, end)}…' cannot begin a port`);
  return undefined;
}

/** The decimal port in `buf[start, end)`: 0 to 65535 without leading zeros; -1 if it is not one. */
function readPort(buf: Buffer, start: number, end: number): number {
  const length = end - start;
  if (length < 1 || length > 5 || (buf[start] === DIGIT_0 && length > 1)) return -1;
  let port = 0;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b < DIGIT_0 || b > DIGIT_9) return -1;
    port = port * 10 + (b - DIGIT_0);
  }
  return port <= 0xffff ? port : -1;
}

function indexOf(buf: Buffer, byte: number, start: number, end: number): number {
  for (let i = start; i < end; i++) if (buf[i] === byte) return i;
  return -1;
}
