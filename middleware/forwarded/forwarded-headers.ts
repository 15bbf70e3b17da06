import { createRequire } from 'node:module';
import type proxyAddr from 'proxy-addr';
import type { Scheme, TcpEndpoint } from '../../connection/index.js';
import type { HttpContext, Middleware, Next } from '../../pipeline/index.js';
import { forwardedHops, xForwardedHops, type ForwardedHop } from './forwarded-parse.js';
import { ForwardedOptionsError, resolveForwardedHeadersOptions, type ForwardedHeadersOptions } from './forwarded-options.js';

// proxy-addr is CommonJS: required when the first forwardedHeaders() is made, not imported (see
// middleware/router/router.ts).
const require = createRequire(import.meta.url);

/**
 * Request middleware that believes a trusted proxy about the client: from the socket's peer back,
 * while each peer is trusted and at most `maxHops` times, it takes the address the proxy forwarded
 * for, and that hop's scheme and host. The app then sees them as `ctx.connection.remoteEndpoint`,
 * `ctx.request.scheme` and `ctx.request.host`; the proxy stays `ctx.connection.peerEndpoint`.
 * A header from an untrusted peer, a malformed or obfuscated address, or a scheme other than
 * http/https is not taken (the request goes on as the socket says), never answered with an error.
 */
export function forwardedHeaders(options?: ForwardedHeadersOptions): Middleware {
  const resolved = resolveForwardedHeadersOptions(options);
  let trust: (address: string, hop: number) => boolean;
  try {
    trust = (require('proxy-addr') as typeof proxyAddr).compile([...resolved.trustedProxies]);
  } catch (err) {
    throw new ForwardedOptionsError(`trustedProxies: ${(err as Error).message}`);
  }
  const { maxHops } = resolved;
  const readHops = resolved.headers === 'forwarded' ? readForwarded : readXForwarded;
  return (ctx: HttpContext, next: Next) => {
    const endpoint = ctx.exchange.connection.remoteEndpoint;
    // Only an IP peer can be a trusted proxy (an address to check); nothing to do for the others.
    if (endpoint.kind !== 'tcp') return next();
    const peer = endpoint as TcpEndpoint;
    if (!trust(peer.host, 0)) return next();
    const hops = readHops(ctx);
    if (hops === undefined || hops.length === 0) return next();
    let taken: ForwardedHop | undefined;
    let proto: Scheme | undefined;
    let host: string | undefined;
    let address = peer.host;
    for (let i = 0; i < maxHops && i < hops.length; i++) {
      if (i > 0 && !trust(address, i)) break;
      const hop = hops[hops.length - 1 - i];
      if (hop.address === undefined) break;
      taken = hop;
      address = hop.address;
      proto = hop.proto ?? proto;
      host = hop.host ?? host;
    }
    if (taken !== undefined) {
      ctx.connection.remoteEndpoint = { kind: 'tcp', host: taken.address as string, port: taken.port };
      if (proto !== undefined) ctx.request.scheme = proto;
      if (host !== undefined) ctx.request.host = host;
    }
    return next();
  };
}

function joined(ctx: HttpContext, name: string): string | undefined {
  const values = ctx.request.headers.getAll(name);
  return values.length === 0 ? undefined : values.length === 1 ? values[0] : values.join(',');
}

function readXForwarded(ctx: HttpContext): ForwardedHop[] | undefined {
  const forValue = joined(ctx, 'x-forwarded-for');
  if (forValue === undefined) return undefined;
  return xForwardedHops(forValue, joined(ctx, 'x-forwarded-proto'), joined(ctx, 'x-forwarded-host'));
}

function readForwarded(ctx: HttpContext): ForwardedHop[] | undefined {
  const value = joined(ctx, 'forwarded');
  return value === undefined ? undefined : forwardedHops(value);
}
