import type { ConnectionDelegate, Logger } from '../../connection/index.js';
import type { Heartbeat, HttpApplication, ResolvedHttpOptions } from '../http/index.js';
export interface Http1DelegateOptions extends ResolvedHttpOptions {
    readonly heartbeat: Heartbeat;
    readonly logger: Logger;
    readonly maxReadBufferSize?: number;
}
/** The terminal connection delegate that serves HTTP/1.x with `app`. */
export declare function http1Delegate(app: HttpApplication, options: Http1DelegateOptions): ConnectionDelegate;
