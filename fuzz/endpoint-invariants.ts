// The listen-URL parser (connection/endpoint.ts) on any string: it refuses with its typed error
// and nothing else; what it accepts is an endpoint a transport can bind as written (an IP that
// node:net reads as the same IP, a port in range, a pipe or memory name), and printing an
// endpoint and reading it back gives the same endpoint. Used by the fuzz target and
// test/connection/endpoint.properties.test.ts.
import { isIP } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import {
  InvalidEndpointError,
  formatUrl,
  parseUrl,
  type FdEndpoint,
  type MemoryEndpoint,
  type ParsedUrl,
  type PipeEndpoint,
  type TcpEndpoint,
} from '../connection/index.js';
import { invariant, show } from './invariant.js';

const WINDOWS_PIPE_PREFIX = '\\\\.\\pipe\\';

/** Parses `input` and checks the result; returns it, or null when it was refused as it should be. */
export function checkEndpoint(input: string): ParsedUrl | null {
  let parsed: ParsedUrl;
  try {
    parsed = parseUrl(input);
  } catch (err) {
    invariant(err instanceof InvalidEndpointError, () => `parseUrl(${show(input)}) threw ${String(err)}`);
    invariant(err.code === 'ERR_TIERCEL_INVALID_ENDPOINT' && err.input === input, () => `parseUrl(${show(input)}): ${err.code} for ${show(err.input)}`);
    return null;
  }
  const where = (what: string): string => `parseUrl(${show(input)}) = ${JSON.stringify(parsed)}: ${what}`;
  invariant(parsed.scheme === 'http' || parsed.scheme === 'https', () => where('scheme'));
  const endpoint = parsed.endpoint;
  switch (endpoint.kind) {
    case 'tcp': {
      const { host, port } = endpoint as TcpEndpoint;
      invariant(Number.isInteger(port) && port >= 0 && port <= 65535, () => where('port out of range'));
      // node:net's reading is the reference: a host it does not take for an IP literal would be
      // looked up by name, and the resolver may read it differently (`010.0.0.1` as 8.0.0.1).
      invariant(host === '*' || host === 'localhost' || isIP(host) !== 0, () => where(`node:net does not read '${host}' as an IP`));
      break;
    }
    case 'pipe': {
      const { path } = endpoint as PipeEndpoint;
      const windows = path.startsWith(WINDOWS_PIPE_PREFIX);
      const name = path.slice(WINDOWS_PIPE_PREFIX.length);
      invariant(windows ? name.length > 0 && !/[\\/]/.test(name) : path.startsWith('/'), () => where('pipe path'));
      break;
    }
    case 'memory':
      invariant((endpoint as MemoryEndpoint).name.length > 0, () => where('empty memory name'));
      break;
    case 'fd': {
      // A passed descriptor (3 or more) or a systemd FileDescriptorName= (printable ASCII without ':').
      const { fd, name } = endpoint as FdEndpoint;
      const byNumber = fd !== undefined && Number.isSafeInteger(fd) && fd >= 3 && name === undefined;
      const byName = fd === undefined && name !== undefined && name.length > 0 && name.length <= 255 && !/[^\x21-\x39\x3b-\x7e]/.test(name);
      invariant(byNumber || byName, () => where('descriptor'));
      break;
    }
    default:
      invariant(false, () => where(`unknown kind '${endpoint.kind}'`));
  }
  const printed = formatUrl(endpoint, parsed.scheme);
  let again: ParsedUrl | undefined;
  try {
    again = parseUrl(printed);
  } catch (err) {
    invariant(false, () => where(`its printed form ${show(printed)} is refused: ${(err as Error).message}`));
  }
  invariant(isDeepStrictEqual(again, parsed), () => where(`printed as ${show(printed)}, read back as ${JSON.stringify(again)}`));
  return parsed;
}
