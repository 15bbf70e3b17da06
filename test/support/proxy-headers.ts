// PROXY protocol headers as a sender writes them, built from the specification's layout
// (haproxy's doc/proxy-protocol.txt) independently of the parser under test: v1 lines, v2 headers
// with any family, command, TLVs and an optional CRC32C; and a raw client that sends one.
import net from 'node:net';
import { crc32c } from '../../protocols/proxy/index.js';

export const V2_SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

/** `PROXY <family> <src> <dst> <sport> <dport>\r\n`, or `PROXY UNKNOWN…\r\n` with `family` 'UNKNOWN'. */
export function v1(family: 'TCP4' | 'TCP6', src: string, dst: string, sport: number, dport: number): Buffer;
export function v1(family: 'UNKNOWN', rest?: string): Buffer;
export function v1(family: string, ...fields: (string | number | undefined)[]): Buffer {
  if (family === 'UNKNOWN') return Buffer.from(`PROXY UNKNOWN${fields[0] ?? ''}\r\n`, 'latin1');
  return Buffer.from(`PROXY ${family} ${fields.join(' ')}\r\n`, 'latin1');
}

/** One TLV: type, 16-bit big-endian length, value. */
export function tlv(type: number, value: Buffer | string): Buffer {
  const v = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const head = Buffer.alloc(3);
  head[0] = type;
  head.writeUInt16BE(v.length, 1);
  return Buffer.concat([head, v]);
}

/** A PP2_TYPE_SSL value: client bits, verify, then sub-TLVs. */
export function sslValue(client: number, verify: number, subTlvs: Buffer[] = []): Buffer {
  const head = Buffer.alloc(5);
  head[0] = client;
  head.writeUInt32BE(verify, 1);
  return Buffer.concat([head, ...subTlvs]);
}

/** The 16 bytes of an IPv6 address (`::` and an embedded IPv4 allowed). */
export function ipv6Bytes(address: string): Buffer {
  let text = address;
  const embedded: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) > 0) {
    const v4 = text.slice(lastColon + 1).split('.').map(Number);
    embedded.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const [l, r] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string | undefined): number[] => (s === undefined || s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = groups(l);
  const right = groups(r);
  const zeros = r === undefined ? 0 : 8 - embedded.length - left.length - right.length;
  const out = Buffer.alloc(16);
  [...left, ...new Array<number>(zeros).fill(0), ...right, ...embedded].forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

export interface V2Spec {
  /** Default 'proxy'. */
  command?: 'proxy' | 'local';
  /** Byte 14 (family << 4 | transport); default from the addresses: 0x11 for IPv4, 0x21 for IPv6. */
  family?: number;
  source?: { host: string; port: number };
  destination?: { host: string; port: number };
  /** AF_UNIX paths, for family 0x31/0x32. */
  paths?: [string, string];
  /** The address block as raw bytes, instead of the above. */
  addressBlock?: Buffer;
  tlvs?: Buffer[];
  /** Appends a PP2_TYPE_CRC32C TLV with the right checksum (or `crc: 'wrong'`, one that is off by one). */
  crc?: boolean | 'wrong';
  /** Byte 13; default 0x21 (version 2, PROXY) or 0x20 (LOCAL). */
  versionCommand?: number;
  /** Overrides the length field. */
  length?: number;
}

/** A v2 header from `spec`. */
export function v2(spec: V2Spec = {}): Buffer {
  const command = spec.command ?? 'proxy';
  let block: Buffer;
  let family = spec.family;
  if (spec.addressBlock !== undefined) block = spec.addressBlock;
  else if (spec.paths !== undefined) {
    block = Buffer.alloc(216);
    block.write(spec.paths[0], 0, 'utf8');
    block.write(spec.paths[1], 108, 'utf8');
    family ??= 0x31;
  } else if (spec.source !== undefined && spec.destination !== undefined) {
    const six = net.isIPv6(spec.source.host);
    const addr = (h: string): Buffer => (six ? ipv6Bytes(h) : Buffer.from(h.split('.').map(Number)));
    const ports = Buffer.alloc(4);
    ports.writeUInt16BE(spec.source.port, 0);
    ports.writeUInt16BE(spec.destination.port, 2);
    block = Buffer.concat([addr(spec.source.host), addr(spec.destination.host), ports]);
    family ??= six ? 0x21 : 0x11;
  } else block = Buffer.alloc(0);
  family ??= 0x00;
  const crcTlv = spec.crc ? [tlv(0x03, Buffer.alloc(4))] : [];
  const body = Buffer.concat([block, ...(spec.tlvs ?? []), ...crcTlv]);
  const fixed = Buffer.alloc(4);
  fixed[0] = spec.versionCommand ?? (command === 'local' ? 0x20 : 0x21);
  fixed[1] = family;
  fixed.writeUInt16BE(spec.length ?? body.length, 2);
  const header = Buffer.concat([V2_SIGNATURE, fixed, body]);
  if (spec.crc) {
    const at = header.length - 4;
    header.writeUInt32BE((crc32c(header) + (spec.crc === 'wrong' ? 1 : 0)) >>> 0, at);
  }
  return header;
}

/**
 * Connects to `port` on 127.0.0.1 (from `localAddress` when given) and writes `first` at once.
 * Resolves with the socket without waiting for the connect: a server that refuses at once may reset
 * it before the connect completes, which `readUntilClosed` then reports.
 */
export function connectAndSend(port: number, first: Buffer, localAddress?: string, host = '127.0.0.1'): Promise<net.Socket> {
  return sendOn(net.connect({ host, port, localAddress }), first);
}

/** `connectAndSend` to a unix socket. */
export function connectPathAndSend(path: string, first: Buffer): Promise<net.Socket> {
  return sendOn(net.connect({ path }), first);
}

function sendOn(socket: net.Socket, first: Buffer): Promise<net.Socket> {
  // Kept for the socket's life: a reset must be seen through `errored`, never crash the run.
  socket.on('error', () => {});
  if (first.length > 0) socket.write(first);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve(socket));
    socket.once('close', () => resolve(socket));
  });
}

/** Everything the peer sends until it closes, and how it closed ('end' for a FIN, the error code for a reset). */
export function readUntilClosed(socket: net.Socket): Promise<{ data: Buffer; how: string }> {
  const chunks: Buffer[] = [];
  const done = (): { data: Buffer; how: string } => ({ data: Buffer.concat(chunks), how: (socket.errored as NodeJS.ErrnoException | null)?.code ?? 'end' });
  if (socket.destroyed) return Promise.resolve(done());
  return new Promise((resolve) => {
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('close', () => resolve(done()));
  });
}
