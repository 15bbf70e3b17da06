import { formatEndpoint } from '../../connection/index.js';
import { SocketListener, errorCode } from '../socket-listener.js';
/** Codes a bind to an IPv6 address gets on a machine (or container) without IPv6. */
const NO_IPV6 = new Set(['EAFNOSUPPORT', 'EADDRNOTAVAIL', 'EPROTONOSUPPORT']);
/**
 * With `localhost:0`, the port the OS picks for 127.0.0.1 may be taken on ::1; the bind starts
 * again with a new port this many times before it gives up.
 */
const LOCALHOST_ATTEMPTS = 5;
/** A bound TCP endpoint: one server, or two for `localhost` (127.0.0.1 and ::1 on one port). */
export class TcpListener extends SocketListener {
    #endpoint;
    constructor(requested, options) {
        super({ noDelay: options.noDelay, highWaterMark: Math.min(options.maxReadBufferSize, options.maxWriteBufferSize) });
        this.#endpoint = requested;
    }
    /** Binds `endpoint`; on failure nothing stays bound. */
    static open(endpoint, options) {
        const listener = new TcpListener(endpoint, options);
        return listener.bindOrDispose(async () => {
            const port = await listener.#bind(endpoint, options.backlog);
            listener.#endpoint = { kind: 'tcp', host: endpoint.host, port };
        });
    }
    get endpoint() {
        return this.#endpoint;
    }
    get transportName() {
        return 'tcp';
    }
    endpointsOf(socket) {
        return {
            local: { kind: 'tcp', host: unmapIPv4(socket.localAddress), port: socket.localPort ?? 0 },
            remote: { kind: 'tcp', host: unmapIPv4(socket.remoteAddress), port: socket.remotePort ?? 0 },
        };
    }
    /** Binds every address the endpoint stands for; resolves with the port bound. */
    async #bind(endpoint, backlog) {
        const described = formatEndpoint(endpoint);
        const at = (host, port, ipv6Only) => this.listen({ host, port, backlog, ipv6Only }, described);
        if (endpoint.host === '*') {
            try {
                // One dual-stack socket serves IPv4 (as ::ffff:a.b.c.d) and IPv6, as Kestrel's ListenAnyIP.
                return portOf(await at('::', endpoint.port, false));
            }
            catch (err) {
                if (!NO_IPV6.has(errorCode(err) ?? ''))
                    throw err;
                return portOf(await at('0.0.0.0', endpoint.port));
            }
        }
        if (endpoint.host !== 'localhost')
            return portOf(await at(endpoint.host, endpoint.port));
        for (let attempt = 1;; attempt++) {
            const v4 = await at('127.0.0.1', endpoint.port);
            const port = portOf(v4);
            try {
                await at('::1', port);
                return port;
            }
            catch (err) {
                const code = errorCode(err);
                if (NO_IPV6.has(code ?? ''))
                    return port;
                if (code !== 'EADDRINUSE' || endpoint.port !== 0 || attempt === LOCALHOST_ATTEMPTS)
                    throw err;
                await this.closeServer(v4);
            }
        }
    }
}
function portOf(server) {
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
}
/** A dual-stack socket reports IPv4 peers as `::ffff:a.b.c.d`; endpoints carry the IPv4 form. */
function unmapIPv4(address) {
    if (address === undefined)
        return '';
    return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
//# sourceMappingURL=tcp-listener.js.map