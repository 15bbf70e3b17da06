/**
 * Where a listener binds or a connection comes from: a tagged union on `kind`.
 * Custom transports may introduce their own kinds; the built-in ones are below.
 */
export type Endpoint = TcpEndpoint | PipeEndpoint | MemoryEndpoint | CustomEndpoint;
/**
 * An IP endpoint. `host` is an IP literal (`127.0.0.1`, `::1`), or one of two wildcards:
 * `'*'` (every address; dual-stack IPv6 where the OS has it, as Kestrel's `ListenAnyIP`) and
 * `'localhost'` (both loopbacks, 127.0.0.1 and ::1, as Kestrel's `ListenLocalhost`).
 * `port` 0 asks the OS for a free port; the listener's endpoint has the real one.
 */
export interface TcpEndpoint {
    readonly kind: 'tcp';
    readonly host: string;
    readonly port: number;
}
/** A unix domain socket path (POSIX) or a Windows named pipe path (`\\.\pipe\name`). */
export interface PipeEndpoint {
    readonly kind: 'pipe';
    readonly path: string;
}
/** An in-process endpoint served by the in-memory transport, addressed by name. */
export interface MemoryEndpoint {
    readonly kind: 'memory';
    readonly name: string;
}
/** Any endpoint kind a user's transport understands. */
export interface CustomEndpoint {
    readonly kind: string & {};
    readonly [key: string]: unknown;
}
export type Scheme = 'http' | 'https';
export interface ParsedUrl {
    readonly scheme: Scheme;
    readonly endpoint: Endpoint;
}
/**
 * Reads a listen URL (the forms Kestrel's `--urls` takes, plus tiercel's `memory:`):
 * `http://127.0.0.1:5000`, `http://[::1]:0`, `http://localhost:5000`, `http://*:5000`,
 * `http://+:5000`, `http://unix:/abs/path.sock`, `http://pipe:/name`, `http://memory:name`,
 * and the same with `https://`.
 */
export declare function parseUrl(input: string): ParsedUrl;
/** `parseUrl(url).endpoint`: the address part of a listen URL. */
export declare function parseEndpoint(input: string): Endpoint;
/** A short human form: `127.0.0.1:5000`, `[::1]:5000`, `unix:/run/app.sock`, `memory:name`. */
export declare function formatEndpoint(endpoint: Endpoint): string;
/** The URL form of an endpoint, as the server prints it at startup. */
export declare function formatUrl(endpoint: Endpoint, scheme?: Scheme): string;
export declare function isWindowsPipePath(path: string): boolean;
