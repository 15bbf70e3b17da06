import { InvalidEndpointError } from './errors.js';

/**
 * Where a listener binds or a connection comes from: a tagged union on `kind`.
 * Custom transports may introduce their own kinds; the built-in ones are below.
 */
export type Endpoint = TcpEndpoint | PipeEndpoint | MemoryEndpoint | FdEndpoint | CustomEndpoint;

/**
 * An IP endpoint. `host` is an IP literal (`127.0.0.1`, `::1`), or one of two wildcards:
 * `'*'` (every address; dual-stack IPv6 where the OS has it, as Kestrel's `ListenAnyIP`) and
 * `'localhost'` (both loopbacks, 127.0.0.1 and ::1, as Kestrel's `ListenLocalhost`).
 * `port` 0 asks the OS for a free port; the listener's endpoint has the real one.
 */
export interface TcpEndpoint {
  readonly kind: 'tcp';
  readonly host: string;
  readonly port: number;
}

/** A unix domain socket path (POSIX) or a Windows named pipe path (`\\.\pipe\name`). */
export interface PipeEndpoint {
  readonly kind: 'pipe';
  readonly path: string;
}

/** An in-process endpoint served by the in-memory transport, addressed by name. */
export interface MemoryEndpoint {
  readonly kind: 'memory';
  readonly name: string;
}

/**
 * A listening socket the process was handed (systemd socket activation: `LISTEN_FDS`), by its
 * number (`fd: 3`) or by the name systemd passed in `LISTEN_FDNAMES` (`name: 'web'`, every
 * descriptor of that name). A URL sets one of the two.
 */
export interface FdEndpoint {
  readonly kind: 'fd';
  readonly fd?: number;
  readonly name?: string;
}

/** Any endpoint kind a user's transport understands. */
export interface CustomEndpoint {
  readonly kind: string & {};
  readonly [key: string]: unknown;
}

/**
 * Whether `endpoint` is of a transport's own `kind`, narrowing it to a `CustomEndpoint` of that kind
 * (comparing `endpoint.kind` alone does not narrow: a custom kind is any string). Its other fields
 * are `unknown` until checked: `isCustomEndpoint(e, 'loop') && typeof e.name === 'string'`.
 */
export function isCustomEndpoint<K extends string>(endpoint: Endpoint, kind: K): endpoint is CustomEndpoint & { readonly kind: K } {
  return endpoint.kind === kind;
}

export type Scheme = 'http' | 'https';

export interface ParsedUrl {
  readonly scheme: Scheme;
  readonly endpoint: Endpoint;
}

const WINDOWS_PIPE_PREFIX = '\\\\.\\pipe\\';

/**
 * Reads a listen URL (the forms Kestrel's `--urls` takes, plus tiercel's `memory:`):
 * `http://127.0.0.1:5000`, `http://[::1]:0`, `http://localhost:5000`, `http://*:5000`,
 * `http://+:5000`, `http://unix:/abs/path.sock`, `http://pipe:/name`, `http://memory:name`,
 * `http://fd:3` and `http://fd:web` (a socket passed by systemd, by number or by name), and the
 * same with `https://`.
 */
export function parseUrl(input: string): ParsedUrl {
  if (typeof input !== 'string') throw new InvalidEndpointError(String(input), 'a URL string is required');
  const url = input.trim();
  const sep = url.indexOf('://');
  if (sep <= 0) throw new InvalidEndpointError(input, "expected a scheme, as in 'http://127.0.0.1:5000'");
  const schemeText = url.slice(0, sep).toLowerCase();
  if (schemeText !== 'http' && schemeText !== 'https') {
    throw new InvalidEndpointError(input, `unsupported scheme '${schemeText}' (use http or https)`);
  }
  const scheme = schemeText as Scheme;
  let rest = url.slice(sep + 3);
  if (rest.length === 0) throw new InvalidEndpointError(input, 'the host is missing');

  const lower = rest.toLowerCase();
  if (lower.startsWith('unix:')) {
    const path = rest.slice(5);
    if (!path.startsWith('/')) throw new InvalidEndpointError(input, 'a unix socket path must be absolute (unix:/path/to.sock)');
    return { scheme, endpoint: { kind: 'pipe', path } };
  }
  if (lower.startsWith('pipe:')) {
    const name = rest.slice(5).replace(/^\/+/, '');
    if (name.length === 0) throw new InvalidEndpointError(input, 'the pipe name is missing (pipe:/name)');
    if (/[\\/]/.test(name)) throw new InvalidEndpointError(input, 'a pipe name cannot contain a slash or backslash');
    return { scheme, endpoint: { kind: 'pipe', path: WINDOWS_PIPE_PREFIX + name } };
  }
  if (lower.startsWith('memory:')) {
    const name = rest.slice(7).replace(/^\/+/, '').replace(/\/+$/, '');
    if (name.length === 0) throw new InvalidEndpointError(input, 'the memory endpoint name is missing (memory:name)');
    // The URL as a whole is trimmed, so a name ending in whitespace would not survive being printed
    // and read back (found by the endpoint fuzz target: 'http://memory:\r/').
    if (name.trim() !== name) throw new InvalidEndpointError(input, 'a memory endpoint name cannot start or end with whitespace');
    return { scheme, endpoint: { kind: 'memory', name } };
  }
  if (lower.startsWith('fd:')) return { scheme, endpoint: parseFd(input, rest.slice(3)) };

  // Strip a trailing path: Kestrel accepts `http://host:port/` and ignores a bare slash, but a real
  // path base is not an endpoint property.
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const path = rest.slice(slash);
    if (path !== '/') throw new InvalidEndpointError(input, `a path ('${path}') is not allowed in a listen URL`);
    rest = rest.slice(0, slash);
  }

  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) throw new InvalidEndpointError(input, "an IPv6 address needs a closing ']'");
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after.length > 0) {
      if (!after.startsWith(':')) throw new InvalidEndpointError(input, "expected ':port' after the IPv6 address");
      portText = after.slice(1);
    }
    if (!isIPv6(host)) throw new InvalidEndpointError(input, `'${host}' is not an IPv6 address`);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      host = rest.slice(0, colon);
      portText = rest.slice(colon + 1);
      if (host.includes(':')) throw new InvalidEndpointError(input, 'an IPv6 address must be in brackets, as in http://[::1]:5000');
    } else {
      host = rest;
    }
  }
  if (host.length === 0) throw new InvalidEndpointError(input, 'the host is missing');

  let port: number;
  if (portText === undefined) {
    port = scheme === 'https' ? 443 : 80;
  } else {
    if (!/^[0-9]{1,5}$/.test(portText)) throw new InvalidEndpointError(input, `'${portText}' is not a port number`);
    port = Number(portText);
    if (port > 65535) throw new InvalidEndpointError(input, `port ${port} is out of range (0-65535)`);
  }

  const hostLower = host.toLowerCase();
  if (host === '*' || host === '+') return { scheme, endpoint: { kind: 'tcp', host: '*', port } };
  if (hostLower === 'localhost') return { scheme, endpoint: { kind: 'tcp', host: 'localhost', port } };
  if (isIPv4(host)) return { scheme, endpoint: { kind: 'tcp', host, port } };
  if (isIPv6(host)) {
    // The address is case-insensitive; a zone names an interface, and `eth0` is not `ETH0`.
    const zone = host.indexOf('%');
    return { scheme, endpoint: { kind: 'tcp', host: zone < 0 ? hostLower : hostLower.slice(0, zone) + host.slice(zone), port } };
  }
  // Kestrel binds any other host name to every address and warns; we refuse, because binding
  // everything when the user named one host is a surprise that can expose a service.
  throw new InvalidEndpointError(
    input,
    `'${host}' is not an IP address; use an IP, 'localhost', or '*' for every address`,
  );
}

/**
 * `fd:3` is a descriptor number (3 or more: 0 to 2 are stdio), `fd:web` a name as systemd's
 * `FileDescriptorName=` gives it (a name is never all digits, so the two cannot be confused).
 */
function parseFd(input: string, text: string): FdEndpoint {
  const ref = text.replace(/\/+$/, '');
  if (ref.length === 0) throw new InvalidEndpointError(input, 'the descriptor is missing (fd:3, or a name as in fd:web)');
  if (/^[0-9]+$/.test(ref)) {
    const fd = Number(ref);
    if (fd < 3 || !Number.isSafeInteger(fd)) throw new InvalidEndpointError(input, 'a passed descriptor is 3 or more (0 to 2 are stdin, stdout and stderr)');
    return { kind: 'fd', fd };
  }
  // systemd's rule for FileDescriptorName=: printable ASCII without ':' (the separator in LISTEN_FDNAMES), at most 255.
  if (ref.length > 255 || !/^[\x21-\x39\x3b-\x7e]+$/.test(ref)) {
    throw new InvalidEndpointError(input, `'${ref}' is not a descriptor name (printable ASCII without ':' or spaces, at most 255 characters)`);
  }
  return { kind: 'fd', name: ref };
}

/** `parseUrl(url).endpoint`: the address part of a listen URL. */
export function parseEndpoint(input: string): Endpoint {
  return parseUrl(input).endpoint;
}

/** A short human form: `127.0.0.1:5000`, `[::1]:5000`, `unix:/run/app.sock`, `memory:name`, `fd:3`, `fd:web`. */
export function formatEndpoint(endpoint: Endpoint): string {
  switch (endpoint.kind) {
    case 'tcp': {
      const { host, port } = endpoint as TcpEndpoint;
      return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    }
    case 'pipe': {
      const { path } = endpoint as PipeEndpoint;
      return path.startsWith(WINDOWS_PIPE_PREFIX) ? `pipe:/${path.slice(WINDOWS_PIPE_PREFIX.length)}` : `unix:${path}`;
    }
    case 'memory':
      return `memory:${(endpoint as MemoryEndpoint).name}`;
    case 'fd': {
      const { fd, name } = endpoint as FdEndpoint;
      return `fd:${fd ?? name}`;
    }
    default: {
      const { kind, ...rest } = endpoint;
      return `${kind}:${JSON.stringify(rest)}`;
    }
  }
}

/** The URL form of an endpoint, as the server prints it at startup. */
export function formatUrl(endpoint: Endpoint, scheme: Scheme = 'http'): string {
  return `${scheme}://${formatEndpoint(endpoint)}`;
}

export function isWindowsPipePath(path: string): boolean {
  return path.startsWith(WINDOWS_PIPE_PREFIX);
}

function isIPv4(host: string): boolean {
  const parts = host.split('.');
  if (parts.length !== 4) return false;
  for (const p of parts) {
    // No leading zero: the resolver reads `010` as octal, and `010.0.0.1` would bind 8.0.0.1.
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return false;
  }
  return true;
}

function isIPv6(host: string): boolean {
  // node:net's isIPv6 would be exact, but connection/ stays free of node:net by design;
  // this accepts the RFC 4291 text forms (with an optional embedded IPv4 tail and zone), and a
  // zone only of the characters node:net takes: it must read the host as the same IP literal.
  const zone = host.indexOf('%');
  const addr = zone >= 0 ? host.slice(0, zone) : host;
  if (zone >= 0 && !/^[0-9A-Za-z.:-]+$/.test(host.slice(zone + 1))) return false;
  if (!/^[0-9a-fA-F:.]+$/.test(addr) || !addr.includes(':')) return false;
  // An empty group is only where "::" stands: `:1::2` and `1::2:` are not addresses.
  if ((addr.startsWith(':') && !addr.startsWith('::')) || (addr.endsWith(':') && !addr.endsWith('::'))) return false;
  const doubleColon = addr.indexOf('::');
  if (doubleColon !== addr.lastIndexOf('::')) return false;
  let groups = addr.split(':');
  const last = groups[groups.length - 1];
  let extra = 0;
  if (last.includes('.')) {
    if (!isIPv4(last)) return false;
    groups = groups.slice(0, -1);
    extra = 2;
  }
  if (doubleColon >= 0) {
    const nonEmpty = groups.filter((g) => g.length > 0);
    if (nonEmpty.length + extra > 7) return false;
    return nonEmpty.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g));
  }
  return groups.length + extra === 8 && groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g));
}
