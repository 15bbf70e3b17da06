import { ConnectionContext, FeatureCollection, TransportFeature, } from '../../connection/index.js';
import { AcceptQueue } from '../accept-queue.js';
/** A bound in-memory name. `MemoryTransport.connect` hands it the server's end of each connection. */
export class MemoryListener {
    endpoint;
    options;
    #queue = new AcceptQueue((end) => !end.destroyed, (end) => end.destroy());
    #onUnbind;
    /** `onUnbind` frees the name in the transport that bound it. */
    constructor(endpoint, options, onUnbind) {
        this.endpoint = { kind: 'memory', name: endpoint.name };
        this.options = options;
        this.#onUnbind = onUnbind;
    }
    /** False once unbound: a connect then is refused. */
    get accepting() {
        return !this.#queue.closed;
    }
    /** Queues the server's end of a new connection for `accept`. */
    enqueue(serverEnd) {
        // As with sockets: a peer's abort must not crash the process through an unhandled 'error'.
        serverEnd.on('error', ignore);
        this.#queue.push(serverEnd);
    }
    async accept() {
        const end = await this.#queue.take();
        if (end === null)
            return null;
        const features = new FeatureCollection();
        features.set(TransportFeature, { name: 'memory' });
        return new ConnectionContext({
            transport: end,
            localEndpoint: this.endpoint,
            remoteEndpoint: { kind: 'memory', name: end.remoteAddress },
            features,
        });
    }
    async unbind() {
        if (this.#queue.closed)
            return;
        this.#queue.close();
        this.#onUnbind();
    }
    dispose() {
        return this.unbind();
    }
}
function ignore() { }
//# sourceMappingURL=memory-listener.js.map