import type { Logger } from '../../connection/index.js';
import { TestServer, type TestServerOptions } from '../../hosting/test-server.js';
import type { ApplicationBuilder } from '../../pipeline/index.js';
import type { HttpApplication } from '../../protocols/http/index.js';
/** Starts `app` on a TestServer, runs `fn`, and always stops the server. */
export declare function serve(app: ApplicationBuilder | HttpApplication, fn: (server: TestServer) => Promise<void>, options?: TestServerOptions): Promise<void>;
/**
 * Sends raw request bytes on a fresh connection and resolves with everything the server sent
 * before it closed (the request should carry `connection: close`). For targets fetch() would
 * normalise away (`/a/../b`, absolute-form, `*`).
 */
export declare function rawExchange(server: TestServer, request: string): Promise<string>;
/** The body of a raw HTTP/1.1 response with a content-length. */
export declare function rawBody(response: string): string;
export interface LogEntry {
    level: string;
    message: string;
    fields?: Record<string, unknown>;
}
/** A logger that remembers what it was told. */
export declare class MemoryLogger implements Logger {
    readonly entries: LogEntry[];
    debug(message: string, fields?: Record<string, unknown>): void;
    info(message: string, fields?: Record<string, unknown>): void;
    warn(message: string, fields?: Record<string, unknown>): void;
    error(message: string, fields?: Record<string, unknown>): void;
    errors(): LogEntry[];
}
