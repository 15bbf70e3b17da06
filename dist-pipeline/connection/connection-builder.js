import { NextCalledTwiceError } from './errors.js';
const closeAtOnce = async () => { };
/**
 * Composes connection middleware into one delegate. Built once per endpoint; the composition
 * is not rebuilt per connection.
 */
export class ConnectionBuilder {
    #middleware = [];
    #terminal = closeAtOnce;
    use(middleware) {
        if (typeof middleware !== 'function')
            throw new TypeError('use() takes a function (ctx, next) => Promise<void>');
        this.#middleware.push(middleware);
        return this;
    }
    /** Sets the terminal delegate (the protocol). Without one, connections are closed at once. */
    run(terminal) {
        if (typeof terminal !== 'function')
            throw new TypeError('run() takes a function (ctx) => Promise<void>');
        this.#terminal = terminal;
        return this;
    }
    get middlewareCount() {
        return this.#middleware.length;
    }
    build() {
        const chain = this.#middleware.slice();
        const terminal = this.#terminal;
        return (ctx) => {
            let last = -1;
            const dispatch = (i) => {
                if (i <= last)
                    return Promise.reject(new NextCalledTwiceError());
                last = i;
                if (i === chain.length) {
                    try {
                        return Promise.resolve(terminal(ctx));
                    }
                    catch (err) {
                        return Promise.reject(err);
                    }
                }
                try {
                    return Promise.resolve(chain[i](ctx, () => dispatch(i + 1)));
                }
                catch (err) {
                    return Promise.reject(err);
                }
            };
            return dispatch(0);
        };
    }
}
//# sourceMappingURL=connection-builder.js.map