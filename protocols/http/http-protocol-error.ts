import { TiercelError } from '../../connection/index.js';

/**
 * A request the protocol refuses, with the status to answer it with. Every HTTP-level rejection
 * (bad framing, limits, timeouts) is one of these; the `code` is stable, the message is a sentence.
 */
/**
 * The `reason` a log record of a refused request carries: the parser's `RequestRejectionReason`
 * where there is one, else the error's code (`ERR_TIERCEL_BODY_TOO_LARGE`).
 */
export function rejectionReason(err: unknown): unknown {
  const e = err as { reason?: unknown; code?: unknown } | undefined;
  return e?.reason ?? e?.code;
}

export class HttpProtocolError extends TiercelError {
  constructor(
    code: string,
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/**
 * More body bytes arrived (or were declared) than `maxRequestBodySize` allows: a 413. Raised by
 * the one body reader both protocols share, so no layer above counts bytes again.
 */
export class RequestBodyTooLargeError extends HttpProtocolError {
  constructor(readonly limit: number) {
    super('ERR_TIERCEL_BODY_TOO_LARGE', 413, `The request body is larger than the limit of ${limit} bytes`);
  }
}

/** The app set a header name or value that is not allowed (CR, LF, NUL: response splitting). */
export class InvalidHeaderError extends TiercelError {
  constructor(readonly headerName: string, what: 'name' | 'value') {
    super(
      'ERR_TIERCEL_INVALID_HEADER',
      what === 'name'
        ? `Invalid header name ${JSON.stringify(headerName)}: a name must be a token (RFC 9110 §5.1)`
        : `Invalid value for header '${headerName}': CR, LF, NUL and other control characters are not allowed`,
    );
  }
}

/** Headers cannot change once they are sent. */
export class HeadersSentError extends TiercelError {
  constructor(what: string) {
    super('ERR_TIERCEL_HEADERS_SENT', `Cannot ${what}: the response headers have already been sent`);
  }
}
