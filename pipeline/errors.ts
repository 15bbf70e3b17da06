import { TiercelError } from '../connection/index.js';

/** The request body was read before (by `text()`, `json()`, `buffer()`, `stream()` or `body`). */
export class BodyAlreadyReadError extends TiercelError {
  constructor() {
    super('ERR_TIERCEL_BODY_ALREADY_READ', 'The request body can be read only once, and it has already been read');
  }
}

// Raised by the exchange's body reader (protocols/http), re-exported where apps have always found it.
export { RequestBodyTooLargeError } from '../protocols/http/index.js';

/** The app wrote to a response that was already ended (or aborted). */
export class ResponseEndedError extends TiercelError {
  constructor(what: string) {
    super('ERR_TIERCEL_RESPONSE_ENDED', `Cannot ${what}: the response has already ended`);
  }
}

/** A status code outside 100-999, or not an integer; or a redirect status outside 300-399. */
export class InvalidStatusCodeError extends TiercelError {
  constructor(readonly status: unknown, rule = 'must be an integer from 100 to 999') {
    super('ERR_TIERCEL_INVALID_STATUS', `Invalid status code ${String(status)}: ${rule}`);
  }
}

/** A response body of a type the call does not take (`send({})` instead of `json({})`, say). */
export class InvalidBodyError extends TiercelError {
  constructor(what: string, value: unknown) {
    super(
      'ERR_TIERCEL_INVALID_BODY',
      `${what} takes a string, a Buffer or a Uint8Array, not ${value === null ? 'null' : typeof value}`,
    );
  }
}

/** The pipeline was composed wrongly (a bad `map` prefix, middleware added after `run`, …). */
export class PipelineConfigError extends TiercelError {
  constructor(message: string) {
    super('ERR_TIERCEL_PIPELINE_CONFIG', message);
  }
}
