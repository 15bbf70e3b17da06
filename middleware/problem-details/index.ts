// middleware/problem-details/: errors answered as RFC 9457 problem details (application/problem+json).
export { problemDetails } from './problem-details.js';
export { PROBLEM_DETAILS_DEFAULTS, resolveProblemDetailsOptions, type ProblemDetailsOptions, type ResolvedProblemDetailsOptions } from './problem-details-options.js';
export { ProblemError, ProblemDetailsConfigError, type Problem } from './problem-details-errors.js';
