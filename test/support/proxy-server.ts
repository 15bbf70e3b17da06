// A real tiercel Server with PROXY protocol connection middleware on 127.0.0.1:0 (optionally TLS
// after it, and a unix socket endpoint), serving an app that answers what it believes about the
// connection: the remote and local endpoints the pipeline sees, TLS, the HTTP version, and the
// PROXY feature. Used by the middleware tests and the HAProxy test.
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import type { ClientHttp2Session } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProxyProtocolFeature, formatEndpoint, type ConnectionMiddleware, type Endpoint, type TcpEndpoint } from '../../connection/index.js';
import { Server, type EndpointBuilder } from '../../hosting/index.js';
import { ApplicationBuilder } from '../../pipeline/index.js';
import type { CertificateSource } from '../../protocols/tls/index.js';
import { proxyProtocolMiddleware, type ProxyProtocolMiddleware, type ProxyProtocolOptions } from '../../protocols/proxy/index.js';
import { MemoryLogger } from '../pipeline/support.js';

/** What `/whoami` answers. */
export interface WhoAmI {
  readonly remote: string;
  readonly local: string;
  readonly protocol: string;
  readonly secure: boolean;
  readonly connectionId: string;
  /** The PROXY feature, reduced to JSON (null when the middleware set none). */
  readonly proxy: {
    readonly version: number;
    readonly command: string;
    readonly family: string;
    readonly transportRemote: string;
    readonly transportLocal: string;
    readonly alpn: string | null;
    readonly authority: string | null;
    readonly uniqueId: string | null;
    readonly tlvTypes: number[];
    /** PP2_TYPE_SSL, when the proxy terminated TLS. */
    readonly ssl: { readonly ssl: boolean; readonly version: string | null; readonly cipher: string | null; readonly signatureAlgorithm: string | null; readonly keyAlgorithm: string | null } | null;
  } | null;
}

const show = (e: Endpoint): string => formatEndpoint(e);

/** The app, counting what it answers in `counter.requests`. */
function whoamiApp(counter: { requests: number }): ApplicationBuilder {
  return new ApplicationBuilder().run((ctx) => {
    const c = ctx.exchange.connection;
    const p = c.features.get(ProxyProtocolFeature);
    const body: WhoAmI = {
      remote: show(ctx.connection.remoteEndpoint),
      local: show(ctx.connection.localEndpoint),
      protocol: ctx.request.protocol,
      secure: ctx.connection.isSecure,
      connectionId: ctx.connection.id,
      proxy:
        p === undefined
          ? null
          : {
              version: p.version,
              command: p.command,
              family: p.family,
              transportRemote: show(p.transportRemoteEndpoint),
              transportLocal: show(p.transportLocalEndpoint),
              alpn: p.tlvs.alpn ?? null,
              authority: p.tlvs.authority ?? null,
              uniqueId: p.tlvs.uniqueId?.toString('latin1') ?? null,
              tlvTypes: p.tlvs.raw.map((t) => t.type),
              ssl:
                p.tlvs.ssl === undefined
                  ? null
                  : {
                      ssl: p.tlvs.ssl.ssl,
                      version: p.tlvs.ssl.version ?? null,
                      cipher: p.tlvs.ssl.cipher ?? null,
                      signatureAlgorithm: p.tlvs.ssl.signatureAlgorithm ?? null,
                      keyAlgorithm: p.tlvs.ssl.keyAlgorithm ?? null,
                    },
            },
    };
    counter.requests++;
    return ctx.response.json(body);
  });
}

export interface ProxiedServer {
  readonly server: Server;
  readonly proxy: ProxyProtocolMiddleware;
  readonly logger: MemoryLogger;
  /** The TCP port on 127.0.0.1. */
  readonly port: number;
  /** The unix socket, when asked for. */
  readonly socketPath: string | undefined;
  /** Requests the app has answered so far. */
  requests(): number;
  /** The reasons the middleware logged refusals with, in order. */
  refusals(): string[];
  stop(): Promise<void>;
}

export interface ProxiedServerOptions {
  readonly proxy?: ProxyProtocolOptions;
  /** TLS after the PROXY middleware. */
  readonly certificate?: CertificateSource;
  /** Also listen on a unix socket. */
  readonly unix?: boolean;
  /** Connection middleware run before the PROXY middleware. */
  readonly before?: ConnectionMiddleware;
  /** Passed to the middleware (a ManualClock, for instance). */
  readonly clock?: Parameters<typeof proxyProtocolMiddleware>[2];
}

export async function startProxiedServer(options: ProxiedServerOptions = {}): Promise<ProxiedServer> {
  const logger = new MemoryLogger();
  const proxy = proxyProtocolMiddleware(options.proxy ?? { trustedProxies: ['127.0.0.1'] }, logger, options.clock);
  const server = new Server({ logLevel: 'silent' });
  const counter = { requests: 0 };
  server.useHttp(whoamiApp(counter));
  const configure = (ep: EndpointBuilder): void => {
    if (options.before !== undefined) ep.use(options.before);
    // PROXY first: it reads the header before TLS sees a byte.
    ep.use(proxy.middleware);
    if (options.certificate !== undefined) ep.useHttps({ certificate: options.certificate });
  };
  server.listen('http://127.0.0.1:0', configure);
  let dir: string | undefined;
  let socketPath: string | undefined;
  if (options.unix === true) {
    dir = mkdtempSync(join(tmpdir(), 'tiercel-proxy-'));
    socketPath = join(dir, 's.sock');
    server.listen(`http://unix:${socketPath}`, configure);
  }
  await server.start();
  return {
    server,
    proxy,
    logger,
    port: (server.endpoints[0] as TcpEndpoint).port,
    socketPath,
    requests: () => counter.requests,
    refusals: () => logger.entries.filter((e) => e.message.startsWith('PROXY protocol header refused')).map((e) => String(e.fields?.reason)),
    stop: async () => {
      await server.stop(500);
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** GETs `/whoami` on an HTTP/2 session. */
export function h2Whoami(session: ClientHttp2Session): Promise<WhoAmI> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':path': '/whoami' });
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => resolve(JSON.parse(body) as WhoAmI));
    req.on('error', reject);
  });
}
