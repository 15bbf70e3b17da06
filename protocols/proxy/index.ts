// protocols/proxy/: the PROXY protocol (v1 and v2) as connection middleware. Imports only connection/.
export { proxyProtocolMiddleware, type ProxyProtocolMiddleware, type ProxyProtocolStats } from './proxy-protocol-middleware.js';
export {
  PROXY_PROTOCOL_DEFAULTS,
  MIN_PROXY_HEADER_BYTES,
  MAX_PROXY_V2_HEADER_BYTES,
  resolveProxyProtocolOptions,
  type ProxyProtocolOptions,
  type ResolvedProxyProtocolOptions,
  type UntrustedPeerPolicy,
} from './proxy-protocol-options.js';
export { ProxyHeaderParser, parseProxyHeader, type ProxyParseResult } from './proxy-header-parser.js';
export { PROXY_V1_MAX_LENGTH } from './proxy-v1.js';
export { PROXY_V2_SIGNATURE, PROXY_V2_FIXED_LENGTH } from './proxy-v2.js';
export {
  PP2_TYPE_ALPN,
  PP2_TYPE_AUTHORITY,
  PP2_TYPE_CRC32C,
  PP2_TYPE_NOOP,
  PP2_TYPE_UNIQUE_ID,
  PP2_TYPE_SSL,
  PP2_SUBTYPE_SSL_VERSION,
  PP2_SUBTYPE_SSL_CN,
  PP2_SUBTYPE_SSL_CIPHER,
  PP2_SUBTYPE_SSL_SIG_ALG,
  PP2_SUBTYPE_SSL_KEY_ALG,
  PP2_TYPE_NETNS,
} from './proxy-tlvs.js';
export { crc32c } from './crc32c.js';
