import type { Duplex } from 'node:stream';

/** RFC 9113 §3.4: every HTTP/2 connection starts with these 24 octets. */
export const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

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
