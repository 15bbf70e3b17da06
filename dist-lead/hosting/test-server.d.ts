import type { Duplex } from 'node:stream';
import { Agent, type RequestInit, type Response } from 'undici';
import type { ServerOptions } from '../di/index.js';
import type { HttpOptions } from '../protocols/http/index.js';
import { Server, type HttpApplicationSource } from './server.js';
export interface TestServerOptions {
    /** HTTP limits and Server header for the app. */
    http?: HttpOptions;
    /** Server options; `logLevel` defaults to 'warn' here to keep test output quiet. */
    server?: ServerOptions;
    /** The in-memory endpoint's name. Default 'test'. */
    name?: string;
}
/**
 * An app served on an in-memory endpoint, with a real HTTP client (undici) whose connections are
 * the in-memory transport's client ends. Every request goes through the same parser, limits and
 * pipeline as over TCP, with no port and no socket.
 */
export declare class TestServer {
    readonly server: Server;
    readonly name: string;
    /** The origin requests are addressed to; the host is only a label (no DNS, no socket). */
    readonly origin = "http://tiercel.test";
    readonly dispatcher: Agent;
    private constructor();
    static start(app: HttpApplicationSource, options?: TestServerOptions): Promise<TestServer>;
    /** `fetch` against the app: `path` is '/x?y' (or a full URL whose host is ignored). */
    fetch(path: string, init?: RequestInit): Promise<Response>;
    /** A raw client connection (the client end of an in-memory duplex) for byte-level tests. */
    connect(): Duplex;
    stop(timeoutMs?: number): Promise<void>;
}
