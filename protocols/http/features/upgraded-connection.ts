import type { Duplex } from 'node:stream';

/** What a protocol hands over when a request leaves HTTP: the byte stream and what was read ahead. */
export interface UpgradedConnection {
  readonly transport: Duplex;
  /** Bytes the client sent after the request head (the start of the new protocol); empty on HTTP/2. */
  readonly head: Buffer;
}
