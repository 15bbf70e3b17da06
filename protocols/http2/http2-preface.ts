import type { SniffVerdict } from '../http/index.js';

/** RFC 9113 §3.4: every HTTP/2 connection starts with these 24 octets. */
export const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

const REFUSAL_REASON = 'invalid connection preface: this endpoint speaks HTTP/2 only (h2c with prior knowledge, or TLS with ALPN h2)';

/**
 * What an HTTP/2-only endpoint answers a connection that does not start with the preface (RFC
 * 9113 §3.4: a connection error of type PROTOCOL_ERROR): the server preface, an empty SETTINGS
 * frame, then GOAWAY(last stream 0, PROTOCOL_ERROR) whose debug data says why.
 */
export const HTTP2_PREFACE_REFUSAL: Buffer = (() => {
  const reason = Buffer.from(REFUSAL_REASON, 'latin1');
  const out = Buffer.alloc(9 + 9 + 8 + reason.length);
  // SETTINGS: length 0, type 0x4, no flags, stream 0.
  out[3] = 0x4;
  // GOAWAY: type 0x7 on stream 0, last stream id 0, error code PROTOCOL_ERROR (0x1).
  out.writeUIntBE(8 + reason.length, 9, 3);
  out[12] = 0x7;
  out.writeUInt32BE(0x1, 9 + 9 + 4);
  reason.copy(out, 9 + 9 + 8);
  return out;
})();

/**
 * Whether a cleartext connection's first bytes are the HTTP/2 preface (h2c with prior knowledge),
 * decided as soon as one byte differs: an HTTP/1.1 request's first byte already does, so HTTP/1.1
 * waits for no extra read.
 */
export function sniffHttp2Preface(head: Buffer): SniffVerdict {
  const n = head.length < HTTP2_PREFACE.length ? head.length : HTTP2_PREFACE.length;
  // Byte by byte: `compare` with ranges allocated ~90 bytes per cleartext connection (its offset
  // checks and the call into C++), and most connections differ at the first byte.
  for (let i = 0; i < n; i++) if (head[i] !== HTTP2_PREFACE[i]) return 'no';
  return n === HTTP2_PREFACE.length ? 'yes' : 'more';
}
