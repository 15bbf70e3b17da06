import type { Duplex } from 'node:stream';
import type { Clock } from '../../connection/index.js';

/** What a TLS-ALPN-01 responder needs from a ClientHello: the server name and the ALPN offer. */
export interface ClientHelloInfo {
  readonly serverName: string | undefined;
  readonly alpnProtocols: readonly string[];
}

/** The largest TLS record (RFC 8446 §5.1: 2^14 bytes plus the 5-byte header): the bound of the peek. */
const MAX_RECORD = 16_384 + 5;
const EXT_SERVER_NAME = 0x0000;
const EXT_ALPN = 0x0010;

/**
 * Reads a ClientHello from the first TLS record of `head` (RFC 8446 §4.1.2): `'more'` while the
 * record is incomplete, `null` when the bytes are not a ClientHello this reader understands (the
 * handshake then goes on as usual and OpenSSL judges them).
 */
export function parseClientHello(head: Buffer): ClientHelloInfo | 'more' | null {
  if (head.length < 5) return head.length === 0 || head[0] === 0x16 ? 'more' : null;
  if (head[0] !== 0x16) return null;
  const recordLength = head.readUInt16BE(3);
  if (head.length < 5 + recordLength) return 5 + recordLength > MAX_RECORD ? null : 'more';
  const body = head.subarray(5, 5 + recordLength);
  // Handshake header: type 1 (client_hello), a 3-byte length; then version (2) and random (32).
  if (body.length < 4 || body[0] !== 0x01) return null;
  let at = 4 + 2 + 32;
  const skip = (lengthBytes: 1 | 2): boolean => {
    if (at + lengthBytes > body.length) return false;
    at += lengthBytes + (lengthBytes === 1 ? body[at] : body.readUInt16BE(at));
    return at <= body.length;
  };
  // session_id, cipher_suites, compression_methods.
  if (!skip(1) || !skip(2) || !skip(1)) return null;
  if (at + 2 > body.length) return { serverName: undefined, alpnProtocols: [] };
  const end = Math.min(body.length, at + 2 + body.readUInt16BE(at));
  at += 2;
  let serverName: string | undefined;
  const alpnProtocols: string[] = [];
  while (at + 4 <= end) {
    const type = body.readUInt16BE(at);
    const length = body.readUInt16BE(at + 2);
    const data = body.subarray(at + 4, Math.min(end, at + 4 + length));
    at += 4 + length;
    if (type === EXT_SERVER_NAME && data.length >= 5 && data[2] === 0) {
      // server_name_list length (2), name_type 0 = host_name (1), name length (2), name (RFC 6066 §3).
      serverName = data.subarray(5, 5 + data.readUInt16BE(3)).toString('latin1').toLowerCase();
    } else if (type === EXT_ALPN && data.length >= 2) {
      // protocol_name_list length (2), then 1-byte-length-prefixed ids (RFC 7301 §3.1).
      for (let p = 2; p < data.length; p += 1 + data[p]) alpnProtocols.push(data.subarray(p + 1, p + 1 + data[p]).toString('latin1'));
    }
  }
  return { serverName, alpnProtocols };
}

/**
 * Reads the connection's first TLS record and parses its ClientHello, consuming nothing: the
 * bytes are put back (`unshift`) and the transport left paused for the handshake. Resolves null
 * when the bytes are not a ClientHello, the peer closed, or `timeoutMs` passed (the handshake's
 * own deadline then ends the connection). Holds at most one record (16 KiB).
 */
export function peekClientHello(transport: Duplex, timeoutMs: number, clock: Clock): Promise<ClientHelloInfo | null> {
  return new Promise((resolve) => {
    let seen: Buffer | null = null;
    const finish = (result: ClientHelloInfo | null): void => {
      transport.off('data', onData);
      transport.off('end', onClosed);
      transport.off('close', onClosed);
      clock.clearTimer(timer);
      transport.pause();
      if (seen !== null) transport.unshift(seen);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      seen = seen === null ? chunk : Buffer.concat([seen, chunk]);
      const parsed = parseClientHello(seen);
      if (parsed !== 'more') finish(parsed);
    };
    const onClosed = (): void => finish(null);
    const timer = clock.setTimeout(() => finish(null), timeoutMs);
    if (transport.destroyed) return finish(null);
    transport.on('data', onData);
    transport.on('end', onClosed);
    transport.on('close', onClosed);
    transport.resume();
  });
}
