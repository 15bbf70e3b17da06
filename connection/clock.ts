/** A timer made by a `Clock`; only the clock that made it can clear it. */
export type ClockTimer = object;

/**
 * Time as tiercel's timeouts see it (Kestrel's `ISystemClock` plus its timer). Production uses
 * `systemClock`; a test registers a manual clock under `CLOCK` and advances it, so every timeout
 * that reads this clock fires when the test says, without waiting.
 *
 * Timers never keep the process alive: the server's listeners and sockets do that.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once, `delayMs` from now. */
  setTimeout(callback: () => void, delayMs: number): ClockTimer;
  /** Calls `callback` every `intervalMs` until the timer is cleared. */
  setInterval(callback: () => void, intervalMs: number): ClockTimer;
  /** Cancels a timer this clock made (either kind); clearing one twice, or one that fired, does nothing. */
  clearTimer(timer: ClockTimer): void;
}

/** The real clock: `Date.now()` and unref'd Node timers (the timer object itself is the handle, no wrapper). */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
  setTimeout(callback: () => void, delayMs: number): ClockTimer {
    return setTimeout(callback, delayMs).unref();
  }
  setInterval(callback: () => void, intervalMs: number): ClockTimer {
    return setInterval(callback, intervalMs).unref();
  }
  clearTimer(timer: ClockTimer): void {
    clearTimeout(timer as NodeJS.Timeout);
  }
}

export const systemClock: Clock = new SystemClock();
