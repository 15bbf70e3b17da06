/**
 * The longest unix socket path, in bytes, without the terminating NUL: `sun_path` is 108 bytes on
 * Linux and 104 on macOS and the BSDs. Node does not refuse a longer path: it truncates it and
 * binds a different file, so the check is ours.
 */
export declare const MAX_UNIX_SOCKET_PATH_BYTES: number;
export declare function checkPathLength(path: string): void;
/**
 * Makes way for a bind at `path`. A socket file left by a process that died (nobody accepts on
 * it: ECONNREFUSED) is removed; a live one is `AddressInUseError`; a file that is not a socket is
 * somebody's data and is never deleted.
 */
export declare function removeStaleSocket(path: string, described: string): Promise<void>;
/** The identity of the file at `path`, so unbind removes our socket and not a successor's. */
export declare function fileIdentity(path: string): {
    dev: number;
    ino: number;
} | undefined;
/** Removes the socket file at `path` if it is still the one `identity` names. */
export declare function removeOwnSocket(path: string, identity: {
    dev: number;
    ino: number;
}): Promise<void>;
