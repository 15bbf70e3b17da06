/**
 * Connections a transport has taken from the OS (or from an in-memory client) that `accept()`
 * has not handed out yet, and the `accept()` calls waiting for one.
 *
 * A connection can die while it waits here (the peer resets it before the server gets to it).
 * That must not end the accept loop, so `take` skips what `isAlive` rejects, releasing it with
 * `discard`, and only closing the queue makes `take` resolve null.
 */
export declare class AcceptQueue<T> {
    #private;
    private readonly isAlive;
    private readonly discard;
    constructor(isAlive: (item: T) => boolean, discard: (item: T) => void);
    get closed(): boolean;
    /** Connections waiting to be accepted (dead ones included until `take` reaches them). */
    get size(): number;
    /** Offers a new connection: to a waiting `take` if there is one, else to the queue. */
    push(item: T): void;
    /** The next live connection, or null once the queue is closed. */
    take(): Promise<T | null>;
    /** Ends the queue: waiting and later `take` calls get null; queued connections are discarded. */
    close(): void;
}
