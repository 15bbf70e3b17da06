/**
 * One timer that drives every HTTP timeout and refreshes the cached Date header, as Kestrel's
 * heartbeat does: a timer per request (or per connection) costs far more than one tick a second
 * that walks the live connections. The timer runs only while handlers are registered and never
 * keeps the process alive.
 */
export class Heartbeat {
    intervalMs;
    #handlers = new Set();
    #timer;
    #dateLine = '';
    #dateAt = 0;
    constructor(intervalMs = 1_000) {
        this.intervalMs = intervalMs;
    }
    add(handler) {
        this.#handlers.add(handler);
        if (this.#timer === undefined) {
            this.#timer = setInterval(this.#tick, this.intervalMs);
            this.#timer.unref();
        }
    }
    delete(handler) {
        this.#handlers.delete(handler);
        if (this.#handlers.size === 0 && this.#timer !== undefined) {
            clearInterval(this.#timer);
            this.#timer = undefined;
        }
    }
    /** `date: <IMF-fixdate>\r\n`, refreshed at most once a second. */
    get dateLine() {
        const now = Date.now();
        if (now - this.#dateAt >= 1_000) {
            this.#dateAt = now - (now % 1_000);
            this.#dateLine = `date: ${new Date(now).toUTCString()}\r\n`;
        }
        return this.#dateLine;
    }
    #tick = () => {
        const now = Date.now();
        for (const h of this.#handlers) {
            try {
                h.onHeartbeat(now);
            }
            catch {
                // One connection's failure must not stop the others' timeouts.
            }
        }
    };
}
//# sourceMappingURL=heartbeat.js.map