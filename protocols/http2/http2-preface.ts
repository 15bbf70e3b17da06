import type { Duplex } from 'node:stream';

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
 * What the first bytes of a cleartext connection say:
 * - 'http2': the HTTP/2 preface (h2c with prior knowledge);
 * - 'other': a byte differs from the preface (HTTP/1.x, or garbage for HTTP/1.1 to refuse);
 * - 'closed': the client went away (or ended) before the answer was known;
 * - 'timeout': no answer within the time allowed.
 */
export type PrefaceVerdict = 'http2' | 'other' | 'closed' | 'timeout';

/**
 * Reads the first bytes of `transport` and compares them with the HTTP/2 preface, deciding as soon
 * as one byte differs (an HTTP/1.1 request's first byte already does, so HTTP/1.1 waits for no
 * extra read). Nothing is consumed: the bytes read are put back with `unshift` and the transport
 * is left paused for the protocol that takes it.
 */
export function sniffPreface(transport: Duplex, timeoutMs: number): Promise<PrefaceVerdict> {
  return new Promise((resolve) => {
    let seen: Buffer | null = null;
    let timer: NodeJS.Timeout | undefined;
    const finish = (verdict: PrefaceVerdict): void => {
      transport.off('data', onData);
      transport.off('end', onEnd);
      transport.off('close', onClose);
      if (timer !== undefined) clearTimeout(timer);
      transport.pause();
      if (seen !== null && verdict !== 'closed') transport.unshift(seen);
      resolve(verdict);
    };
    const onData = (chunk: Buffer): void => {
      const buf: Buffer = seen === null ? chunk : Buffer.concat([seen, chunk]);
      seen = buf;
      const n = buf.length < HTTP2_PREFACE.length ? buf.length : HTTP2_PREFACE.length;
      if (buf.compare(HTTP2_PREFACE, 0, n, 0, n) !== 0) finish('other');
      else if (n === HTTP2_PREFACE.length) finish('http2');
    };
    // A client that ends before the verdict sent a bare prefix of the preface: nothing to serve.
    const onEnd = (): void => finish('closed');
    const onClose = (): void => finish('closed');
    if (transport.destroyed) {
      resolve('closed');
      return;
    }
    transport.on('data', onData);
    transport.on('end', onEnd);
    transport.on('close', onClose);
    // Middleware may hand the transport over paused; a 'data' listener alone would not start it.
    transport.resume();
    if (timeoutMs !== Infinity) {
      timer = setTimeout(() => finish('timeout'), timeoutMs);
      timer.unref();
    }
  });
}
