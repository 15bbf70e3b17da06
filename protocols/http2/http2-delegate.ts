import { completingDelegate, type CompletingDelegate, type Logger } from '../../connection/index.js';
import { KNOWN_METHODS, type Heartbeat, type HttpLogs, type HttpApplication, type ResolvedHttpOptions } from '../http/index.js';
import { Http2Connection, type Http2ConnectionOptions } from './http2-connection.js';
import { Http2Engine } from './http2-engine.js';
import { headLimits } from './http2-request-head.js';

export interface Http2DelegateOptions extends ResolvedHttpOptions {
  readonly heartbeat: Heartbeat;
  readonly logger: Logger;
  readonly logs: HttpLogs;
}

/**
 * The terminal connection delegate that serves HTTP/2 with `app` on connections whose first bytes
 * are the client preface (h2c with prior knowledge, or TLS with ALPN `h2`). One nghttp2 server per
 * delegate, made on the first connection (`Http2Engine`).
 */
export function http2Delegate(app: HttpApplication, options: Http2DelegateOptions): CompletingDelegate {
  const connectionOptions: Http2ConnectionOptions = {
    app,
    engine: new Http2Engine(options.limits, options.http2),
    // One before now: no time the connections keep reads 0, which their fields use for 'not yet'.
    epoch: options.heartbeat.now - 1,
    limits: options.limits,
    http2: options.http2,
    headLimits: headLimits(options.limits, options.http2),
    // The resolved wire form is `server: <token>\r\n`; HTTP/2 wants the value alone.
    serverHeader: options.serverLine === '' ? '' : options.serverLine.slice('server: '.length, -2),
    upgrades: options.upgrades,
    methods: options.extraMethods.length === 0 ? KNOWN_METHODS : new Set([...KNOWN_METHODS, ...options.extraMethods]),
    heartbeat: options.heartbeat,
    logger: options.logger,
    logs: options.logs,
  };
  // Served by callback (`serve`): no promise and no reaction kept for the connection's life.
  return completingDelegate((ctx, completion) => new Http2Connection(ctx, connectionOptions).serve(completion));
}
