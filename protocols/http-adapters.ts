import type { ConnectionDelegate } from '../connection/index.js';
import type { ProtocolAdapter, ProtocolAdapterContext, SniffVerdict } from './http/index.js';
import { http1Delegate } from './http1/index.js';
import { http2Delegate, sniffHttp2Preface } from './http2/index.js';
import { ALPN_H2, ALPN_HTTP1 } from './tls/index.js';

/** HTTP/1.1: ALPN `http/1.1`, and the fallback for cleartext connections no other adapter claims. */
export class Http1Adapter implements ProtocolAdapter {
  readonly name = 'HTTP/1.1';
  readonly alpn = [ALPN_HTTP1];
  readonly httpVersion = 'http1';
  readonly fallback = true;
  createDelegate(context: ProtocolAdapterContext): ConnectionDelegate {
    return http1Delegate(context.app, { ...context, logger: context.loggers.create('tiercel.http1') });
  }
}

/** HTTP/2: ALPN `h2`, or on cleartext the client preface (h2c with prior knowledge). */
export class Http2Adapter implements ProtocolAdapter {
  readonly name = 'HTTP/2';
  readonly alpn = [ALPN_H2];
  readonly httpVersion = 'http2';
  sniff(head: Buffer): SniffVerdict {
    return sniffHttp2Preface(head);
  }
  createDelegate(context: ProtocolAdapterContext): ConnectionDelegate {
    return http2Delegate(context.app, { ...context, logger: context.loggers.create('tiercel.http2') });
  }
}

/** The built-in adapters in their registration order: HTTP/1.1 first, so HTTP/2 takes precedence in ALPN. */
export function defaultProtocolAdapters(): ProtocolAdapter[] {
  return [new Http1Adapter(), new Http2Adapter()];
}
