import type { HttpContext, RequestHandler } from '../pipeline/index.js';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus.js';
import type { ServerMetrics } from './server-metrics.js';

/**
 * A handler that answers with `metrics` in Prometheus's text format: `GET` and `HEAD` only
 * (405 otherwise), never cached. Mount it where the scrape goes (`/metrics`), on an endpoint only
 * the scraper reaches if the figures are not for everyone.
 */
export function metricsEndpoint(metrics: ServerMetrics): RequestHandler {
  return (ctx: HttpContext) => {
    const { request, response } = ctx;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.status = 405;
      response.headers.set('allow', 'GET, HEAD');
      response.send();
      return;
    }
    response.headers.set('content-type', PROMETHEUS_CONTENT_TYPE);
    response.headers.set('cache-control', 'no-store');
    response.send(metrics.prometheusText());
  };
}
