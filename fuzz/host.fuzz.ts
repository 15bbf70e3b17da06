// Fuzz target: the Host / :authority checks shared by HTTP/1.1 and HTTP/2. The bytes are read
// as latin1 (what HTTP/1.1 hands over) and, when they differ, as UTF-8 (an HTTP/2 :authority
// may hold any character); the first two bytes also pick a slice for `isHostAndPort`.
import { checkHost } from './host-invariants.js';

export function fuzz(data: Buffer): void {
  const latin1 = data.toString('latin1');
  const start = data.length > 0 ? data[0] % (latin1.length + 1) : 0;
  const end = data.length > 1 ? start + (data[1] % (latin1.length - start + 1)) : latin1.length;
  checkHost(latin1, start, end);
  const utf8 = data.toString('utf8');
  if (utf8 !== latin1) checkHost(utf8);
}
