import type { Parameters } from 'fast-check';

/**
 * fast-check's settings for tiercel's property tests: a fixed seed (TIERCEL_PROPERTY_SEED to try
 * another), `numRuns` cases, and the failing assertion in the report with the seed and the
 * shrunk counterexample (fast-check otherwise keeps it only as the error's cause, which uvu does
 * not print).
 */
export function propertyRuns<T>(numRuns: number): Parameters<T> {
  return { seed: Number(process.env.TIERCEL_PROPERTY_SEED ?? 0x71e5c31), numRuns, includeErrorInReport: true };
}
