import { readFileSync } from 'node:fs';

/**
 * A fingerprint of a package's files (FNV-1a, 32 bits, over each file's path relative to the
 * package folder and its bytes): the shipped one-file copies of the peer dependencies
 * (bundle/vendor/, see tsyringe.ts) record the installed files they were made from, and stand in
 * for an installed package only while its files are still those bytes. A version number alone
 * would not do: a patched install (patch-package, a local edit) keeps it. Not a security check
 * (anyone who can write node_modules runs code anyway): it keeps tiercel from silently running
 * other code than what is installed. Plain JavaScript, not node:crypto, which the serve path does
 * not otherwise load (~60 kB hashed in well under a millisecond).
 *
 * Undefined when a file cannot be read.
 */
export function packageFingerprint(folder: string, files: readonly string[]): string | undefined {
  let hash = 0x811c9dc5;
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(folder + file);
    } catch {
      return undefined;
    }
    for (let i = 0; i < file.length; i++) hash = Math.imul(hash ^ file.charCodeAt(i), 0x01000193);
    hash = Math.imul(hash ^ 0, 0x01000193);
    for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
