// What a fuzz target or property test throws when a parser breaks one of its promises. Anything
// a parser throws that is not its own typed error is passed on as it is: both are findings.

/** A parser kept going but broke a rule it promises (a verdict that depends on the split, a bound). */
export class InvariantViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvariantViolation';
  }
}

export function invariant(condition: boolean, message: string | (() => string)): asserts condition {
  if (!condition) throw new InvariantViolation(typeof message === 'string' ? message : message());
}

/** A short, printable form of input bytes for a violation message. */
export function show(bytes: Buffer | string, max = 200): string {
  const s = typeof bytes === 'string' ? bytes : bytes.toString('latin1');
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…(${s.length} chars)` : s);
}
