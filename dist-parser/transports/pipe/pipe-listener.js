import { chmodSync } from 'node:fs';
import { formatEndpoint, isWindowsPipePath } from '../../connection/index.js';
import { SocketListener, bindFailure } from '../socket-listener.js';
import { checkPathLength, fileIdentity, removeOwnSocket, removeStaleSocket } from './unix-socket-file.js';
/** The peer of a unix socket or named pipe has no address of its own. */
const UNNAMED_PEER = { kind: 'pipe', path: '' };
/** A bound unix domain socket (POSIX) or named pipe (Windows). */
export class PipeListener extends SocketListener {
    #endpoint;
    /** The socket file this listener created; unbind removes it only if it is still that file. */
    #socketFile;
    constructor(endpoint, options) {
        super({ noDelay: false, highWaterMark: Math.min(options.maxReadBufferSize, options.maxWriteBufferSize) });
        this.#endpoint = { kind: 'pipe', path: endpoint.path };
    }
    /** Binds `endpoint`; on failure nothing stays bound and no file is left behind. */
    static open(endpoint, options) {
        const listener = new PipeListener(endpoint, options);
        return listener.bindOrDispose(() => listener.#bind(options));
    }
    get endpoint() {
        return this.#endpoint;
    }
    get transportName() {
        return 'pipe';
    }
    endpointsOf() {
        return { local: this.#endpoint, remote: UNNAMED_PEER };
    }
    async afterUnbind() {
        // libuv unlinks the file when the server closes; this covers a server that never got there.
        if (this.#socketFile)
            await removeOwnSocket(this.#endpoint.path, this.#socketFile);
    }
    async #bind(options) {
        const { path } = this.#endpoint;
        const described = formatEndpoint(this.#endpoint);
        if (isWindowsPipePath(path)) {
            await this.listen({ path, backlog: options.backlog }, described);
            return;
        }
        checkPathLength(path);
        await removeStaleSocket(path, described);
        await this.listen({ path, backlog: options.backlog }, described);
        this.#socketFile = fileIdentity(path);
        // Synchronous on purpose: this runs in the microtasks after the 'listening' callback, before
        // the event loop can dispatch a connection. (The kernel may complete a connect in the moment
        // between bind and chmod; the file then has the umask's mode, which with the usual 022 grants
        // nobody else the write permission connect needs.)
        try {
            chmodSync(path, options.mode);
        }
        catch (err) {
            throw bindFailure(err, described);
        }
    }
}
//# sourceMappingURL=pipe-listener.js.map