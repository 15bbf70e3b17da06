import type { WebSocket } from 'ws';
import { WebSocketBufferFullError } from './web-socket-errors.js';
import { ws } from './ws-bridge.js';

const POLICY_VIOLATION = 1008;
const REASON = 'Send buffer full';

type Callback = (err?: Error) => void;

/** What a bounded socket adds to ws's `WebSocket`. */
export interface BoundedWebSocket extends WebSocket {
  /**
   * Told of an app listener that threw (or whose promise rejected). ws emits the app's events from
   * inside its socket and receiver callbacks, where a throw would be an uncaught exception and end
   * the process; with this set, each listener is called on its own and the next still runs.
   * Called with the socket as `this`, so that one function can serve every socket.
   */
  onListenerError: ((this: BoundedWebSocket, event: string | symbol, err: unknown) => void) | undefined;
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
    onListenerError: ((this: BoundedWebSocket, event: string | symbol, err: unknown) => void) | undefined;

    constructor(options: BoundedWebSocketOptions, maxBufferedAmount: number) {
      super(null as never, undefined, options as never);
      this.#max = maxBufferedAmount;
    }

    override emit(event: string | symbol, ...args: unknown[]): boolean {
      const report = this.onListenerError;
      if (report === undefined) return super.emit(event, ...args);
      const listeners = this.rawListeners(event);
      if (listeners.length === 0) return event === 'error' ? super.emit(event, ...args) : false;
      for (const listener of listeners) {
        try {
          // Once-listeners are wrapped: calling the wrapper removes them, as EventEmitter does.
          const result: unknown = listener.apply(this, args);
          if (result !== undefined && result !== null && typeof (result as Promise<unknown>).then === 'function') {
            (result as Promise<unknown>).then(undefined, (err: unknown) => report.call(this, event, err));
          }
        } catch (err) {
          report.call(this, event, err);
        }
      }
      return true;
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
