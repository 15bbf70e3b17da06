import type { Agent, RequestInit, Response } from 'undici';
import type { ServerOptions } from '../di/index.js';
import type { HttpOptions } from '../protocols/http/index.js';
import { MemoryTransport, type MemoryDuplex } from '../transports/index.js';
import { Server, type HttpApplicationSource } from './server.js';
import type { ClientOptions, WebSocket } from 'ws';
import { TEST_CLIENT_DEFAULTS, TestClient, type TestClientOptions, type TestRequest, type TestResponse } from './test-client.js';
import { TestWebSocketRefusedError } from './test-errors.js';

export interface TestServerOptions {
  /** HTTP limits and Server header for the app. */
  http?: HttpOptions;
  /** Server options; `logLevel` defaults to 'warn' here to keep test output quiet. */
  server?: ServerOptions;
  /** The in-memory endpoint's name. Default 'test'. */
  name?: string;
  /** Limits of `request()` and `webSocket()`: timeout, response sizes, idle connections (`TEST_CLIENT_DEFAULTS`). */
  client?: TestClientOptions;
}

// undici is loaded when the first TestServer starts, not when tiercel/hosting is imported: it
// costs ~100 ms to load, and a process that never makes a test client should not pay for it.
type Undici = typeof import('undici');
let undici: Undici | undefined;
async function loadUndici(): Promise<Undici> {
  return (undici ??= await import('undici'));
}
// ws too, when the first test WebSocket is made.
let WebSocketClass: typeof WebSocket | undefined;

/**
 * An app served on an in-memory endpoint, and clients whose connections are the in-memory
 * transport's client ends: `request()` (a lean HTTP/1.1 client, the fast path for tests),
 * `webSocket()` (a `ws` WebSocket), `fetch()` (undici, for WHATWG Responses) and `connect()` (raw
 * bytes). Every request goes through the same parser, limits and pipeline as over TCP, with no port
 * and no socket.
 */
export class TestServer {
  /** The origin requests are addressed to; the host is only a label (no DNS, no socket). */
  readonly origin = 'http://tiercel.test';
  readonly dispatcher: Agent;

  readonly #client: TestClient;
  readonly #handshakeTimeoutMs: number;

  private constructor(
    readonly server: Server,
    readonly name: string,
    client: TestClientOptions = {},
  ) {
    this.#client = new TestClient(() => server.getTransport(MemoryTransport).connect(name), client);
    this.#handshakeTimeoutMs = client.timeoutMs ?? TEST_CLIENT_DEFAULTS.timeoutMs;
    const memory = server.getTransport(MemoryTransport);
    this.dispatcher = new undici!.Agent({
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
    await loadUndici();
    const server = new Server({ logLevel: 'warn', ...options.server });
    server.useHttp(app, options.http);
    server.listen(`http://memory:${name}`);
    await server.start();
    return new TestServer(server, name, options.client);
  }

  /**
   * Sends one request and reads the whole response: `ts.request('/x')` or
   * `ts.request({ method: 'POST', path: '/api', json: { name: 'kestrel' } })`. The response's body
   * is already read (`text()`, `json()`, `bytes()` are synchronous). Keep-alive connections are
   * reused; errors are typed (`ERR_TIERCEL_TEST_TIMEOUT`, `ERR_TIERCEL_TEST_RESPONSE_TOO_LARGE`, …).
   */
  request(init: TestRequest | string = {}): Promise<TestResponse> {
    return this.#client.request(init);
  }

  /**
   * A `ws` WebSocket to `path` over the in-memory transport, resolved once open. A refused
   * handshake rejects with `TestWebSocketRefusedError` (its `status` and `body`); the handshake's
   * deadline is the client's `timeoutMs` unless `options.handshakeTimeout` says otherwise.
   */
  async webSocket(path: string, protocols?: string | string[], options: ClientOptions = {}): Promise<WebSocket> {
    const memory = this.server.getTransport(MemoryTransport);
    WebSocketClass ??= (await import('ws')).WebSocket;
    const ws = new WebSocketClass(`ws://tiercel.test${path}`, protocols, {
      handshakeTimeout: this.#handshakeTimeoutMs,
      ...options,
      // ws types this as net.createConnection; any Duplex serves.
      createConnection: (() => memory.connect(this.name)) as never,
    });
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      ws.once('error', onError);
      ws.once('open', () => {
        ws.off('error', onError);
        resolve(ws);
      });
      ws.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', onError);
        res.on('end', () => {
          reject(new TestWebSocketRefusedError(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
          ws.terminate(); // its own 'error' goes to onError, after the promise settled
        });
      });
    });
  }

  /** `fetch` against the app: `path` is '/x?y' (or a full URL whose host is ignored). */
  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const url = path.startsWith('http://') || path.startsWith('https://') ? path : this.origin + path;
    return undici!.fetch(url, { ...init, dispatcher: this.dispatcher });
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
    this.#client.close();
    await this.dispatcher.close().catch(() => undefined);
    await this.server.stop(timeoutMs);
  }
}
