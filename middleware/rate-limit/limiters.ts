import type { LimiterOptions } from './rate-limit-options.js';

/**
 * One partition's state under one algorithm. `acquire` answers 0 when the request may go on,
 * else the milliseconds after which a retry could succeed; `atRest` is true once the state is what
 * a fresh partition would have (it can then be forgotten without changing any answer).
 */
export interface PartitionState {
  acquire(now: number): number;
  /** Concurrency only: the request that acquired finished. */
  release(): void;
  atRest(now: number): boolean;
}

export type StateFactory = (now: number) => PartitionState;

export function stateFactory(o: Readonly<LimiterOptions>): StateFactory {
  switch (o.kind) {
    case 'fixed-window':
      return (now) => new FixedWindow(o.permits, o.windowMs, now);
    case 'sliding-window':
      return (now) => new SlidingWindow(o.permits, o.windowMs, now);
    case 'token-bucket':
      return (now) => new TokenBucket(o.capacity, o.tokensPerPeriod / o.periodMs, now);
    case 'concurrency':
      return () => new Concurrency(o.permits);
  }
}

/** A window's limit and where the current window began (both window limiters). */
abstract class Window implements PartitionState {
  protected start: number;

  constructor(
    readonly permits: number,
    readonly windowMs: number,
    now: number,
  ) {
    this.start = now;
  }

  abstract acquire(now: number): number;

  release(): void {}

  abstract atRest(now: number): boolean;
}

class FixedWindow extends Window {
  #count = 0;

  acquire(now: number): number {
    if (now - this.start >= this.windowMs) {
      this.start = now;
      this.#count = 0;
    }
    if (this.#count < this.permits) {
      this.#count++;
      return 0;
    }
    return this.start + this.windowMs - now;
  }

  atRest(now: number): boolean {
    return now - this.start >= this.windowMs;
  }
}

class SlidingWindow extends Window {
  #current = 0;
  #previous = 0;

  acquire(now: number): number {
    const w = this.windowMs;
    const passed = Math.floor((now - this.start) / w);
    if (passed > 0) {
      this.#previous = passed === 1 ? this.#current : 0;
      this.#current = 0;
      this.start += passed * w;
    }
    const elapsed = now - this.start;
    const estimate = this.#previous * ((w - elapsed) / w) + this.#current;
    if (estimate + 1 <= this.permits) {
      this.#current++;
      return 0;
    }
    return this.#retryAfter(elapsed);
  }

  // When the estimate will first leave room for one more request.
  #retryAfter(elapsed: number): number {
    const w = this.windowMs;
    const room = this.permits - 1 - this.#current;
    if (room >= 0 && this.#previous > 0) {
      // previous × (w − t) / w ≤ room, for t within this window.
      return Math.max(1, Math.ceil(w - (room * w) / this.#previous - elapsed));
    }
    // Not within this window: in the next, this window's count is the previous one's.
    const later = this.#current > 0 ? w - ((this.permits - 1) * w) / this.#current : 0;
    return Math.max(1, Math.ceil(w - elapsed + Math.max(0, later)));
  }

  atRest(now: number): boolean {
    return now - this.start >= 2 * this.windowMs;
  }
}

class TokenBucket implements PartitionState {
  // Numbers from the start: declared bare, each field begins as undefined, V8 keeps it as a tagged
  // field, and every refill (fractional tokens, a clock reading) boxed a new 16-byte heap number.
  #tokens = 0;
  #last = 0;

  constructor(
    readonly capacity: number,
    /** Tokens per millisecond. */
    readonly rate: number,
    now: number,
  ) {
    this.#tokens = capacity;
    this.#last = now;
  }

  acquire(now: number): number {
    this.#refill(now);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.#tokens) / this.rate));
  }

  #refill(now: number): void {
    if (now > this.#last) {
      this.#tokens = Math.min(this.capacity, this.#tokens + (now - this.#last) * this.rate);
      this.#last = now;
    }
  }

  release(): void {}

  atRest(now: number): boolean {
    this.#refill(now);
    return this.#tokens >= this.capacity;
  }
}

/** Retry-After for a concurrency limit: there is no schedule to read it from; a second is a polite guess. */
const CONCURRENCY_RETRY_MS = 1_000;

class Concurrency implements PartitionState {
  #inFlight = 0;

  constructor(readonly permits: number) {}

  acquire(): number {
    if (this.#inFlight < this.permits) {
      this.#inFlight++;
      return 0;
    }
    return CONCURRENCY_RETRY_MS;
  }

  release(): void {
    this.#inFlight--;
  }

  atRest(): boolean {
    return this.#inFlight === 0;
  }
}
