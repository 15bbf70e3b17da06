import type { Duplex } from 'node:stream';

/**
 * The one property the layer reading a transport puts on it, where its listeners (functions
 * shared by every connection, `this` being the transport) find it: the protocol sniff, then the
 * protocol's connection. One slot for all of them, not a symbol each: node's own stream and
 * socket functions see every socket, and each property added to a socket gives it another hidden
 * class. With the context's, the sniff's and the protocol's own symbols a socket changed class
 * three times, node's functions met it in each, and their symbol-keyed loads (`kState`,
 * `kTimeout`) went megamorphic: 2 % of the HTTP/1.1 server's CPU under wrk, against 0.4 % for the
 * raw-socket ceiling. A layer sets the slot when it starts reading, and clears it when it hands
 * the transport on (the sniff to a protocol, HTTP/1.1 to an upgrade) after removing its listeners.
 */
export const kReader = Symbol('tiercel.transport-reader');

/** A transport whose reader is a `T` (the type each layer's listeners expect of `this`). */
export type ReadBy<T> = Duplex & { [kReader]?: T };
