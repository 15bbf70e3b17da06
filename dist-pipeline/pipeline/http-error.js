import { TiercelError } from '../connection/index.js';
import { reasonPhrase } from '../protocols/http/index.js';
import { InvalidStatusCodeError } from './errors.js';
/**
 * Throw one from a handler to answer with an error status: the pipeline sends `status`, the
 * `headers`, and `message` as text/plain when `expose` is true (an empty body otherwise).
 */
export class HttpError extends TiercelError {
    status;
    expose;
    headers;
    constructor(status, message, options = {}) {
        if (!Number.isInteger(status) || status < 400 || status > 599) {
            throw new InvalidStatusCodeError(status, 'an HttpError status must be an integer from 400 to 599');
        }
        super(options.code ?? 'ERR_TIERCEL_HTTP_ERROR', message ?? (reasonPhrase(status) || `HTTP ${status}`), { cause: options.cause });
        this.status = status;
        this.expose = options.expose ?? status < 500;
        this.headers = options.headers;
    }
}
//# sourceMappingURL=http-error.js.map