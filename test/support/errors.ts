/** The `code` of what `fn` throws, or undefined when it does not throw (or throws without a code). */
export function errorCodeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}
