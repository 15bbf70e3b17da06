import type { Duplex } from 'node:stream';

// Held in the module, neither on the transport nor on the context: a hand-off begins and ends
// within one synchronous call, and a field would be kept by every open connection.
let heldFor: Duplex | undefined;
let held: Buffer | undefined;

/**
 * Offers `chunk`, bytes already read from `transport`, as what it reads first, to the layer that
 * takes the transport next, within the same synchronous call: the protocol sniff's first read goes
 * straight to HTTP/1.1 this way, where putting it back (`unshift`: a pause, the readable state's
 * buffer entries, a resume on the next tick and the 'data' emitted again) cost ~1.7 KB of garbage
 * per connection. The offerer calls `takeReadAhead` once the next layer has returned: bytes still
 * there were not taken, and are the offerer's to put back.
 */
export function offerReadAhead(transport: Duplex, chunk: Buffer): void {
  heldFor = transport;
  held = chunk;
}

/**
 * The bytes offered for `transport`, now the caller's: it reads them before anything the transport
 * emits next. Undefined when none were offered (or another layer took them).
 */
export function takeReadAhead(transport: Duplex): Buffer | undefined {
  if (heldFor !== transport) return undefined;
  const chunk = held;
  heldFor = held = undefined;
  return chunk;
}
