import type { ConnectionContext } from '../connection/index.js';

/** A set of open connections that can be waited on until it is empty (the server's, an endpoint's). */
export class LiveConnections implements Iterable<ConnectionContext> {
  readonly #set = new Set<ConnectionContext>();
  #waiters: (() => void)[] = [];

  get size(): number {
    return this.#set.size;
  }

  add(ctx: ConnectionContext): void {
    this.#set.add(ctx);
  }

  delete(ctx: ConnectionContext): void {
    if (!this.#set.delete(ctx) || this.#set.size > 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  [Symbol.iterator](): Iterator<ConnectionContext> {
    return this.#set.values();
  }

  /** Resolves true once empty, or false after `timeoutMs` if it is not by then (no timer without one). */
  whenEmpty(timeoutMs?: number): Promise<boolean> {
    if (this.#set.size === 0) return Promise.resolve(true);
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
}
