// The authority syntax shared by every HTTP version: HTTP/1.1's Host field and the authority of an
// absolute-form or authority-form target, HTTP/2's :authority. RFC 3986 §3.2.2–3.2.3:
//   host        = IP-literal / IPv4address / reg-name
//   IP-literal  = "[" ( IPv6address / IPvFuture ) "]"
//   reg-name    = *( unreserved / pct-encoded / sub-delims )
//   port        = *DIGIT
// An IPv4address is also a reg-name, so only its place at the end of an IPv6address needs its own
// check. Zone identifiers (`[fe80::1%25eth0]`, RFC 6874) are not RFC 3986 syntax and mean nothing
// to a server: refused. Checked by table lookups, no regex; the callers remember the last value
// found valid, so a keep-alive connection pays for this once.

const REG = 1; // unreserved / sub-delims: a reg-name character as it stands
const HEXDIG = 2;
const FUTURE = 4; // what an IPvFuture may hold after its "v<hex>.": unreserved / sub-delims / ":"
const HOST_CHAR = new Uint8Array(128);
for (const c of "-._~!$&'()*+,;=") HOST_CHAR[c.charCodeAt(0)] = REG | FUTURE;
for (let c = 0x30; c <= 0x39; c++) HOST_CHAR[c] = REG | HEXDIG | FUTURE;
for (let c = 0x41; c <= 0x5a; c++) HOST_CHAR[c] = REG | FUTURE;
for (let c = 0x61; c <= 0x7a; c++) HOST_CHAR[c] = REG | FUTURE;
for (let c = 0; c < 6; c++) {
  HOST_CHAR[0x41 + c] |= HEXDIG;
  HOST_CHAR[0x61 + c] |= HEXDIG;
}
HOST_CHAR[0x3a] = FUTURE;

const COLON = 0x3a;
const DOT = 0x2e;
const MAX_PORT = 65535;

/**
 * A Host field value: empty (RFC 9110 §7.2 allows it; the server then uses its own name, RFC 9112
 * §3.3), or `host [ ":" port ]` with a host that is not empty — an `http` URI with an empty host
 * is invalid (RFC 9110 §4.2.1), so `:80` is refused.
 */
export function isValidHostValue(host: string): boolean {
  return host.length === 0 || isHostAndPort(host, 0, host.length);
}

/** s[start, end) is a non-empty host, optionally followed by ":" and a port of digits only. */
export function isHostAndPort(s: string, start: number, end: number): boolean {
  const h = hostEnd(s, start, end);
  if (h < 0) return false;
  if (h === end) return true;
  return s.charCodeAt(h) === COLON && digitsOnly(s, h + 1, end);
}

/**
 * authority-form, CONNECT's target (RFC 9112 §3.2.3): `host ":" port` with a port in 1–65535, as
 * RFC 9110 §9.3.6 says to reject "an empty or invalid port number".
 */
export function isConnectAuthority(s: string): boolean {
  const n = s.length;
  const h = hostEnd(s, 0, n);
  if (h < 0 || h + 1 >= n || s.charCodeAt(h) !== COLON || !digitsOnly(s, h + 1, n)) return false;
  let port = 0;
  for (let i = h + 1; i < n && port <= MAX_PORT; i++) port = port * 10 + (s.charCodeAt(i) - 0x30);
  return port >= 1 && port <= MAX_PORT;
}

/**
 * Where the host at the start of s[start, end) ends: at `end` or at the first character that is
 * not part of it (a ":" before a port, for a valid authority). -1 when there is no host there (it
 * is empty, or a bracketed literal is not an IPv6address or IPvFuture).
 */
function hostEnd(s: string, start: number, end: number): number {
  if (start === end) return -1;
  if (s.charCodeAt(start) === 0x5b /* [ */) {
    const close = s.indexOf(']', start + 1);
    if (close < 0 || close >= end) return -1;
    return isIpv6(s, start + 1, close) || isIpvFuture(s, start + 1, close) ? close + 1 : -1;
  }
  let i = start;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c < 0x80 && (HOST_CHAR[c] & REG) !== 0) {
      i++;
    } else if (c === 0x25 /* % */) {
      // pct-encoded = "%" HEXDIG HEXDIG
      if (i + 2 >= end || !isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return -1;
      i += 3;
    } else {
      break;
    }
  }
  return i === start ? -1 : i;
}

/** s[start, end) is all ASCII digits (an empty port is valid RFC 3986 syntax, §3.2.3). */
function digitsOnly(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function isHex(c: number): boolean {
  return c < 0x80 && (HOST_CHAR[c] & HEXDIG) !== 0;
}

/**
 * IPv6address (RFC 3986 §3.2.2): eight groups of 1–4 hex digits separated by ":", at most one
 * "::" standing for one or more zero groups, and the last two groups optionally written as an
 * IPv4address.
 */
function isIpv6(s: string, start: number, end: number): boolean {
  let i = start;
  let groups = 0;
  let compressed = false;
  if (end - start >= 2 && s.charCodeAt(start) === COLON && s.charCodeAt(start + 1) === COLON) {
    compressed = true;
    i += 2;
    if (i === end) return true; // "::"
  }
  while (groups <= 8) {
    const g = i;
    while (i < end && i - g < 4 && isHex(s.charCodeAt(i))) i++;
    if (i === g) return false;
    if (i < end && s.charCodeAt(i) === DOT) {
      // ls32 as an IPv4address: only at the very end, and worth two groups.
      if (!isIpv4(s, g, end)) return false;
      groups += 2;
      break;
    }
    groups++;
    if (i === end) break;
    if (s.charCodeAt(i) !== COLON) return false;
    i++;
    if (i < end && s.charCodeAt(i) === COLON) {
      if (compressed) return false;
      compressed = true;
      i++;
      if (i === end) break;
    } else if (i === end) {
      return false; // a single trailing ":"
    }
  }
  return compressed ? groups <= 7 : groups === 8;
}

/** IPv4address: four dec-octets (0–255, no leading zero) separated by ".". */
function isIpv4(s: string, start: number, end: number): boolean {
  let i = start;
  for (let part = 1; ; part++) {
    const g = i;
    let value = 0;
    let c = 0;
    while (i < end && i - g < 3 && (c = s.charCodeAt(i)) >= 0x30 && c <= 0x39) {
      value = value * 10 + (c - 0x30);
      i++;
    }
    if (i === g || value > 255 || (i - g > 1 && s.charCodeAt(g) === 0x30)) return false;
    if (i === end) return part === 4;
    if (part === 4 || s.charCodeAt(i) !== DOT) return false;
    i++;
  }
}

/** IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ). */
function isIpvFuture(s: string, start: number, end: number): boolean {
  if ((s.charCodeAt(start) | 0x20) !== 0x76 /* v */) return false;
  let i = start + 1;
  while (i < end && isHex(s.charCodeAt(i))) i++;
  if (i === start + 1 || i === end || s.charCodeAt(i) !== DOT) return false;
  if (++i === end) return false;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 || (HOST_CHAR[c] & FUTURE) === 0) return false;
  }
  return true;
}
