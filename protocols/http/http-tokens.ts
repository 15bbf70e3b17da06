import { token } from '../../connection/index.js';
import type { Heartbeat } from './heartbeat.js';
import type { HttpApplication } from './http-exchange.js';
import type { HttpLimits } from './http-limits.js';
import type { ResolvedHttpOptions } from './http-options.js';
import type { Http2Limits } from './http2-limits.js';
import type { ProtocolAdapter } from './protocol-adapter.js';

// The tokens of the HTTP contracts, beside them (as connection/tokens.ts holds the connection ones),
// so any adapter can @inject them; di/ registers the defaults and re-exports every token.

/** The one heartbeat of a server: every HTTP connection's timeouts and the cached Date header. */
export const HEARTBEAT = token<Heartbeat>('tiercel.Heartbeat');
/** The HTTP options after checking (`resolveHttpOptions`). */
export const HTTP_OPTIONS = token<ResolvedHttpOptions>('tiercel.HttpOptions');
/** Every HTTP limit (`resolveHttpLimits`); by default those of `HTTP_OPTIONS`. */
export const HTTP_LIMITS = token<HttpLimits>('tiercel.HttpLimits');
/** The HTTP/2-only limits (`resolveHttp2Limits`); by default those of `HTTP_OPTIONS`. */
export const HTTP2_LIMITS = token<Http2Limits>('tiercel.Http2Limits');
/** The app the HTTP terminal serves (what `server.useHttp(app)` registers). */
export const HTTP_APPLICATION = token<HttpApplication>('tiercel.HttpApplication');
/** The protocol adapters, in registration order (see `ProtocolAdapter` for how one is chosen). */
export const PROTOCOL_ADAPTER = token<ProtocolAdapter>('tiercel.ProtocolAdapter');
