import { isConnectAuthority, isHostAndPort } from '../http/index.js';
import { BadRequestError, RequestRejectionReason as R } from './rejection.js';
import type { TargetForm } from './request-head.js';
import { CONNECT, OPTIONS, latin1 } from './http1-tokens.js';

const COLON = 0x3a;

/**
 * The form of the request-target in b[s, e) of a `method` request (RFC 9112 §3.2); throws a
 * BadRequestError when it has none, or one the method may not use. Its bytes are already known
 * to be visible ASCII. Only origin-form is decided on the bytes: the rare forms are checked on a
 * string, which costs an allocation the common request never makes.
 *
 * - origin-form (`/path?query`): any method but CONNECT.
 * - authority-form (`host:port`): CONNECT only, and CONNECT only this form (§3.2.3); the port is
 *   required and must be 1–65535 (RFC 9110 §9.3.6: reject an empty or invalid port).
 * - asterisk-form (`*`): OPTIONS only (§3.2.4).
 * - absolute-form: `http://` or `https://` (the scheme in any case) and an authority with a
 *   non-empty host and no userinfo (RFC 9110 §4.2.1, §4.2.4). tiercel is an origin server, not a
 *   forward proxy: a URI of another scheme names nothing it can serve, so it is a 400 — which is
 *   also what `GET example.com:443` gets, being authority-form without CONNECT.
 */
export function requestTargetForm(b: Buffer, s: number, e: number, method: string): TargetForm {
  const isConnect = method === CONNECT;
  if (b[s] === 0x2f /* / */ && !isConnect) return 'origin';
  const target = latin1(b, s, e);
  if (isConnect) {
    if (!isConnectAuthority(target)) reject(R.InvalidRequestTarget);
    return 'authority';
  }
  if (target === '*') {
    if (method !== OPTIONS) reject(R.OptionsMethodRequired);
    return 'asterisk';
  }
  const authority = httpAuthorityStart(target);
  if (authority < 0) reject(isConnectAuthority(target) ? R.ConnectMethodRequired : R.InvalidRequestTarget);
  let end = authority;
  let c = 0;
  while (end < target.length && (c = target.charCodeAt(end)) !== 0x2f && c !== 0x3f && c !== 0x23) {
    // userinfo (`user@host`) is deprecated in http(s) URIs and a phishing aid (RFC 9110 §4.2.4).
    if (c === 0x40 /* @ */) reject(R.InvalidRequestTarget);
    end++;
  }
  if (!isHostAndPort(target, authority, end)) reject(R.InvalidRequestTarget);
  return 'absolute';
}

/** Where the authority of an `http://` or `https://` target begins, or -1 for any other target. */
function httpAuthorityStart(t: string): number {
  // `| 0x20` lower-cases a letter; of the visible ASCII bytes only the upper-case letter folds onto it.
  if (
    t.length < 7 ||
    (t.charCodeAt(0) | 0x20) !== 0x68 ||
    (t.charCodeAt(1) | 0x20) !== 0x74 ||
    (t.charCodeAt(2) | 0x20) !== 0x74 ||
    (t.charCodeAt(3) | 0x20) !== 0x70
  ) {
    return -1;
  }
  const colon = (t.charCodeAt(4) | 0x20) === 0x73 ? 5 : 4;
  return t.charCodeAt(colon) === COLON && t.charCodeAt(colon + 1) === 0x2f && t.charCodeAt(colon + 2) === 0x2f ? colon + 3 : -1;
}

function reject(reason: R): never {
  throw new BadRequestError(reason);
}
