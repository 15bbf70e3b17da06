import { Agent, fetch as undiciFetch, type RequestInit, type Response } from 'undici';
import type { ServerOptions } from '../di/index.js';
import type { HttpOptions } from '../protocols/http/index.js';
import { MemoryTransport, type MemoryDuplex } from '../transports/index.js';
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
export class TestServer {
  /** The origin requests are addressed to; the host is only a label (no DNS, no socket). */
  readonly origin = 'http://tiercel.test';
  readonly dispatcher: Agent;

  private constructor(
    readonly server: Server,
    readonly name: string,
  ) {
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
          process.nextTick(callback, null, socket as never);
        } catch (err) {
          process.nextTick(callback, err as Error, null);
        }
      },
    });
  }

  static async start(app: HttpApplicationSource, options: TestServerOptions = {}): Promise<TestServer> {
    const name = options.name ?? 'test';
    const server = new Server({ logLevel: 'warn', ...options.server });
    server.useHttp(app, options.http);
    server.listen(`http://memory:${name}`);
    await server.start();
    return new TestServer(server, name);
  }

  /** `fetch` against the app: `path` is '/x?y' (or a full URL whose host is ignored). */
  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const url = path.startsWith('http://') || path.startsWith('https://') ? path : this.origin + path;
    return undiciFetch(url, { ...init, dispatcher: this.dispatcher });
  }

  /**
   * A raw client connection (the client end of an in-memory duplex) for byte-level tests. It closes
   * as a socket does: `end()` is a FIN, `destroy()` too unless input is unread, `resetAndDestroy()`
   * a reset (the server sees the client go away).
   */
  connect(): MemoryDuplex {
    return this.server.getTransport(MemoryTransport).connect(this.name);
  }

  async stop(timeoutMs = 1_000): Promise<void> {
    await this.dispatcher.close().catch(() => undefined);
    await this.server.stop(timeoutMs);
  }
}
