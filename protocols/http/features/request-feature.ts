import { FeatureKey, type ConnectionContext } from '../../../connection/index.js';
import type { RequestHeaders } from '../request-headers.js';

export type HttpProtocolName = 'HTTP/1.0' | 'HTTP/1.1' | 'HTTP/2';

/** The request line and head, as every HTTP version has them (Kestrel's `IHttpRequestFeature`). */
export interface HttpRequestFeature {
  readonly connection: ConnectionContext;
  /** For display and logs; the pipeline never branches on it (it asks for a feature instead). */
  readonly protocol: HttpProtocolName;
  /** The method as sent (methods are case-sensitive; GET and get differ). */
  readonly method: string;
  /** The request-target exactly as sent: `/a?b`, `http://host/a`, `host:443` or `*`. */
  readonly target: string;
  readonly headers: RequestHeaders;
}
export const HttpRequestFeature = new FeatureKey<HttpRequestFeature>('http.request');
