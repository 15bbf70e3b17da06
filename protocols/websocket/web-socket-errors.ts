import { TiercelError } from '../../connection/index.js';

/**
 * A send found more than `maxBufferedAmount` bytes still queued for the peer: the peer reads slower
 * than the app writes, or not at all. The message was not queued; the socket emits this error and
 * closes with 1008 (see `WebSocketOptions.maxBufferedAmount`). The client's doing, or its network's.
 */
export class WebSocketBufferFullError extends TiercelError {
  constructor(
    readonly bufferedAmount: number,
    readonly maxBufferedAmount: number,
  ) {
    super(
      'ERR_TIERCEL_WS_BUFFER_FULL',
      `The WebSocket peer is not reading: ${bufferedAmount} bytes are queued for it, over maxBufferedAmount (${maxBufferedAmount}); closing with 1008`,
    );
  }
}
