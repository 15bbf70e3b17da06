/**
 * The cores this process may use (`os.availableParallelism()`): what `workers: 'auto'` means.
 * Internal (not in hosting/index.ts). node:os is fetched when asked (process.getBuiltinModule): an
 * ES import of it runs at every start, cluster or not.
 */
export function availableCores(): number {
  return process.getBuiltinModule('node:os').availableParallelism();
}
