import { TiercelError } from '../connection/index.js';

/** `TestServer.request` was given something it cannot send (write raw bytes with `ts.connect()` instead). */
export class TestRequestInvalidError extends TiercelError {
  constructor(reason: string) {
    super('ERR_TIERCEL_TEST_REQUEST_INVALID', `Cannot send this test request: ${reason}`);
  }
}

/** No complete response within the request's `timeoutMs`. */
export class TestRequestTimeoutError extends TiercelError {
  constructor(readonly timeoutMs: number) {
    super('ERR_TIERCEL_TEST_TIMEOUT', `No complete response within ${timeoutMs} ms`);
  }
}

/** The server's response is not valid HTTP/1.1 (a status line, a field line, a chunk). */
export class TestResponseInvalidError extends TiercelError {
  constructor(reason: string) {
    super('ERR_TIERCEL_TEST_RESPONSE_INVALID', `Invalid response: ${reason}`);
  }
}

/** A response head or body over the test client's `maxHeaderSize` or `maxBodySize`. */
export class TestResponseTooLargeError extends TiercelError {
  constructor(reason: string) {
    super('ERR_TIERCEL_TEST_RESPONSE_TOO_LARGE', `Response too large: ${reason}`);
  }
}

/** `TestServer.webSocket` got an HTTP response instead of a 101: its status and body say why. */
export class TestWebSocketRefusedError extends TiercelError {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super('ERR_TIERCEL_TEST_WEBSOCKET_REFUSED', `The WebSocket handshake was refused with ${status}: ${body.slice(0, 200)}`);
  }
}
