// middleware/forwarded/: the client's address, scheme and host as a trusted reverse proxy reports
// them (X-Forwarded-* or RFC 7239 Forwarded), with proxy-addr deciding whom to trust.
export { forwardedHeaders } from './forwarded-headers.js';
export {
  DEFAULT_FORWARDED_HEADERS_OPTIONS,
  MAX_FORWARDED_HOPS,
  ForwardedOptionsError,
  resolveForwardedHeadersOptions,
  type ForwardedHeaderKind,
  type ForwardedHeadersOptions,
  type ResolvedForwardedHeadersOptions,
} from './forwarded-options.js';
