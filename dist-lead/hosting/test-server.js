import { Agent, fetch as undiciFetch } from 'undici';
import { MemoryTransport } from '../transports/index.js';
import { Server } from './server.js';
/**
 * An app served on an in-memory endpoint, with a real HTTP client (undici) whose connections are
 * the in-memory transport's client ends. Every request goes through the same parser, limits and
 * pipeline as over TCP, with no port and no socket.
 */
export class TestServer {
    server;
    name;
    /** The origin requests are addressed to; the host is only a label (no DNS, no socket). */
    origin = 'http://tiercel.test';
    dispatcher;
    constructor(server, name) {
        this.server = server;
        this.name = name;
        const memory = server.getTransport(MemoryTransport);
        this.dispatcher = new Agent({
            // A bounded pool: undici checks an idle keep-alive socket for one event-loop turn before it
            // reuses it, and an unbounded pool opens a new connection for every request made meanwhile
            // (sequential awaits in a test would open one connection per request and keep them all).
            connections: 8,
            connect: (_options, callback) => {
                // undici stalls if `connect` calls back synchronously: always call back on a later tick.
                try {
                    const socket = memory.connect(name);
                    process.nextTick(callback, null, socket);
                }
                catch (err) {
                    process.nextTick(callback, err, null);
                }
            },
        });
    }
    static async start(app, options = {}) {
        const name = options.name ?? 'test';
        const server = new Server({ logLevel: 'warn', ...options.server });
        server.useHttp(app, options.http);
        server.listen(`http://memory:${name}`);
        await server.start();
        return new TestServer(server, name);
    }
    /** `fetch` against the app: `path` is '/x?y' (or a full URL whose host is ignored). */
    fetch(path, init = {}) {
        const url = path.startsWith('http://') || path.startsWith('https://') ? path : this.origin + path;
        return undiciFetch(url, { ...init, dispatcher: this.dispatcher });
    }
    /** A raw client connection (the client end of an in-memory duplex) for byte-level tests. */
    connect() {
        return this.server.getTransport(MemoryTransport).connect(this.name);
    }
    async stop(timeoutMs = 1_000) {
        await this.dispatcher.close().catch(() => undefined);
        await this.server.stop(timeoutMs);
    }
}
//# sourceMappingURL=test-server.js.map