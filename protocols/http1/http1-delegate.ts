import { completingDelegate, type CompletingDelegate, type Logger } from '../../connection/index.js';
import type { Heartbeat, HttpApplication, HttpLogs, ResolvedHttpOptions } from '../http/index.js';
import { Http1Connection, headScannersFor } from './http1-connection.js';

export interface Http1DelegateOptions extends ResolvedHttpOptions {
  readonly heartbeat: Heartbeat;
  readonly logger: Logger;
  readonly logs: HttpLogs;
  readonly maxReadBufferSize?: number;
}

/** The terminal connection delegate that serves HTTP/1.x with `app`. */
export function http1Delegate(app: HttpApplication, options: Http1DelegateOptions): CompletingDelegate {
  // One pool of head scanners for the endpoint's connections: an idle one keeps none.
  const connectionOptions = { ...options, headScanners: headScannersFor(options) };
  return completingDelegate((ctx, completion) => new Http1Connection(ctx, app, connectionOptions).serve(completion));
}
