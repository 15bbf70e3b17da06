// The shared Host / :authority checks (protocols/http/host.ts) against a reference written
// straight from the RFC 3986 grammar with regular expressions and node:net's IPv6 parser: slow
// and obviously right, where the checks under test are table-driven and allocation-free. Used by
// the fuzz target and test/protocols/http/host.properties.test.ts.
import { isIPv6 } from 'node:net';
import { isConnectAuthority, isHostAndPort, isValidHostValue } from '../protocols/http/index.js';
import { BadRequestError, RequestHead, RequestRejectionReason, assertValidHost } from '../protocols/http1/index.js';
import { invariant, show } from './invariant.js';

// RFC 3986 §3.2.2: reg-name = *( unreserved / pct-encoded / sub-delims ), non-empty for http.
const REG_NAME = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/;
const IP_FUTURE = /^[vV][0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+$/;
// host [ ":" port ]: a bracketed literal ends at its first "]", a reg-name at its first ":".
const AUTHORITY = /^(\[[^\]]*\]|[^:]*)(?::([0-9]*))?$/;

/** RFC 3986 host: IP-literal (no zone identifier: RFC 6874 is not 3986), IPv4address or reg-name. */
export function referenceHost(host: string): boolean {
  if (host.startsWith('[')) {
    if (!host.endsWith(']')) return false;
    const inner = host.slice(1, -1);
    return (isIPv6(inner) && !inner.includes('%')) || IP_FUTURE.test(inner);
  }
  return REG_NAME.test(host);
}

export function referenceHostAndPort(s: string): boolean {
  const m = AUTHORITY.exec(s);
  return m !== null && referenceHost(m[1]);
}

export function referenceConnectAuthority(s: string): boolean {
  const m = AUTHORITY.exec(s);
  if (m === null || m[2] === undefined || m[2].length === 0 || !referenceHost(m[1])) return false;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535;
}

/**
 * Checks every entry point on `s` (and on the slice [start, end) for `isHostAndPort`): each
 * agrees with the reference, and the HTTP/1.1 Host check refuses exactly what the reference
 * refuses, with its typed error.
 */
export function checkHost(s: string, start = 0, end = s.length): void {
  const valid = s.length === 0 || referenceHostAndPort(s);
  invariant(isValidHostValue(s) === valid, () => `isValidHostValue(${show(s)}) is ${!valid}, the reference says ${valid}`);
  const connect = referenceConnectAuthority(s);
  invariant(isConnectAuthority(s) === connect, () => `isConnectAuthority(${show(s)}) is ${!connect}, the reference says ${connect}`);
  const slice = referenceHostAndPort(s.slice(start, end));
  invariant(isHostAndPort(s, start, end) === slice, () => `isHostAndPort(${show(s)}, ${start}, ${end}) is ${!slice}, the reference says ${slice}`);

  const head = new RequestHead('GET', '/', 'origin', 1, false, ['Host', s]);
  head.host = s;
  try {
    assertValidHost(head);
    invariant(valid, () => `assertValidHost accepted ${show(s)}`);
  } catch (err) {
    if (!(err instanceof BadRequestError)) throw err;
    invariant(!valid && err.reason === RequestRejectionReason.InvalidHost && err.status === 400, () => `assertValidHost refused ${show(s)} as ${err.reason}`);
  }
}
