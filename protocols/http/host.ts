// The Host value shared by every HTTP version: HTTP/1.1's Host field, HTTP/2's :authority.

// reg-name characters (RFC 3986 §3.2.2): unreserved / pct-encoded / sub-delims.
const REG_NAME = new Uint8Array(128);
for (const c of "-._~%!$&'()*+,;=") REG_NAME[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) REG_NAME[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) REG_NAME[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) REG_NAME[c] = 1;

/** `uri-host [ ":" port ]`, or empty (allowed when the target URI has no authority). */
export function isValidHostValue(host: string): boolean {
  const n = host.length;
  let i = 0;
  if (n > 0 && host.charCodeAt(0) === 0x5b /* [ */) {
    const close = host.indexOf(']');
    if (close < 2) return false;
    for (i = 1; i < close; i++) {
      const c = host.charCodeAt(i);
      // IPv6address / IPvFuture: hex digits, ':', '.', and the IPvFuture 'v' + unreserved/sub-delims.
      if (c > 0x7f || (REG_NAME[c] === 0 && c !== 0x3a)) return false;
    }
    i = close + 1;
  } else {
    while (i < n) {
      const c = host.charCodeAt(i);
      if (c === 0x3a /* : */) break;
      if (c > 0x7f || REG_NAME[c] === 0) return false;
      i++;
    }
  }
  if (i === n) return true;
  if (host.charCodeAt(i) !== 0x3a) return false;
  for (i++; i < n; i++) {
    const c = host.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
