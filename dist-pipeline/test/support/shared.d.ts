/** The repository root: the nearest folder above this file with a package.json named tiercel. */
export declare function repoRoot(): string;
/**
 * Path of a file in ../shared (beside the repository). Under CI=true a missing file is an error;
 * elsewhere it returns undefined and the caller skips loudly.
 */
export declare function sharedFile(relative: string): string | undefined;
