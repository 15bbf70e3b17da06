// Response compression (br, gzip) negotiated by Accept-Encoding, and opt-in request decompression.
export { negotiateEncoding, type ContentCoding } from './encoding-negotiation.js';
