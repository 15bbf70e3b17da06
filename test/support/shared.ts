import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file with a package.json named tiercel. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'tsconfig.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root');
    dir = up;
  }
}

/** Path of a file in ../shared (beside the repository). */
export function sharedFilePath(relative: string): string {
  return join(repoRoot(), '..', 'shared', relative);
}

/**
 * Path of a file in ../shared, or undefined when it is missing: the caller registers its tests
 * with `testRequiring` (counted as skipped; a skip fails a CI=true run).
 */
export function sharedFile(relative: string): string | undefined {
  const path = sharedFilePath(relative);
  return existsSync(path) ? path : undefined;
}
