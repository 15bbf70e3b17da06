import type { Clock, ClockTimer } from '../connection/index.js';

interface Timer {
  at: number;
  /** Creation (or re-arming) order: timers due at the same time fire in it. */
  order: number;
  readonly interval: number;
  readonly callback: () => void;
}

/**
 * A clock that moves only when told (Kestrel's tests' mock system clock). Register it under
 * `CLOCK` before `start()` and `advance` it: every heartbeat timeout (keep-alive, request headers,
 * body and response rates, the unread-body drain, HTTP/2 idle and PING), the protocol sniff and the
 * TLS handshake deadline fire during `advance`, in due-time order, with no waiting; the Date header
 * follows it too.
 */
export class ManualClock implements Clock {
  #now: number;
  #order = 0;
  readonly #timers = new Set<Timer>();

  /** `start`: the time it shows until advanced, in ms since the epoch. */
  constructor(start: number = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, delayMs: number): ClockTimer {
    return this.#add(callback, delayMs, 0);
  }

  setInterval(callback: () => void, intervalMs: number): ClockTimer {
    return this.#add(callback, intervalMs, Math.max(1, intervalMs));
  }

  clearTimer(timer: ClockTimer): void {
    this.#timers.delete(timer as Timer);
  }

  /** Timers waiting to fire (an interval counts until cleared). */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /**
   * Moves the time forward by `ms`, firing each timer that falls due on the way at its due time
   * (an interval as many times as it falls due, a timer made by a callback too if it is due by
   * then). A callback's exception propagates to the caller.
   */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`advance() takes a finite number of milliseconds, 0 or more (got ${ms})`);
    const end = this.#now + ms;
    for (let next = this.#due(end); next !== undefined; next = this.#due(end)) {
      this.#now = next.at;
      if (next.interval > 0) {
        next.at += next.interval;
        next.order = ++this.#order;
      } else {
        this.#timers.delete(next);
      }
      next.callback();
    }
    this.#now = end;
  }

  #add(callback: () => void, delayMs: number, interval: number): Timer {
    const timer: Timer = { at: this.#now + Math.max(0, delayMs), order: ++this.#order, interval, callback };
    this.#timers.add(timer);
    return timer;
  }

  /** The earliest timer due by `end`. */
  #due(end: number): Timer | undefined {
    let first: Timer | undefined;
    for (const t of this.#timers) {
      if (t.at <= end && (first === undefined || t.at < first.at || (t.at === first.at && t.order < first.order))) first = t;
    }
    return first;
  }
}
