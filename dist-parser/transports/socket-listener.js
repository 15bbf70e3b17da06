import { createServer } from 'node:net';
import { AddressInUseError, BindError, ConnectionContext, FeatureCollection, SocketFeature, TransportFeature, } from '../connection/index.js';
import { AcceptQueue } from './accept-queue.js';
/**
 * The part of the TCP and pipe listeners that is the same: one or more `net.Server`s feeding one
 * accept queue. A subclass binds its servers with `listen` and says how a socket becomes a
 * connection.
 */
export class SocketListener {
    #settings;
    #servers = new Set();
    #queue = new AcceptQueue((socket) => !socket.destroyed, (socket) => socket.destroy());
    #unbinding;
    constructor(settings) {
        this.#settings = settings;
    }
    /** Runs once the servers are closed (the pipe listener removes its socket file). */
    async afterUnbind() { }
    /**
     * Opens one more server feeding this listener. A failure closes nothing else: the caller decides
     * whether to retry, go on without it, or dispose. `described` names the endpoint in errors.
     */
    async listen(options, described) {
        const server = createServer({
            // Half-close is part of the contract: a peer's FIN ends our input, not our output.
            allowHalfOpen: true,
            noDelay: this.#settings.noDelay,
            highWaterMark: this.#settings.highWaterMark,
        });
        server.on('connection', (socket) => {
            // A reset is reported as 'error' then 'close'; without a listener the error would crash the
            // process. 'close' is what tells the connection's owner (and the queue) that it is gone.
            socket.on('error', ignore);
            this.#queue.push(socket);
        });
        await new Promise((resolve, reject) => {
            server.once('error', reject);
            server.listen(options, () => {
                server.off('error', reject);
                resolve();
            });
        }).catch((err) => {
            throw bindFailure(err, described);
        });
        // Accept failures (EMFILE, ENFILE) are reported on the server, which goes on listening;
        // the connection that could not be accepted stays in the kernel's backlog.
        server.on('error', ignore);
        this.#servers.add(server);
        return server;
    }
    /** Runs `bind` (the subclass's `listen` calls); if it fails, closes whatever it had opened. */
    async bindOrDispose(bind) {
        try {
            await bind();
            return this;
        }
        catch (err) {
            await this.dispose();
            throw err;
        }
    }
    /** Closes one server opened by `listen` (a half-done dual bind that has to start again). */
    closeServer(server) {
        this.#servers.delete(server);
        return stopListening(server);
    }
    accept() {
        return this.#queue.take().then((socket) => socket && this.#connection(socket));
    }
    unbind() {
        this.#unbinding ??= this.#close();
        return this.#unbinding;
    }
    dispose() {
        return this.unbind();
    }
    async #close() {
        this.#queue.close();
        await Promise.all([...this.#servers].map(stopListening));
        this.#servers.clear();
        await this.afterUnbind();
    }
    #connection(socket) {
        const { local, remote } = this.endpointsOf(socket);
        const features = new FeatureCollection();
        features.set(TransportFeature, { name: this.transportName });
        features.set(SocketFeature, { socket });
        return new ConnectionContext({ transport: socket, localEndpoint: local, remoteEndpoint: remote, features });
    }
}
/** A platform bind error as a domain error: EADDRINUSE is `AddressInUseError`, the rest `BindError`. */
export function bindFailure(err, described) {
    if (errorCode(err) === 'EADDRINUSE')
        return new AddressInUseError(described, { cause: err });
    const reason = err instanceof Error ? err.message : String(err);
    return new BindError(described, reason, { cause: err });
}
/** The errno code of a Node error, or of the platform error a domain error wraps. */
export function errorCode(err) {
    if (typeof err !== 'object' || err === null)
        return undefined;
    const code = err.code;
    if (typeof code === 'string' && !code.startsWith('ERR_TIERCEL_'))
        return code;
    return errorCode(err.cause);
}
/**
 * Stops a server listening. `server.close()` closes the listening handle at once but calls back
 * only when every accepted connection has ended, and accepted connections are not the listener's
 * to wait for; one turn of the event loop lets the handle's close (and libuv's unlink of a unix
 * socket file) complete.
 */
function stopListening(server) {
    server.close();
    return new Promise((resolve) => setImmediate(resolve));
}
function ignore() { }
//# sourceMappingURL=socket-listener.js.map