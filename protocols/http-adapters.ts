import type { ConnectionContext, ConnectionDelegate } from '../connection/index.js';
import type { ProtocolAdapter, ProtocolAdapterContext, SniffVerdict } from './http/index.js';
import { http1Delegate } from './http1/index.js';
// The preface alone, without node:http2: HTTP/2 itself loads with the first connection that needs it.
import { sniffHttp2Preface } from './http2/http2-preface.js';

/** HTTP/1.1: ALPN `http/1.1`, and the fallback for cleartext connections no other adapter claims. */
export class Http1Adapter implements ProtocolAdapter {
  readonly name = 'HTTP/1.1';
  readonly alpn = ['http/1.1'];
  readonly httpVersion = 'http1';
  readonly fallback = true;
  createDelegate(context: ProtocolAdapterContext): ConnectionDelegate {
    return http1Delegate(context.app, { ...context, logger: context.loggers.create('tiercel.http1') });
  }
}

/** HTTP/2: ALPN `h2`, or on cleartext the client preface (h2c with prior knowledge). */
export class Http2Adapter implements ProtocolAdapter {
  readonly name = 'HTTP/2';
  readonly alpn = ['h2'];
  readonly httpVersion = 'http2';
  sniff(head: Buffer): SniffVerdict {
    return sniffHttp2Preface(head);
  }
  createDelegate(context: ProtocolAdapterContext): ConnectionDelegate {
    return lazyHttp2Delegate(context);
  }
}

/**
 * The HTTP/2 delegate, whose module (with node:http2, ~45 ms of start-up) is loaded by the first
 * connection that needs it: a server that never sees HTTP/2 never pays for it. A connection
 * that arrives while the module loads waits for it; one closed meanwhile is not served, and a
 * close the server requests meanwhile is still honoured, since the HTTP/2 connection looks at
 * the lifetime when it starts (GOAWAY at once).
 */
function lazyHttp2Delegate(context: ProtocolAdapterContext): ConnectionDelegate {
  const options = { ...context, logger: context.loggers.create('tiercel.http2') };
  let delegate: ConnectionDelegate | undefined;
  let loading: Promise<ConnectionDelegate> | undefined;
  const load = async (): Promise<ConnectionDelegate> => {
    const { http2Delegate } = await import('./http2/index.js');
    return (delegate = http2Delegate(context.app, options));
  };
  const served = (ctx: ConnectionContext, d: ConnectionDelegate): Promise<void> => (ctx.isClosed ? Promise.resolve() : d(ctx));
  return (ctx) => {
    if (delegate !== undefined) return delegate(ctx);
    return (loading ??= load()).then((d) => served(ctx, d));
  };
}

/** The built-in adapters in their registration order: HTTP/1.1 first, so HTTP/2 takes precedence in ALPN. */
export function defaultProtocolAdapters(): ProtocolAdapter[] {
  return [new Http1Adapter(), new Http2Adapter()];
}
