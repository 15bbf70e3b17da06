import { LOG_EVENTS, silentLogger, systemClock, type Clock, type ClockTimer, type Logger } from '../../connection/index.js';

/** Something that checks its timeouts once a heartbeat. */
export interface HeartbeatHandler {
  onHeartbeat(now: number): void;
}

/**
 * One timer that drives every HTTP timeout and refreshes the cached Date header, as Kestrel's
 * heartbeat does: a timer per request (or per connection) costs far more than one tick a second
 * that walks the live connections. The timer runs while handlers are registered (and until the
 * next tick after the last leaves) and never keeps the process alive. Time and the timer come from
 * `clock`, so a test clock drives every heartbeat timeout (and the Date header) without waiting. A handler that throws is logged to `log`
 * at error level (a handler is tiercel's own code, so that is our bug, not a client's) and the tick
 * goes on to the others.
 */
export class Heartbeat {
  readonly #handlers = new Set<HeartbeatHandler>();
  #timer: ClockTimer | undefined;
  #dateLine = '';
  #date = '';
  #dateAt = 0;
  #now = 0;
  #tickEnd = 0;

  constructor(
    readonly clock: Clock = systemClock,
    readonly intervalMs = 1_000,
    readonly log: Logger = silentLogger,
  ) {}

  add(handler: HeartbeatHandler): void {
    this.#handlers.add(handler);
    if (this.#timer === undefined) {
      this.#now = this.#tickEnd = this.clock.now();
      this.#refreshDate(this.#now);
      this.#timer = this.clock.setInterval(this.#tick, this.intervalMs);
    }
  }

  /**
   * The timer is not stopped here but at the next tick that finds no handler: a server whose every
   * connection upgrades (WebSockets leave the heartbeat at the 101) would otherwise stop it with each
   * upgrade and make a new one with the next connection — a timer per accepted socket.
   */
  delete(handler: HeartbeatHandler): void {
    this.#handlers.delete(handler);
  }

  /**
   * `date: <IMF-fixdate>\r\n`. While connections are registered the tick refreshes it, so a
   * response reads a field (no clock call on the hot path); with none, it is refreshed on read.
   */
  get dateLine(): string {
    if (this.#timer === undefined) this.#refreshDate(this.clock.now());
    return this.#dateLine;
  }

  /**
   * The time of the last tick (ms since the epoch): a clock for timeouts that costs a field read,
   * where reading the clock (Date.now()) costs ~50 ns here and the hot path would read it several times per request.
   * It lags the real time by less than `intervalMs`, so a deadline measured from it must allow one
   * interval more (`isPast`) to never fire early, as Kestrel's heartbeat clock does.
   */
  get now(): number {
    return this.#timer === undefined ? this.clock.now() : this.#now;
  }

  /** True when more than `limitMs` has surely passed since `since` (a value of `now`), seen at tick time `now`. */
  isPast(since: number, limitMs: number, now: number): boolean {
    return now - since > limitMs + this.intervalMs;
  }

  /** The date as an IMF-fixdate (`Thu, 26 Nov 2026 03:10:00 GMT`), for protocols that want the value alone. */
  get date(): string {
    if (this.#timer === undefined) this.#refreshDate(this.clock.now());
    return this.#date;
  }

  #refreshDate(now: number): void {
    if (now - this.#dateAt >= 1_000) {
      this.#dateAt = now - (now % 1_000);
      this.#date = new Date(now).toUTCString();
      this.#dateLine = `date: ${this.#date}\r\n`;
    }
  }

  readonly #tick = (): void => {
    if (this.#handlers.size === 0) {
      this.clock.clearTimer(this.#timer!);
      this.#timer = undefined;
      return;
    }
    const now = this.clock.now();
    // How late this tick came after the last one ended (a long tick is reported once, as long, not
    // again as the next one's lateness): the event loop was blocked, and every timeout with it.
    const lateMs = now - this.#tickEnd - this.intervalMs;
    this.#now = now;
    this.#refreshDate(now);
    for (const h of this.#handlers) {
      try {
        h.onHeartbeat(now);
      } catch (error) {
        // One connection's failure must not stop the others' timeouts, nor the next tick.
        this.log.error({ ...LOG_EVENTS.HeartbeatHandlerFailed, handler: h.constructor.name, err: error }, 'A heartbeat handler threw; the other handlers still ran');
      }
    }
    // Kestrel's HeartbeatSlow: a tick longer than the interval (or an interval late) means timeouts
    // fire late and the process is starved; once per slow tick, so at most one line an interval.
    this.#tickEnd = this.clock.now();
    const durationMs = this.#tickEnd - now;
    if (durationMs > this.intervalMs || lateMs > this.intervalMs) {
      this.log.warn(
        { ...LOG_EVENTS.HeartbeatSlow, durationMs, lateMs: Math.max(0, lateMs), intervalMs: this.intervalMs },
        `The heartbeat took ${durationMs} ms and came ${Math.max(0, lateMs)} ms late, against an interval of ${this.intervalMs} ms: the event loop is blocked`,
      );
    }
  };
}
