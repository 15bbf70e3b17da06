/**
 * Connections a transport has taken from the OS (or from an in-memory client) that `accept()`
 * has not handed out yet, and the `accept()` calls waiting for one.
 *
 * A connection can die while it waits here (the peer resets it before the server gets to it).
 * That must not end the accept loop, so `take` skips what `isAlive` rejects, releasing it with
 * `discard`, and only closing the queue makes `take` resolve null.
 */
export class AcceptQueue {
    isAlive;
    discard;
    // An array with a moving head: shift() is O(n) and a burst of 1,000 connects would be O(n²).
    #items = [];
    #head = 0;
    #waiters = [];
    #closed = false;
    constructor(isAlive, discard) {
        this.isAlive = isAlive;
        this.discard = discard;
    }
    get closed() {
        return this.#closed;
    }
    /** Connections waiting to be accepted (dead ones included until `take` reaches them). */
    get size() {
        return this.#items.length - this.#head;
    }
    /** Offers a new connection: to a waiting `take` if there is one, else to the queue. */
    push(item) {
        if (this.#closed) {
            this.discard(item);
            return;
        }
        const waiter = this.#waiters.shift();
        if (waiter)
            waiter(item);
        else
            this.#items.push(item);
    }
    /** The next live connection, or null once the queue is closed. */
    take() {
        while (this.size > 0) {
            const item = this.#shift();
            if (this.isAlive(item))
                return Promise.resolve(item);
            this.discard(item);
        }
        if (this.#closed)
            return Promise.resolve(null);
        return new Promise((resolve) => this.#waiters.push(resolve));
    }
    /** Ends the queue: waiting and later `take` calls get null; queued connections are discarded. */
    close() {
        if (this.#closed)
            return;
        this.#closed = true;
        for (const waiter of this.#waiters.splice(0))
            waiter(null);
        while (this.size > 0)
            this.discard(this.#shift());
    }
    /** Removes the oldest item; the caller has checked `size > 0`. */
    #shift() {
        const item = this.#items[this.#head];
        this.#items[this.#head++] = undefined;
        if (this.#head === this.#items.length) {
            this.#items = [];
            this.#head = 0;
        }
        return item;
    }
}
//# sourceMappingURL=accept-queue.js.map