import type { SniffVerdict } from '../http/index.js';

/** RFC 9113 §3.4: every HTTP/2 connection starts with these 24 octets. */
export const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/**
 * Whether a cleartext connection's first bytes are the HTTP/2 preface (h2c with prior knowledge),
 * decided as soon as one byte differs: an HTTP/1.1 request's first byte already does, so HTTP/1.1
 * waits for no extra read.
 */
export function sniffHttp2Preface(head: Buffer): SniffVerdict {
  const n = head.length < HTTP2_PREFACE.length ? head.length : HTTP2_PREFACE.length;
  if (head.compare(HTTP2_PREFACE, 0, n, 0, n) !== 0) return 'no';
  return n === HTTP2_PREFACE.length ? 'yes' : 'more';
}
