import { connect } from 'node:net';
/** A real `net.connect` client, half-open like the server side; resolves once connected. */
export function connectSocket(options) {
    return new Promise((resolve, reject) => {
        const socket = connect({ ...options, allowHalfOpen: true });
        socket.once('connect', () => {
            socket.off('error', reject);
            resolve(socket);
        });
        socket.once('error', reject);
    });
}
/** Connects to a bound TCP endpoint; the wildcards are reached through 127.0.0.1. */
export function connectTcp(endpoint, host) {
    const { host: bound, port } = endpoint;
    return connectSocket({ host: host ?? (bound === '*' || bound === 'localhost' ? '127.0.0.1' : bound), port });
}
export function connectPipe(endpoint) {
    return connectSocket({ path: endpoint.path });
}
//# sourceMappingURL=socket-client.js.map