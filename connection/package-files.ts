import { statSync } from 'node:fs';

/** The files a shipped copy of a peer dependency was made from, relative to the package's folder, with their sizes in bytes. */
export type PackageFiles = Readonly<Record<string, number>>;

/**
 * The installed package's files and their sizes (`files` names them, relative to `folder`): the
 * shipped one-file copies of the peer dependencies (bundle/vendor/, see tsyringe.ts) record the
 * installed files they were made from, and stand in for an installed package only while its files
 * still have those sizes. A version number alone would not do: a patched install (patch-package, a
 * local edit) keeps it, and a patch that leaves every file's size as it was is unlikely. Sizes, not
 * a hash of the bytes: hashing in JavaScript cost 2-6 ms at start and node:crypto is not loaded for
 * a plain server; a stat per file costs well under a millisecond for tsyringe's 34.
 *
 * Undefined when a file cannot be read.
 */
export function packageFiles(folder: string, files: readonly string[]): PackageFiles | undefined {
  const sizes: Record<string, number> = {};
  for (const file of files) {
    const stats = statSync(folder + file, { throwIfNoEntry: false });
    if (stats === undefined || !stats.isFile()) return undefined;
    sizes[file] = stats.size;
  }
  return sizes;
}

/** True when every file `made` lists has its size under `folder`. */
export function samePackageFiles(folder: string, made: PackageFiles): boolean {
  for (const file in made) {
    if (file.includes('..')) return false;
    const stats = statSync(folder + file, { throwIfNoEntry: false });
    if (stats === undefined || stats.size !== made[file]) return false;
  }
  return true;
}
