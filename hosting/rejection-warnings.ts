import { LOG_EVENTS, type Clock, type Logger } from '../connection/index.js';

/**
 * The warn line for connections refused at `maxConcurrentConnections`: each refusal is a debug
 * line (a flood of them is the client's doing), but an operator must learn that the limit bites.
 * At most one warn per `intervalMs`, with the count since the line before; the first refusal
 * writes one at once. What a burst refused after its line is written with the next refusal that
 * finds the interval over, or at `flush()` (the server's stop). No timer: nothing runs while no
 * connection is refused.
 */
export class RejectionWarnings {
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  /** When the last line was written (clock time); -Infinity before the first. */
  #lastAt = -Infinity;
  #since = 0;

  constructor(logger: Logger, clock: Clock, intervalMs: number) {
    this.#logger = logger;
    this.#clock = clock;
    this.#intervalMs = intervalMs;
  }

  /** One more connection refused at `max`. */
  rejected(max: number): void {
    this.#since++;
    if (this.#intervalMs === Infinity) return;
    const now = this.#clock.now();
    if (now - this.#lastAt >= this.#intervalMs) this.#write(max, now);
  }

  /** Writes what was refused since the last line, if anything. */
  flush(max: number): void {
    if (this.#since > 0 && this.#intervalMs !== Infinity) this.#write(max, this.#clock.now());
  }

  #write(max: number, now: number): void {
    const count = this.#since;
    const sinceMs = this.#lastAt === -Infinity ? 0 : now - this.#lastAt;
    this.#since = 0;
    this.#lastAt = now;
    this.#logger.warn(
      { ...LOG_EVENTS.ConnectionsRejected, count, sinceMs, maxConcurrentConnections: max },
      `${count} connection(s) refused: maxConcurrentConnections (${max}) reached`,
    );
  }
}
