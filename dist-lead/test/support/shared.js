import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
/** The repository root: the nearest folder above this file with a package.json named tiercel. */
export function repoRoot() {
    let dir = dirname(fileURLToPath(import.meta.url));
    for (;;) {
        if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'tsconfig.json')))
            return dir;
        const up = dirname(dir);
        if (up === dir)
            throw new Error('cannot find the repository root');
        dir = up;
    }
}
/**
 * Path of a file in ../shared (beside the repository). Under CI=true a missing file is an error;
 * elsewhere it returns undefined and the caller skips loudly.
 */
export function sharedFile(relative) {
    const path = join(repoRoot(), '..', 'shared', relative);
    if (existsSync(path))
        return path;
    if (process.env.CI === 'true')
        throw new Error(`CI=true but ${path} is missing: the shared conformance data must be beside the repository`);
    console.warn(`\n!!! SKIPPING: ${path} is missing (tests that need ../shared are skipped outside CI)\n`);
    return undefined;
}
//# sourceMappingURL=shared.js.map