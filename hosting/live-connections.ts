import type { ConnectionContext } from '../connection/index.js';

/** Something that counts down to empty and can be waited on until it is. */
abstract class Emptying {
  #waiters: (() => void)[] = [];

  abstract get size(): number;

  /** Resolves true once empty, or false after `timeoutMs` if it is not by then (no timer without one). */
  whenEmpty(timeoutMs?: number): Promise<boolean> {
    if (this.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#waiters.push(done);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== done);
          resolve(false);
        }, timeoutMs);
      }
    });
  }

  /** Called when the size has just become 0. */
  protected emptied(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

/**
 * An endpoint's open connections, that can be waited on until there are none. Counted in its
 * server's `AllLiveConnections` too, without a second set entry per connection there.
 */
export class LiveConnections extends Emptying implements Iterable<ConnectionContext> {
  readonly #set = new Set<ConnectionContext>();
  readonly #all: AllLiveConnections | undefined;

  constructor(all?: AllLiveConnections) {
    super();
    this.#all = all;
  }

  get size(): number {
    return this.#set.size;
  }

  add(ctx: ConnectionContext): void {
    if (this.#set.has(ctx)) return;
    this.#set.add(ctx);
    this.#all?.counted(1);
  }

  delete(ctx: ConnectionContext): void {
    if (!this.#set.delete(ctx)) return;
    this.#all?.counted(-1);
    if (this.#set.size === 0) this.emptied();
  }

  [Symbol.iterator](): Iterator<ConnectionContext> {
    return this.#set.values();
  }
}

/**
 * A server's open connections: those of its endpoints' `LiveConnections` (`part()`), counted and
 * walked through them. One set entry per open connection, where a set of the server's beside the
 * endpoint's kept two.
 */
export class AllLiveConnections extends Emptying implements Iterable<ConnectionContext> {
  readonly #parts = new Set<LiveConnections>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** A new endpoint's connections, counted here. */
  part(): LiveConnections {
    const part = new LiveConnections(this);
    this.#parts.add(part);
    return part;
  }

  /** Stops walking `part` (a removed endpoint, once it has no connection left). */
  forget(part: LiveConnections): void {
    if (part.size === 0) this.#parts.delete(part);
  }

  /** `part`'s size changed by `delta`. */
  counted(delta: number): void {
    this.#size += delta;
    if (this.#size === 0) this.emptied();
  }

  *[Symbol.iterator](): Iterator<ConnectionContext> {
    for (const part of this.#parts) yield* part;
  }
}
