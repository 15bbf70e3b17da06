import { connectionQueueChannel, ServerStateError, type ConnectionQueueMessage, type Endpoint } from '../connection/index.js';

/**
 * Connections a transport has taken from the OS (or from an in-memory client) that `accept()`
 * has not handed out yet, and the `accept()` calls waiting for one.
 *
 * A connection can die while it waits here (the peer resets it before the server gets to it).
 * That must not end the accept loop, so `take` skips what `isAlive` rejects, releasing it with
 * `discard`, and only closing the queue makes `take` resolve null.
 *
 * Given its listener's endpoint, the queue publishes its depth on `tiercel:connection.queue` each
 * time it changes (`tiercel.queued_connections`), while someone listens: one message object per
 * queue, nothing made per connection. A connection handed straight to a waiting `take` never
 * waited, so it is not counted.
 */
export class AcceptQueue<T> {
  // An array with a moving head: shift() is O(n) and a burst of 1,000 connects would be O(n²).
  #items: (T | undefined)[] = [];
  #head = 0;
  /**
   * The first waiting `take` (an accept loop has one), then the ones after it: one array shifted to
   * empty and pushed again per connection made V8 allocate it a new store each time (~90 bytes).
   */
  #waiter: ((item: T | null) => void) | undefined = undefined;
  readonly #waiters: ((item: T | null) => void)[] = [];
  /** Set by `takeEach`: every item goes to it as it comes, and null once the queue closes. */
  #sink: ((item: T | null) => void) | undefined = undefined;
  #closed = false;
  #message: ConnectionQueueMessage | undefined;

  /** `endpoint` (read at the first publish: a socket listener knows its port once bound) names the queue's listener. */
  constructor(
    private readonly isAlive: (item: T) => boolean,
    private readonly discard: (item: T) => void,
    private readonly endpoint?: () => Endpoint,
  ) {}

  get closed(): boolean {
    return this.#closed;
  }

  /** Connections waiting to be accepted (dead ones included until `take` reaches them). */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Offers a new connection: to a waiting `take` if there is one, else to the queue. */
  push(item: T): void {
    if (this.#closed) {
      this.discard(item);
      return;
    }
    const sink = this.#sink;
    if (sink !== undefined) {
      sink(item);
      return;
    }
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = this.#waiters.shift();
      waiter(item);
    } else {
      this.#items.push(item);
      if (connectionQueueChannel.hasSubscribers) this.#publish();
    }
  }

  /** The next live connection, or null once the queue is closed. */
  take(): Promise<T | null> {
    while (this.size > 0) {
      const item = this.#shift();
      if (this.isAlive(item)) return Promise.resolve(item);
      this.discard(item);
    }
    if (this.#closed) return Promise.resolve(null);
    return new Promise(this.#wait);
  }

  /**
   * Hands every live item to `sink` as it comes, the queued ones first (now), and null once the
   * queue is closed: `take` without the promise, and the accept loop's await, per connection
   * (~300 bytes each). For one consumer: `take` is not called once a sink is set.
   */
  takeEach(sink: (item: T | null) => void): void {
    if (this.#sink !== undefined || this.#waiter !== undefined) throw new ServerStateError('acceptEach(): the listener already has a consumer');
    this.#sink = sink;
    while (this.size > 0) {
      const item = this.#shift();
      if (this.isAlive(item)) sink(item);
      else this.discard(item);
    }
    if (this.#closed) sink(null);
  }

  // One executor for every waiting `take`: an arrow made per call was a closure and its context.
  readonly #wait = (resolve: (item: T | null) => void): void => {
    if (this.#waiter === undefined) this.#waiter = resolve;
    else this.#waiters.push(resolve);
  };

  /** Ends the queue: waiting and later `take` calls get null; queued connections are discarded. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sink?.(null);
    const first = this.#waiter;
    this.#waiter = undefined;
    first?.(null);
    for (const waiter of this.#waiters.splice(0)) waiter(null);
    while (this.size > 0) this.discard(this.#shift());
  }

  /** Removes the oldest item; the caller has checked `size > 0`. */
  #shift(): T {
    const item = this.#items[this.#head] as T;
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    }
    if (connectionQueueChannel.hasSubscribers) this.#publish();
    return item;
  }

  #publish(): void {
    if (this.endpoint === undefined) return;
    const message = (this.#message ??= { endpoint: this.endpoint(), depth: 0 });
    message.depth = this.size;
    connectionQueueChannel.publish(message);
  }
}
