import { isIP } from 'node:net';
import type { Scheme } from '../../connection/index.js';

/** One proxy's account of the hop before it, as far as it could be read. */
export interface ForwardedHop {
  /** The address it forwarded for, or undefined when missing, obfuscated or malformed. */
  readonly address: string | undefined;
  /** The peer's port when the proxy gave one (RFC 7239 only), else 0. */
  readonly port: number;
  /** `'http'` or `'https'`, or undefined when absent or anything else. */
  readonly proto: Scheme | undefined;
  /** A well-formed host (with optional port), or undefined. */
  readonly host: string | undefined;
}

const OWS = ' \t';

function trimOws(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && OWS.includes(s[start])) start++;
  while (end > start && OWS.includes(s[end - 1])) end--;
  return s.slice(start, end);
}

function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.split(',').map(trimOws);
}

/** The schemes taken from a proxy; anything else would be a scheme the app cannot serve. */
function protoOf(value: string | undefined): Scheme | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  return lower === 'http' || lower === 'https' ? lower : undefined;
}

function isHostChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || // 0-9
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x61 && c <= 0x7a) || // a-z
    c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e || // - . _ ~
    c === 0x3a || c === 0x5b || c === 0x5d // : [ ] (port, IP literal)
  );
}

/** A host as an authority (RFC 9110 §7.2): reg-name or IP literal and an optional port; else undefined. */
function hostOf(value: string | undefined): string | undefined {
  if (value === undefined || value.length === 0 || value.length > 261) return undefined;
  for (let i = 0; i < value.length; i++) if (!isHostChar(value.charCodeAt(i))) return undefined;
  return value;
}

function portOf(text: string): number {
  if (text.length === 0 || text.length > 5) return -1;
  let port = 0;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    port = port * 10 + d;
  }
  return port <= 0xffff ? port : -1;
}

/**
 * An RFC 7239 node (§6): `192.0.2.43`, `"[2001:db8::1]:4711"` (unquoted), `unknown`, `_hidden`.
 * An obfuscated port (`_x`) reads as 0; anything unreadable gives no address.
 */
function nodeOf(node: string): { address: string | undefined; port: number } {
  let address: string;
  let portText: string | undefined;
  if (node.charCodeAt(0) === 0x5b) {
    const close = node.indexOf(']');
    if (close < 0) return { address: undefined, port: 0 };
    address = node.slice(1, close);
    if (isIP(address) !== 6) return { address: undefined, port: 0 };
    if (close + 1 < node.length) {
      if (node.charCodeAt(close + 1) !== 0x3a) return { address: undefined, port: 0 };
      portText = node.slice(close + 2);
    }
  } else {
    const colon = node.indexOf(':');
    address = colon < 0 ? node : node.slice(0, colon);
    if (colon >= 0) portText = node.slice(colon + 1);
    if (isIP(address) !== 4) return { address: undefined, port: 0 };
  }
  if (portText === undefined || portText.charCodeAt(0) === 0x5f) return { address, port: 0 };
  const port = portOf(portText);
  return port < 0 ? { address: undefined, port: 0 } : { address, port };
}

/**
 * The hops of `X-Forwarded-For/-Proto/-Host`, left (client side) to right (nearest proxy). The
 * lists are aligned from the right, as each proxy appends; a shorter Proto or Host list (a
 * proxy that overwrites rather than appends, as nginx's `$scheme`) covers the nearest hops only.
 */
export function xForwardedHops(forValue: string | undefined, protoValue: string | undefined, hostValue: string | undefined): ForwardedHop[] {
  const fors = splitList(forValue);
  const protos = splitList(protoValue);
  const hosts = splitList(hostValue);
  const hops: ForwardedHop[] = new Array(fors.length);
  for (let i = 0; i < fors.length; i++) {
    const fromRight = fors.length - 1 - i;
    const a = fors[i];
    hops[i] = {
      // X-Forwarded-For has bare addresses; an IPv6 one may come bracketed.
      address: isIP(a) !== 0 ? a : a.charCodeAt(0) === 0x5b && a.endsWith(']') && isIP(a.slice(1, -1)) === 6 ? a.slice(1, -1) : undefined,
      port: 0,
      proto: protoOf(protos[protos.length - 1 - fromRight]),
      host: hostOf(hosts[hosts.length - 1 - fromRight]),
    };
  }
  return hops;
}

function isTokenChar(c: number): boolean {
  // tchar (RFC 9110 §5.6.2)
  return (
    (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
    c === 0x21 || (c >= 0x23 && c <= 0x27) || c === 0x2a || c === 0x2b || c === 0x2d || c === 0x2e ||
    c === 0x5e || c === 0x5f || c === 0x60 || c === 0x7c || c === 0x7e
  );
}

/**
 * The hops of an RFC 7239 `Forwarded` value, left to right, or undefined when the value is not
 * well-formed (§4): the whole header is then ignored, since where one element ends is unknown.
 */
export function forwardedHops(value: string): ForwardedHop[] | undefined {
  const hops: ForwardedHop[] = [];
  let pairs = new Map<string, string>();
  let i = 0;
  const n = value.length;
  const skipOws = (): void => {
    while (i < n && OWS.includes(value[i])) i++;
  };
  const endElement = (): void => {
    const node = pairs.get('for');
    const parsed = node === undefined ? { address: undefined, port: 0 } : nodeOf(node);
    hops.push({ address: parsed.address, port: parsed.port, proto: protoOf(pairs.get('proto')), host: hostOf(pairs.get('host')) });
    pairs = new Map();
  };
  for (;;) {
    skipOws();
    if (i < n && value[i] !== ',' && value[i] !== ';') {
      const start = i;
      while (i < n && isTokenChar(value.charCodeAt(i))) i++;
      if (i === start || value[i] !== '=') return undefined;
      const name = value.slice(start, i).toLowerCase();
      i++;
      let pairValue: string;
      if (value[i] === '"') {
        i++;
        let text = '';
        for (;;) {
          if (i >= n) return undefined;
          const c = value[i++];
          if (c === '"') break;
          if (c === '\\') {
            if (i >= n) return undefined;
            text += value[i++];
          } else text += c;
        }
        pairValue = text;
      } else {
        const vStart = i;
        while (i < n && isTokenChar(value.charCodeAt(i))) i++;
        if (i === vStart) return undefined;
        pairValue = value.slice(vStart, i);
      }
      // A parameter twice in one element (§4): which one the proxy meant is unknown.
      if (pairs.has(name)) return undefined;
      pairs.set(name, pairValue);
      skipOws();
    }
    if (i >= n) break;
    const sep = value[i++];
    if (sep === ',') endElement();
    else if (sep !== ';') return undefined;
  }
  endElement();
  return hops;
}
