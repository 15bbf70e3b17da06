/** Something that checks its timeouts once a heartbeat. */
export interface HeartbeatHandler {
    onHeartbeat(now: number): void;
}
/**
 * One timer that drives every HTTP timeout and refreshes the cached Date header, as Kestrel's
 * heartbeat does: a timer per request (or per connection) costs far more than one tick a second
 * that walks the live connections. The timer runs only while handlers are registered and never
 * keeps the process alive.
 */
export declare class Heartbeat {
    #private;
    readonly intervalMs: number;
    constructor(intervalMs?: number);
    add(handler: HeartbeatHandler): void;
    delete(handler: HeartbeatHandler): void;
    /** `date: <IMF-fixdate>\r\n`, refreshed at most once a second. */
    get dateLine(): string;
}
