import type { WebSocket } from 'ws';
import type { ConnectionContext } from '../../connection/index.js';
import { WebSocketBufferFullError } from './web-socket-errors.js';
import { ws } from './ws-bridge.js';

const POLICY_VIOLATION = 1008;
const REASON = 'Send buffer full';

type Callback = (err?: Error) => void;

/**
 * Who a bounded socket reports to (the request pipeline's WebSocket host): told of the socket's
 * own events before the app's listeners run. One object serves every socket, so an open socket
 * keeps no listener functions of its host's, and an app's `removeAllListeners()` cannot detach it.
 */
export interface WebSocketObserver {
  /**
   * An app listener threw (or its promise rejected). ws emits the app's events from inside its
   * socket and receiver callbacks, where a throw would be an uncaught exception and end the
   * process; instead each listener is called on its own, the next still runs, and this is told.
   */
  listenerError(socket: BoundedWebSocket, event: string | symbol, err: unknown): void;
  /** The peer answered a ping. */
  pong(socket: BoundedWebSocket): void;
  /** The socket closed ('close'). */
  closed(socket: BoundedWebSocket): void;
  /** The socket failed ('error'): reported here, so an 'error' with no app listener throws nothing. */
  error(socket: BoundedWebSocket, err: unknown): void;
  /** The socket's connection was asked to close (the socket is its `LifetimeFeature` listener). */
  closeRequested(socket: BoundedWebSocket): void;
}

/**
 * What a bounded socket adds to ws's `WebSocket`. What its observer keeps of it is on the socket
 * itself: an object of its own (and the entry in a side table before that) was ~50 bytes each
 * open socket kept.
 */
export interface BoundedWebSocket extends WebSocket {
  /** Told of the socket's events (see `WebSocketObserver`); until it is set, ws's `emit` runs unchanged. */
  observer: WebSocketObserver | undefined;
  /** The connection the socket runs on, set with the observer (for its logs and its close requests). */
  observedConnection: ConnectionContext | undefined;
  /** Answered the last keep-alive ping (true until the observer's first ping). */
  answeredPing: boolean;
  /** Tells the observer (`closeRequested`): the socket registers itself with its connection's lifetime. */
  handleCloseRequest(): void;
}

/** ws's constructor options a server-side socket reads. */
export interface BoundedWebSocketOptions {
  readonly autoPong: boolean;
  readonly maxPendingAutoPongs: number;
  readonly closeTimeout: number;
}

type BoundedWebSocketClass = new (options: BoundedWebSocketOptions, maxBufferedAmount: number) => BoundedWebSocket;
let Bounded: BoundedWebSocketClass | undefined;

/** A new server-side socket, not yet set on a stream (see `openSocket`). */
export function createBoundedWebSocket(options: BoundedWebSocketOptions, maxBufferedAmount: number): BoundedWebSocket {
  return new (Bounded ??= defineBounded(ws().WebSocket))(options, maxBufferedAmount);
}

function emitRefusal(ws: WebSocket, err: WebSocketBufferFullError, cb: Callback | undefined): void {
  if (cb !== undefined) cb(err);
  ws.emit('error', err);
}

/**
 * The ws `WebSocket` every tiercel socket is (ws's `WebSocket` server option): `send`, `ping` and
 * `pong` first check what is already queued for the peer against `maxBufferedAmount`. Every way
 * out goes through them: the app's sends (and `createWebSocketStream`, which calls `send`), the
 * keep-alive ping and ws's automatic pong; only ws's close frame does not, so it can still go out.
 * The check is ws's `bufferedAmount` getter, two field reads, before the message is framed.
 */
function defineBounded(Base: typeof WebSocket): BoundedWebSocketClass {
  const OPEN = Base.OPEN;
  // Defined when ws is first loaded: the class extends ws's, which an app without WebSockets never loads.
  return class extends Base implements BoundedWebSocket {
    readonly #max: number;
    observer: WebSocketObserver | undefined = undefined;
    observedConnection: ConnectionContext | undefined = undefined;
    answeredPing = true;

    constructor(options: BoundedWebSocketOptions, maxBufferedAmount: number) {
      super(null as never, undefined, options as never);
      this.#max = maxBufferedAmount;
    }

    /**
     * The observer first, then each app listener on its own (see `WebSocketObserver.listenerError`).
     * On the path of every message: no rest array or `apply` for ws's events, which carry at most
     * two arguments.
     */
    override emit(event: string | symbol, a?: unknown, b?: unknown): boolean {
      const observer = this.observer;
      const argc = arguments.length - 1;
      // `apply` with `arguments` as they are: V8 forwards them without making an arguments object,
      // where a slice of it made one on every message (~75 bytes).
      // eslint-disable-next-line prefer-rest-params
      if (observer === undefined || argc > 2) return super.emit.apply(this, arguments as unknown as [string | symbol, ...unknown[]]);
      if (event !== 'message') {
        if (event === 'pong') observer.pong(this);
        else if (event === 'close') observer.closed(this);
        else if (event === 'error') observer.error(this, a);
      }
      const listeners = this.rawListeners(event);
      const n = listeners.length;
      for (let i = 0; i < n; i++) {
        try {
          // Once-listeners are wrapped: calling the wrapper removes them, as EventEmitter does.
          const listener = listeners[i];
          const result: unknown = argc === 2 ? listener.call(this, a, b) : argc === 1 ? listener.call(this, a) : listener.call(this);
          if (result !== undefined && result !== null && typeof (result as Promise<unknown>).then === 'function') {
            (result as Promise<unknown>).then(undefined, (err: unknown) => observer.listenerError(this, event, err));
          }
        } catch (err) {
          observer.listenerError(this, event, err);
        }
      }
      return n > 0;
    }

    handleCloseRequest(): void {
      this.observer?.closeRequested(this);
    }

    override send(data: unknown, options?: unknown, cb?: unknown): void {
      if (this.bufferedAmount > this.#max && this.readyState === OPEN) return this.#refuse(options, cb);
      super.send(data as never, options as never, cb as never);
    }

    override ping(data?: unknown, mask?: unknown, cb?: unknown): void {
      if (this.bufferedAmount > this.#max && this.readyState === OPEN) return this.#refuse(data, mask, cb);
      super.ping(data, mask as never, cb as never);
    }

    override pong(data?: unknown, mask?: unknown, cb?: unknown): void {
      if (this.bufferedAmount > this.#max && this.readyState === OPEN) return this.#refuse(data, mask, cb);
      super.pong(data, mask as never, cb as never);
    }

    /**
     * Drops the message and closes with 1008. The close frame queues behind the backlog; once closing,
     * ws queues nothing more (sends get an error, pings are not answered), so the backlog can only
     * shrink, and ws's close timer (`closeTimeoutMs`) destroys the transport of a peer that never reads.
     */
    #refuse(...args: unknown[]): void {
      const err = new WebSocketBufferFullError(this.bufferedAmount, this.#max);
      this.close(POLICY_VIOLATION, REASON);
      // The callback is the last function given, as ws reads it (`send(data, cb)`, `ping(cb)`, ...).
      let cb: Callback | undefined;
      for (let i = args.length - 1; i >= 0 && cb === undefined; i--) if (typeof args[i] === 'function') cb = args[i] as Callback;
      // Not from inside the app's send(): its listeners would run re-entrantly.
      process.nextTick(emitRefusal, this, err, cb);
    }
  };
}
