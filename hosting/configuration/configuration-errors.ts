import { TiercelError } from '../../connection/index.js';

/**
 * A configuration value breaks a rule: an unknown key, a wrong type, a bad URL, a limit out of
 * range, a certificate name nobody defined. `key` is the value's path (`endpoints.api.url`, or
 * the environment variable's name), and the message starts with it.
 */
export class ConfigurationError extends TiercelError {
  constructor(
    /** Where the value is: `endpoints.api.url`, `limits.http.maxRequestBodySize`, `TIERCEL_HTTP_PORTS`. */
    readonly key: string,
    /** The rule it broke. */
    readonly rule: string,
    /** The source it came from, when known: the file's path, 'the environment', 'the command line'. */
    readonly source?: string,
  ) {
    super('ERR_TIERCEL_CONFIG_INVALID', `${key}: ${rule}${source === undefined ? '' : ` (in ${source})`}`);
  }
}

/** The configuration file cannot be read, or is not a JSON object. */
export class ConfigurationFileError extends TiercelError {
  constructor(
    readonly file: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('ERR_TIERCEL_CONFIG_FILE', `${file}: ${reason}`, options);
  }
}
