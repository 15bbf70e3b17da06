import type { HttpContext, Middleware, Next } from '../../pipeline/index.js';
import { HttpError } from '../../pipeline/index.js';
import { runWrapped } from '../shared/index.js';
import { CompressingBody } from './compressing-body.js';
import { resolveCompressionOptions, type CompressionOptions, type ResolvedCompressionOptions } from './compression-options.js';
import { DecompressingBody, decoderFor } from './decompressing-body.js';
import { negotiateEncoding } from './encoding-negotiation.js';

/**
 * Request middleware compressing responses with br or gzip, as the client's Accept-Encoding
 * (with q-values) asks, and optionally inflating compressed request bodies. Put it before the
 * middleware and handlers whose responses it should compress: it wraps the response body
 * (`ctx.response.bodyFeature`) for everything after it. See `CompressingBody` for which
 * responses are left alone.
 */
export function responseCompression(options?: CompressionOptions): Middleware {
  const o = resolveCompressionOptions(options);
  return (ctx: HttpContext, next: Next) => {
    if (o.requestDecompression) inflateRequest(ctx, o);
    const { request, response } = ctx;
    const coding = negotiateEncoding(request.headers.get('accept-encoding'), o.encodings);
    const body = new CompressingBody(ctx.exchange, response.bodyFeature, coding, o);
    response.bodyFeature = body;
    return runWrapped(next, body);
  };
}

function inflateRequest(ctx: HttpContext, o: ResolvedCompressionOptions): void {
  const request = ctx.request;
  const encoding = request.headers.get('content-encoding');
  if (encoding === undefined || !request.hasBody) return;
  if (encoding.trim().toLowerCase() === 'identity') return;
  const decoder = decoderFor(encoding);
  if (decoder === undefined) {
    // RFC 9110 §15.5.16: an unsupported content coding in a request is a 415, with what is accepted.
    throw new HttpError(415, `Content-Encoding ${JSON.stringify(encoding)} is not supported`, {
      code: 'ERR_TIERCEL_UNSUPPORTED_CONTENT_ENCODING',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
  }
  request.bodyFeature = new DecompressingBody(request.bodyFeature, decoder, o.maxInflatedBodySize);
}
