import { HttpError, type HttpErrorOptions } from '../../pipeline/index.js';
import { TiercelError } from '../../connection/index.js';

/** Problem details configured wrongly: an unknown option or a bad value. */
export class ProblemDetailsConfigError extends TiercelError {
  constructor(message: string) {
    super('ERR_TIERCEL_PROBLEM_DETAILS_CONFIG', message);
  }
}

/** The members of an RFC 9457 problem an app may set; extension members go in `extensions`. */
export interface Problem {
  /** A URI naming the problem type. Default 'about:blank' (the status says it all). */
  type?: string;
  /** A short summary of the type. Default: the status's reason phrase. */
  title?: string;
  /** This occurrence, for the client to read. Sent for 4xx; for 5xx only with `expose: true`. */
  detail?: string;
  /** A URI for this occurrence. Default none. */
  instance?: string;
  /** More members (`{ balance: 30 }`); they must not reuse the standard names. */
  extensions?: Readonly<Record<string, unknown>>;
}

/**
 * An HttpError carrying a whole problem: what `problemDetails()` sends for it. Without the
 * middleware it is an HttpError like any other (status, headers, message as text).
 */
export class ProblemError extends HttpError {
  readonly problem: Readonly<Problem>;

  constructor(status: number, problem: Problem = {}, options: HttpErrorOptions = {}) {
    super(status, problem.detail ?? problem.title, { code: 'ERR_TIERCEL_PROBLEM', ...options });
    this.problem = problem;
  }
}
