import { lstatSync } from 'node:fs';
import { lstat, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { AddressInUseError, BindError, EndpointPathTooLongError } from '../../connection/index.js';
import { bindFailure, errorCode } from '../socket-listener.js';
/**
 * The longest unix socket path, in bytes, without the terminating NUL: `sun_path` is 108 bytes on
 * Linux and 104 on macOS and the BSDs. Node does not refuse a longer path: it truncates it and
 * binds a different file, so the check is ours.
 */
export const MAX_UNIX_SOCKET_PATH_BYTES = process.platform === 'linux' || process.platform === 'android' ? 107 : 103;
export function checkPathLength(path) {
    if (Buffer.byteLength(path) > MAX_UNIX_SOCKET_PATH_BYTES)
        throw new EndpointPathTooLongError(path, MAX_UNIX_SOCKET_PATH_BYTES);
}
/**
 * Makes way for a bind at `path`. A socket file left by a process that died (nobody accepts on
 * it: ECONNREFUSED) is removed; a live one is `AddressInUseError`; a file that is not a socket is
 * somebody's data and is never deleted.
 */
export async function removeStaleSocket(path, described) {
    let stats;
    try {
        stats = await lstat(path);
    }
    catch (err) {
        if (errorCode(err) === 'ENOENT')
            return;
        throw bindFailure(err, described);
    }
    if (!stats.isSocket()) {
        throw new BindError(described, 'the path exists and is not a socket; it was left in place (remove it or choose another path)');
    }
    const probe = await probeSocket(path);
    if (probe === 'live')
        throw new AddressInUseError(described);
    if (probe !== 'stale')
        throw bindFailure(probe, described);
    try {
        await unlink(path);
    }
    catch (err) {
        // Another process cleaning the same stale file got there first; the bind decides who wins.
        if (errorCode(err) !== 'ENOENT')
            throw bindFailure(err, described);
    }
}
/** How long a probe that found a live listener waits for it to close its side. */
const PROBE_LINGER_MS = 1_000;
/** Whether a listener answers at `path`: 'live', 'stale', or the error that says neither. */
function probeSocket(path) {
    return new Promise((resolve) => {
        const socket = connect({ path });
        socket.once('connect', () => {
            // Leave politely: a destroy with the server's greeting unread would reset its connection.
            socket.resume();
            socket.end();
            setTimeout(() => socket.destroy(), PROBE_LINGER_MS).unref();
            resolve('live');
        });
        socket.once('error', (err) => {
            socket.destroy();
            const code = errorCode(err);
            if (code === 'ECONNREFUSED' || code === 'ENOENT')
                resolve('stale');
            // EAGAIN: the listener's backlog is full, so somebody is there.
            else if (code === 'EAGAIN')
                resolve('live');
            else
                resolve(err);
        });
    });
}
/** The identity of the file at `path`, so unbind removes our socket and not a successor's. */
export function fileIdentity(path) {
    try {
        const { dev, ino } = lstatSync(path);
        return { dev, ino };
    }
    catch {
        return undefined;
    }
}
/** Removes the socket file at `path` if it is still the one `identity` names. */
export async function removeOwnSocket(path, identity) {
    const now = fileIdentity(path);
    if (now === undefined || now.dev !== identity.dev || now.ino !== identity.ino)
        return;
    await unlink(path).catch(() => { });
}
//# sourceMappingURL=unix-socket-file.js.map