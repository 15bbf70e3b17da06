import { TestServer } from '../../hosting/test-server.js';
/** Starts `app` on a TestServer, runs `fn`, and always stops the server. */
export async function serve(app, fn, options) {
    const server = await TestServer.start(app, options);
    try {
        await fn(server);
    }
    finally {
        await server.stop();
    }
}
/**
 * Sends raw request bytes on a fresh connection and resolves with everything the server sent
 * before it closed (the request should carry `connection: close`). For targets fetch() would
 * normalise away (`/a/../b`, absolute-form, `*`).
 */
export function rawExchange(server, request) {
    return new Promise((resolve, reject) => {
        const socket = server.connect();
        const chunks = [];
        socket.on('data', (c) => chunks.push(c));
        socket.on('error', reject);
        socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
        socket.on('end', () => socket.end());
        socket.write(request);
    });
}
/** The body of a raw HTTP/1.1 response with a content-length. */
export function rawBody(response) {
    return response.slice(response.indexOf('\r\n\r\n') + 4);
}
/** A logger that remembers what it was told. */
export class MemoryLogger {
    entries = [];
    debug(message, fields) {
        this.entries.push({ level: 'debug', message, fields });
    }
    info(message, fields) {
        this.entries.push({ level: 'info', message, fields });
    }
    warn(message, fields) {
        this.entries.push({ level: 'warn', message, fields });
    }
    error(message, fields) {
        this.entries.push({ level: 'error', message, fields });
    }
    errors() {
        return this.entries.filter((e) => e.level === 'error');
    }
}
//# sourceMappingURL=support.js.map