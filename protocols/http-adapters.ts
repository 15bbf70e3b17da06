import { completingDelegate, serveConnection, type CompletingDelegate, type ConnectionDelegate, type Logger } from '../connection/index.js';
import type { HttpApplication, ProtocolAdapter, ProtocolAdapterContext, SniffVerdict } from './http/index.js';
// The preface alone, without node:http2: HTTP/2 itself loads with the first connection that needs it.
import { sniffHttp2Preface } from './http2/http2-preface.js';

/** HTTP/1.1: ALPN `http/1.1`, and the fallback for cleartext connections no other adapter claims. */
export class Http1Adapter implements ProtocolAdapter {
  readonly name = 'HTTP/1.1';
  readonly alpn = ['http/1.1'];
  readonly httpVersion = 'http1';
  readonly fallback = true;
  createDelegate(context: ProtocolAdapterContext): ConnectionDelegate {
    return onDemand(context, 'tiercel.http1', async () => (await import('./http1/index.js')).http1Delegate);
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
    return onDemand(context, 'tiercel.http2', async () => (await import('./http2/index.js')).http2Delegate);
  }
}

/**
 * A protocol's delegate whose module is imported by the first connection that needs it (HTTP/2
 * with node:http2 ~45 ms of start-up, HTTP/1.1 ~20 ms): a server pays for a protocol when a client
 * speaks it, not at import or start. `loading()` is the pending import, `undefined` once loaded:
 * the HTTP terminal awaits it before it restarts the flow of a sniffed connection.
 */
export interface OnDemandDelegate extends CompletingDelegate {
  loading(): Promise<unknown> | undefined;
}

type DelegateFactory = (app: HttpApplication, options: ProtocolAdapterContext & { readonly logger: Logger }) => ConnectionDelegate;

/**
 * A connection that arrives while the module loads waits for it; one closed meanwhile is not
 * served. A close the server requests meanwhile is still honoured: each protocol's connection
 * looks at the lifetime when it starts (HTTP/1.1 closes, HTTP/2 sends GOAWAY at once).
 */
function onDemand(context: ProtocolAdapterContext, category: string, importFactory: () => Promise<DelegateFactory>): OnDemandDelegate {
  // The logger now: its category exists from the start, as every other protocol's.
  const options = { ...context, logger: context.loggers.create(category) };
  let delegate: ConnectionDelegate | undefined;
  let pending: Promise<ConnectionDelegate> | undefined;
  const load = (): Promise<ConnectionDelegate> => (pending ??= importFactory().then((make) => (delegate = make(context.app, options))));
  const serve = completingDelegate((ctx, completion) => {
    if (delegate !== undefined) return serveConnection(delegate, ctx, completion);
    load().then(
      (d) => (ctx.isClosed ? completion.complete() : serveConnection(d, ctx, completion)),
      (err: unknown) => completion.fail(err),
    );
  });
  return Object.assign(serve, { loading: () => (delegate === undefined ? load() : undefined) });
}

/** The built-in adapters in their registration order: HTTP/1.1 first, so HTTP/2 takes precedence in ALPN. */
export function defaultProtocolAdapters(): ProtocolAdapter[] {
  return [new Http1Adapter(), new Http2Adapter()];
}
