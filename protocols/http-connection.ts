import { TlsFeature, type ConnectionContext, type ConnectionDelegate, type Logger } from '../connection/index.js';
import type { Heartbeat, HttpApplication, HttpProtocols, ResolvedHttpOptions } from './http/index.js';
import { http1Delegate } from './http1/index.js';
import { http2Delegate, sniffPreface } from './http2/index.js';

export interface HttpConnectionOptions extends ResolvedHttpOptions {
  readonly heartbeat: Heartbeat;
  readonly logger: Logger;
  /** Bytes of request body HTTP/1.1 queues for a slow app before it stops reading. */
  readonly maxReadBufferSize?: number;
}

/** The ALPN protocol ids to offer in a TLS handshake for `protocols`, most preferred first. */
export function alpnProtocols(protocols: HttpProtocols): string[] {
  switch (protocols) {
    case 'http1':
      return ['http/1.1'];
    case 'http2':
      return ['h2'];
    default:
      return ['h2', 'http/1.1'];
  }
}

const HTTP2_ONLY_BODY = 'This endpoint speaks HTTP/2 only: use HTTP/2 with prior knowledge (h2c) or TLS with ALPN h2.\n';
const HTTP2_ONLY_RESPONSE =
  'HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\n' +
  `content-length: ${Buffer.byteLength(HTTP2_ONLY_BODY)}\r\nconnection: close\r\n\r\n${HTTP2_ONLY_BODY}`;

/**
 * The terminal delegate for HTTP (Kestrel's `HttpConnectionMiddleware`): picks the protocol of each
 * connection and hands it over.
 * - With TLS (a `TlsFeature` on the connection), ALPN decides: `h2` → HTTP/2, anything else →
 *   HTTP/1.1 (or, on an HTTP/2-only endpoint, HTTP/2 when the client offered no ALPN at all).
 * - On cleartext, 'http1' goes straight to HTTP/1.1 (no sniffing); 'http1AndHttp2' reads the first
 *   bytes for the HTTP/2 preface without consuming them; 'http2' expects the preface and answers
 *   anything else with a short HTTP/1.1 400.
 * A client that says nothing conclusive within `requestHeadersTimeoutMs` is closed.
 */
export function httpConnectionDelegate(app: HttpApplication, options: HttpConnectionOptions, protocols: HttpProtocols = options.protocols): ConnectionDelegate {
  const h1 = protocols === 'http2' ? undefined : http1Delegate(app, options);
  const h2 = protocols === 'http1' ? undefined : http2Delegate(app, options);
  const timeoutMs = options.limits.requestHeadersTimeoutMs;
  const logger = options.logger;

  const refuse = (ctx: ConnectionContext, why: string): Promise<void> => {
    logger.debug(why, { connectionId: ctx.id });
    return Promise.resolve();
  };

  const cleartext = async (ctx: ConnectionContext): Promise<void> => {
    const verdict = await sniffPreface(ctx.transport, timeoutMs);
    switch (verdict) {
      case 'http2':
        return h2!(ctx);
      case 'other':
        if (h1 !== undefined) {
          const served = h1(ctx);
          // sniffPreface left the transport paused with its bytes put back; HTTP/1.1 has attached
          // its listeners now, and the flow restarts on the next tick.
          ctx.transport.resume();
          return served;
        }
        ctx.transport.write(HTTP2_ONLY_RESPONSE, 'latin1');
        return refuse(ctx, 'HTTP/1.x request on an HTTP/2-only endpoint: answered 400');
      case 'timeout':
        return refuse(ctx, 'No request within requestHeadersTimeoutMs: closing');
      default:
        return undefined;
    }
  };

  return (ctx) => {
    const tls = ctx.features.get(TlsFeature);
    if (tls !== undefined) {
      const alpn = tls.alpnProtocol;
      if (alpn === 'h2' || (alpn === null && h1 === undefined)) {
        return h2 !== undefined ? h2(ctx) : refuse(ctx, 'ALPN chose h2 on an HTTP/1.1-only endpoint: closing');
      }
      return h1 !== undefined ? h1(ctx) : refuse(ctx, `ALPN chose ${alpn} on an HTTP/2-only endpoint: closing`);
    }
    if (h2 === undefined) return h1!(ctx);
    return cleartext(ctx);
  };
}
