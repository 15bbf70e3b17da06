// Response compression (br, gzip) negotiated by Accept-Encoding, and opt-in request decompression.
export { responseCompression } from './response-compression.js';
export { COMPRESSION_DEFAULTS, resolveCompressionOptions, type CompressionOptions, type ResolvedCompressionOptions } from './compression-options.js';
export { CompressionConfigError } from './compression-errors.js';
export { negotiateEncoding, type ContentCoding } from './encoding-negotiation.js';
