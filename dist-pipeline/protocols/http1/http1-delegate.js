import { Http1Connection } from './http1-connection.js';
/** The terminal connection delegate that serves HTTP/1.x with `app`. */
export function http1Delegate(app, options) {
    return (ctx) => new Http1Connection(ctx, app, options).run();
}
//# sourceMappingURL=http1-delegate.js.map