import { ProblemDetailsConfigError } from './problem-details-errors.js';

export interface ProblemDetailsOptions {
  /**
   * Whether a response the app left empty with an error status (a 404 nobody answered, a bare
   * `status = 403; end()` is not: only one still unstarted when the pipeline returns) gets a problem
   * body too. Default true, as ASP.NET Core's status-code pages with problem details.
   */
  emptyResponses?: boolean;
  /**
   * Whether the error's `code` (`ERR_…`) goes into the problem as the `code` extension member
   * when its message is exposed. Default true: clients branch on codes, not on titles.
   */
  includeCode?: boolean;
}

export interface ResolvedProblemDetailsOptions {
  readonly emptyResponses: boolean;
  readonly includeCode: boolean;
}

export const PROBLEM_DETAILS_DEFAULTS: ResolvedProblemDetailsOptions = Object.freeze({ emptyResponses: true, includeCode: true });

/** Checks `options` and fills in the defaults; throws ProblemDetailsConfigError stating the rule broken. */
export function resolveProblemDetailsOptions(options: ProblemDetailsOptions = {}): ResolvedProblemDetailsOptions {
  const resolved = { ...PROBLEM_DETAILS_DEFAULTS };
  for (const [key, value] of Object.entries(options)) {
    if (!(key in PROBLEM_DETAILS_DEFAULTS)) throw new ProblemDetailsConfigError(`Unknown problem details option '${key}' (known: ${Object.keys(PROBLEM_DETAILS_DEFAULTS).join(', ')})`);
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw new ProblemDetailsConfigError(`${key} must be a boolean, not ${String(value)}`);
    (resolved as Record<string, boolean>)[key] = value;
  }
  return resolved;
}
