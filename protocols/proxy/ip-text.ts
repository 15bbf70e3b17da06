// node:net as its module object: its SocketAddress is a lazy getter (a module of its own), read
// with the first IPv6 text to canonicalise, not when the bundle evaluates this file (scripts/bundle.mjs).
import * as net from 'node:net';

// IP addresses in a PROXY header, read strictly and written the way node:net writes a socket's
// remoteAddress (libuv's inet_ntop), with IPv4-mapped IPv6 addresses unmapped as the TCP
// transport does: a client behind the proxy looks exactly as it would connecting directly.

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const DOT = 0x2e;
const COLON = 0x3a;

/**
 * The dotted-decimal IPv4 address in `buf[start, end)`, or null: four numbers 0 to 255 without
 * leading zeros (which a resolver would read as octal), as the v1 specification requires.
 */
export function readIPv4(buf: Buffer, start: number, end: number): string | null {
  if (end - start < 7 || end - start > 15) return null;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b !== DOT && (b < DIGIT_0 || b > DIGIT_9)) return null;
  }
  const text = buf.toString('latin1', start, end);
  // node:net's check is exact: four parts, each 0-255, no leading zero.
  return net.isIPv4(text) ? text : null;
}

/**
 * The IPv6 address in `buf[start, end)` in node:net's form, or null. Hex digits, colons and an
 * embedded dotted IPv4 only: a zone (`%eth0`) names an interface of the proxy's, not the client.
 */
export function readIPv6(buf: Buffer, start: number, end: number): string | null {
  if (end - start < 2 || end - start > 45) return null;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (!isHex(b) && b !== COLON && b !== DOT) return null;
  }
  const text = buf.toString('latin1', start, end);
  return net.isIPv6(text) ? canonicalIPv6(text) : null;
}

/** Whether `b` may appear in an IPv4 address being typed (digits and dots). */
export function isIPv4Char(b: number): boolean {
  return b === DOT || (b >= DIGIT_0 && b <= DIGIT_9);
}

/** Whether `b` may appear in an IPv6 address being typed (hex digits, colons, dots). */
export function isIPv6Char(b: number): boolean {
  return b === COLON || b === DOT || isHex(b);
}

function isHex(b: number): boolean {
  const lower = b | 0x20;
  return (b >= DIGIT_0 && b <= DIGIT_9) || (lower >= 0x61 && lower <= 0x66);
}

/** The 4 bytes at `buf[offset]` as a dotted-decimal address. */
export function formatIPv4(buf: Buffer, offset: number): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

/** The 16 bytes at `buf[offset]` as node:net writes an IPv6 address (an IPv4-mapped one unmapped). */
export function formatIPv6(buf: Buffer, offset: number): string {
  let full = '';
  for (let i = 0; i < 16; i += 2) full += (i === 0 ? '' : ':') + buf.readUInt16BE(offset + i).toString(16);
  return canonicalIPv6(full);
}

function canonicalIPv6(text: string): string {
  const address = new net.SocketAddress({ address: text, family: 'ipv6' }).address;
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
