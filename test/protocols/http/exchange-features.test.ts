// The exchange's feature contracts, over real connections: which features each protocol offers,
// and a per-request feature (the minimum body data rate) doing what it says on both versions.
import 'reflect-metadata';
import { connect } from 'node:net';
import type { FeatureKey } from '../../../connection/index.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  HttpExtendedConnectFeature,
  HttpMinRequestBodyDataRateFeature,
  HttpRequestBodyFeature,
  HttpRequestFeature,
  HttpRequestLifetimeFeature,
  HttpRequestTrailersFeature,
  HttpResponseBodyFeature,
  HttpResponseFeature,
  HttpResponseTrailersFeature,
  HttpUpgradeFeature,
  type HttpApplication,
  type HttpExchange,
} from '../../../protocols/index.js';
import { readAll } from '../../support/streams.js';
import { get, startH2 } from '../http2/h2-support.js';

const FEATURES: Record<string, FeatureKey<unknown>> = {
  HttpRequestFeature,
  HttpRequestBodyFeature,
  HttpResponseFeature,
  HttpResponseBodyFeature,
  HttpRequestLifetimeFeature,
  HttpRequestTrailersFeature,
  HttpResponseTrailersFeature,
  HttpMinRequestBodyDataRateFeature,
  HttpUpgradeFeature,
  HttpExtendedConnectFeature,
};
const CORE = ['HttpRequestFeature', 'HttpRequestBodyFeature', 'HttpResponseFeature', 'HttpResponseBodyFeature', 'HttpRequestLifetimeFeature'];
const BOTH = [...CORE, 'HttpRequestTrailersFeature', 'HttpResponseTrailersFeature', 'HttpMinRequestBodyDataRateFeature'];

/** `/features` lists what the exchange offers; `/strict` reads the body under a strict per-request rate. */
const app: HttpApplication = {
  async handle(ex: HttpExchange) {
    if (ex.target === '/features') {
      const offered = Object.entries(FEATURES).filter(([, key]) => ex.feature(key) !== undefined);
      for (const [, key] of offered) assert.is(ex.feature(key), ex, 'a feature is the exchange itself: asking allocates nothing');
      return ex.end(offered.map(([name]) => name).join(','));
    }
    // The endpoint has no minimum rate; this request sets one for itself.
    ex.feature(HttpMinRequestBodyDataRateFeature)!.minRequestBodyDataRate = { bytesPerSecond: 1_000, gracePeriodMs: 200 };
    try {
      while ((await ex.readBody()) !== null);
      ex.end('read');
    } catch (err) {
      ex.statusCode = (err as { status?: number }).status ?? 500;
      ex.end((err as { code?: string }).code);
    }
  },
};

function http1(port: number, request: string): Promise<string> {
  const c = connect(port, '127.0.0.1');
  c.write(request);
  return readAll(c, 5_000);
}

test('HTTP/1.1 offers the upgrade feature, HTTP/2 extended CONNECT; both the core, trailers and the body rate', async () => {
  const h = await startH2({ app, http: { limits: { minRequestBodyDataRate: null } } });
  try {
    const one = await http1(h.port, 'GET /features HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    assert.is(one.slice(one.indexOf('\r\n\r\n') + 4), [...BOTH, 'HttpUpgradeFeature'].join(','));
    const two = await get(h.connectTcp(), '/features');
    assert.is(two.body.toString(), [...BOTH, 'HttpExtendedConnectFeature'].join(','));
  } finally {
    await h.stop();
  }
});

test('HttpMinRequestBodyDataRateFeature: a rate set for one request cuts its trickling body with 408, on both versions', async () => {
  const h = await startH2({ app, http: { limits: { minRequestBodyDataRate: null } } });
  try {
    // A few bytes of a long body, then nothing: under the request's rate once its grace is over.
    const one = await http1(h.port, 'POST /strict HTTP/1.1\r\nhost: x\r\ncontent-length: 100000\r\n\r\nabc');
    assert.ok(one.startsWith('HTTP/1.1 408 '), one);
    assert.ok(one.endsWith('ERR_TIERCEL_BODY_TIMEOUT'), one);
    const s = h.connectTcp();
    const req = s.request({ ':method': 'POST', ':path': '/strict', 'content-length': '100000' }, { endStream: false });
    req.write('abc');
    const status = await new Promise<number>((resolve) => req.once('response', (headers) => resolve(Number(headers[':status']))));
    assert.is(status, 408);
    req.close();
  } finally {
    await h.stop();
  }
});

test.run();
