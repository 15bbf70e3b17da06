import diagnosticsChannel from 'node:diagnostics_channel';
import type { Attributes, Counter, Histogram, MeterProvider, UpDownCounter } from '@opentelemetry/api';
import {
  DiagnosticChannels,
  InvalidOptionError,
  TlsFeature,
  formatEndpoint,
  type ConnectionContext,
  type ConnectionMessage,
  type ConnectionRejectedMessage,
  type ConnectionUpgradeMessage,
  type Endpoint,
  type TlsHandshakeMessage,
} from '../connection/index.js';
import { HttpDiagnosticChannels, protocolVersionOf, type HttpRequestMessage, type HttpRequestRejectedMessage } from '../protocols/http/index.js';
import { PrometheusRegistry, type CounterSeries, type GaugeSeries, type HistogramSeries, type Metric } from './prometheus.js';
import { otelApi } from './otel-api.js';

export interface MetricsOptions {
  /**
   * Where the OpenTelemetry instruments come from. Default: the global one
   * (`metrics.getMeterProvider()`), a no-op until the app registers an SDK.
   */
  readonly meterProvider?: MeterProvider;
  /** Keep tiercel's own counters for `prometheusText()` (`GET /metrics`, no SDK needed). Default true. */
  readonly prometheus?: boolean;
}

const KNOWN_OPTIONS = ['meterProvider', 'prometheus'];

/** The buckets the HTTP semantic conventions advise for `http.server.request.duration`, in seconds. */
export const DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** Kestrel's advice for its connection and TLS handshake durations, in seconds. */
export const CONNECTION_DURATION_BUCKETS: readonly number[] = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/**
 * The `network.transport` tag of an endpoint: 'tcp', 'unix' (a socket file), 'pipe' (a Windows
 * named pipe), 'memory', or a custom transport's own kind.
 */
export function transportTag(endpoint: Endpoint): string {
  if (endpoint.kind === 'pipe') return (endpoint as { path: string }).path.startsWith('\\\\.\\pipe\\') ? 'pipe' : 'unix';
  return endpoint.kind;
}

/** `ServerMetrics.snapshot()`: the counters since the metrics were made (totals, not rates). */
export interface MetricsSnapshot {
  /** One per endpoint that has seen a connection. */
  readonly connections: EndpointSnapshot[];
  readonly requests: {
    /** Requests finished. */
    readonly total: number;
    /** Requests under way. */
    readonly active: number;
    /** Requests finished per protocol ('HTTP/1.1', 'HTTP/2'). */
    readonly byProtocol: Record<string, number>;
    /** Requests finished per status class ('2xx', '4xx', …). */
    readonly byStatusClass: Record<string, number>;
    /** The upper bounds (seconds) of the duration buckets; `durationCounts` has one more, +Inf. */
    readonly durationBounds: readonly number[];
    /** Requests per duration bucket, every series added up (per bucket, not cumulative). */
    readonly durationCounts: number[];
  };
  /** Requests refused before the app saw them, by `RequestRejectionReason`. */
  readonly rejectedRequests: Record<string, number>;
  readonly tls: {
    /** Handshakes under way. */
    readonly active: number;
    /** Handshakes finished, by outcome ('ok' or the failure's reason). */
    readonly handshakes: Record<string, number>;
  };
}

export interface EndpointSnapshot {
  /** `network.transport`: 'tcp', 'unix', 'pipe', 'memory', or a custom kind. */
  readonly transport: string;
  readonly endpoint: string;
  readonly active: number;
  /** Refused at accept (maxConcurrentConnections). */
  readonly rejected: number;
  /** Currently upgraded (WebSockets, CONNECT tunnels). */
  readonly upgraded: number;
}

/** What an endpoint's connections are counted under, made once per endpoint. */
interface EndpointSeries {
  readonly attributes: Attributes;
  readonly activeConnections: GaugeSeries | undefined;
  readonly rejected: CounterSeries | undefined;
  readonly upgraded: GaugeSeries | undefined;
  readonly activeTls: GaugeSeries | undefined;
  readonly transport: string;
  readonly endpoint: string;
}

interface ActiveRequestSeries {
  readonly attributes: Attributes;
  readonly prometheus: GaugeSeries | undefined;
}

interface DurationSeries {
  readonly attributes: Attributes;
  readonly prometheus: HistogramSeries | undefined;
}

interface OwnMetrics {
  readonly duration: Metric<HistogramSeries>;
  readonly activeRequests: Metric<GaugeSeries>;
  readonly activeConnections: Metric<GaugeSeries>;
  readonly connectionDuration: Metric<HistogramSeries>;
  readonly rejectedConnections: Metric<CounterSeries>;
  readonly upgradedConnections: Metric<GaugeSeries>;
  readonly activeTls: Metric<GaugeSeries>;
  readonly tlsDuration: Metric<HistogramSeries>;
  readonly rejectedRequests: Metric<CounterSeries>;
}

// Marks an upgrade this instance counted at its start, so that its end is counted only then (one
// already under way when the metrics were made was not). Requests, connections and handshakes
// carry their start time instead, compared with the subscription's.
const kCounted = Symbol('tiercel.metrics.counted');
type Counted = { [kCounted]?: ServerMetrics };

/**
 * The server's metrics, made from tiercel's diagnostics_channel events: the HTTP semantic
 * conventions (`http.server.request.duration`, `http.server.active_requests`) and Kestrel's
 * instruments under tiercel's name (`tiercel.active_connections`, `tiercel.connection.duration`
 * with its end reason, `tiercel.rejected_connections`, `tiercel.upgraded_connections`,
 * `tiercel.active_tls_handshakes`, `tiercel.tls_handshake.duration`), plus
 * `tiercel.rejected_requests` by rejection reason. Connection instruments are tagged with
 * `network.transport` and `tiercel.endpoint` (the listener's endpoint).
 *
 * Recorded twice: through `@opentelemetry/api` (no-op until the app registers an SDK), and into
 * tiercel's own counters, which `prometheusText()` writes in Prometheus's text format. The
 * channels are process-wide, as node:http's are: one instance counts every tiercel server of the
 * process. `dispose()` unsubscribes.
 */
export class ServerMetrics {
  readonly #own: OwnMetrics | undefined;
  readonly #registry: PrometheusRegistry | undefined;
  readonly #requestDuration: Histogram;
  readonly #activeRequests: UpDownCounter;
  readonly #activeConnections: UpDownCounter;
  readonly #connectionDuration: Histogram;
  readonly #rejectedConnections: Counter;
  readonly #upgradedConnections: UpDownCounter;
  readonly #activeTls: UpDownCounter;
  readonly #tlsDuration: Histogram;
  readonly #rejectedRequests: Counter;
  readonly #endpoints = new Map<string, EndpointSeries>();
  readonly #connections = new WeakMap<ConnectionContext, EndpointSeries>();
  readonly #activeHttp = new Map<string, ActiveRequestSeries>();
  readonly #activeHttps = new Map<string, ActiveRequestSeries>();
  /** protocol → method → status → series, one tree per scheme. */
  readonly #durationHttp = new Map<string, Map<string, Map<number, DurationSeries>>>();
  readonly #durationHttps = new Map<string, Map<string, Map<number, DurationSeries>>>();
  /** route → the same tree, for requests a router matched (`http.route`; templates are few). */
  readonly #routedHttp = new Map<string, Map<string, Map<string, Map<number, DurationSeries>>>>();
  readonly #routedHttps = new Map<string, Map<string, Map<string, Map<number, DurationSeries>>>>();
  readonly #failed = new Map<string, DurationSeries>();
  /** When the subscriptions began: what started before is not counted at its end. */
  readonly #since: number;
  readonly #subscriptions: [string, (message: unknown) => void][];
  #disposed = false;

  constructor(options: MetricsOptions = {}) {
    for (const key of Object.keys(options)) {
      if (!KNOWN_OPTIONS.includes(key)) throw new InvalidOptionError(key, `is not a metrics option (known: ${KNOWN_OPTIONS.join(', ')})`);
    }
    if (options.prometheus !== undefined && typeof options.prometheus !== 'boolean') throw new InvalidOptionError('prometheus', 'must be true or false');
    const meter = (options.meterProvider ?? otelApi().metrics.getMeterProvider()).getMeter('tiercel');
    const seconds = (name: string, description: string, buckets: readonly number[]): Histogram =>
      meter.createHistogram(name, { unit: 's', description, advice: { explicitBucketBoundaries: [...buckets] } });
    this.#requestDuration = seconds('http.server.request.duration', 'Duration of HTTP server requests.', DURATION_BUCKETS);
    this.#activeRequests = meter.createUpDownCounter('http.server.active_requests', { unit: '{request}', description: 'Number of active HTTP server requests.' });
    this.#activeConnections = meter.createUpDownCounter('tiercel.active_connections', { unit: '{connection}', description: 'Number of connections that are currently active on the server.' });
    this.#connectionDuration = seconds('tiercel.connection.duration', 'The duration of connections on the server.', CONNECTION_DURATION_BUCKETS);
    this.#rejectedConnections = meter.createCounter('tiercel.rejected_connections', { unit: '{connection}', description: 'Number of connections rejected by the server (maxConcurrentConnections).' });
    this.#upgradedConnections = meter.createUpDownCounter('tiercel.upgraded_connections', { unit: '{connection}', description: 'Number of HTTP connections (or HTTP/2 streams) that are currently upgraded.' });
    this.#activeTls = meter.createUpDownCounter('tiercel.active_tls_handshakes', { unit: '{handshake}', description: 'Number of TLS handshakes that are currently in progress on the server.' });
    this.#tlsDuration = seconds('tiercel.tls_handshake.duration', 'The duration of TLS handshakes on the server.', CONNECTION_DURATION_BUCKETS);
    this.#rejectedRequests = meter.createCounter('tiercel.rejected_requests', { unit: '{request}', description: 'Number of requests refused before the app saw them, by reason.' });

    if (options.prometheus !== false) {
      const r = (this.#registry = new PrometheusRegistry());
      const conn = ['network_transport', 'tiercel_endpoint'];
      this.#own = {
        duration: r.histogram('http_server_request_duration_seconds', 'Duration of HTTP server requests.', ['http_request_method', 'http_response_status_code', 'url_scheme', 'network_protocol_version', 'http_route'], DURATION_BUCKETS),
        activeRequests: r.gauge('http_server_active_requests', 'Number of active HTTP server requests.', ['http_request_method', 'url_scheme']),
        activeConnections: r.gauge('tiercel_active_connections', 'Number of connections that are currently active on the server.', conn),
        connectionDuration: r.histogram('tiercel_connection_duration_seconds', 'The duration of connections on the server.', [...conn, 'tiercel_connection_end_reason'], CONNECTION_DURATION_BUCKETS),
        rejectedConnections: r.counter('tiercel_rejected_connections_total', 'Number of connections rejected by the server (maxConcurrentConnections).', conn),
        upgradedConnections: r.gauge('tiercel_upgraded_connections', 'Number of HTTP connections (or HTTP/2 streams) that are currently upgraded.', conn),
        activeTls: r.gauge('tiercel_active_tls_handshakes', 'Number of TLS handshakes that are currently in progress on the server.', conn),
        tlsDuration: r.histogram('tiercel_tls_handshake_duration_seconds', 'The duration of TLS handshakes on the server.', [...conn, 'tiercel_tls_outcome'], CONNECTION_DURATION_BUCKETS),
        rejectedRequests: r.counter('tiercel_rejected_requests_total', 'Number of requests refused before the app saw them, by reason.', ['tiercel_rejection_reason', 'http_response_status_code']),
      };
    }

    this.#subscriptions = [
      [HttpDiagnosticChannels.requestStart, (m) => this.#requestStarted(m as HttpRequestMessage)],
      [HttpDiagnosticChannels.responseFinish, (m) => this.#requestFinished(m as HttpRequestMessage)],
      [HttpDiagnosticChannels.requestRejected, (m) => this.#requestRejected(m as HttpRequestRejectedMessage)],
      [DiagnosticChannels.connectionOpened, (m) => this.#connectionOpened(m as ConnectionMessage)],
      [DiagnosticChannels.connectionClosed, (m) => this.#connectionClosed(m as ConnectionMessage)],
      [DiagnosticChannels.connectionRejected, (m) => this.#connectionRejected(m as ConnectionRejectedMessage)],
      [DiagnosticChannels.connectionUpgraded, (m) => this.#upgraded(m as ConnectionUpgradeMessage & Counted, 1)],
      [DiagnosticChannels.connectionUpgradeClosed, (m) => this.#upgraded(m as ConnectionUpgradeMessage & Counted, -1)],
      [DiagnosticChannels.tlsHandshakeStart, (m) => this.#tlsStarted(m as TlsHandshakeMessage)],
      [DiagnosticChannels.tlsHandshakeEnd, (m) => this.#tlsEnded(m as TlsHandshakeMessage)],
    ];
    for (const [name, fn] of this.#subscriptions) diagnosticsChannel.subscribe(name, fn);
    this.#since = performance.now();
  }

  /** tiercel's own counters, or undefined with `prometheus: false`. */
  get registry(): PrometheusRegistry | undefined {
    return this.#registry;
  }

  /** Every metric in Prometheus's text exposition format (`PROMETHEUS_CONTENT_TYPE`). */
  prometheusText(): string {
    if (this.#registry === undefined) throw new InvalidOptionError('prometheus', 'is false: these metrics keep no counters of their own');
    return this.#registry.expose();
  }

  /**
   * The counters as they stand, summed for a reader that shows them rather than scrapes them (the
   * dashboard): connections per endpoint, requests per protocol version, the request-duration
   * buckets of every series added up, rejections by reason, TLS handshakes by outcome. Made from
   * tiercel's own counters, so it needs `prometheus` (the default).
   */
  snapshot(): MetricsSnapshot {
    const own = this.#own;
    if (own === undefined) throw new InvalidOptionError('prometheus', 'is false: these metrics keep no counters of their own to snapshot');
    const connections: EndpointSnapshot[] = [];
    for (const series of this.#endpoints.values()) {
      connections.push({
        transport: series.transport,
        endpoint: series.endpoint,
        active: series.activeConnections?.value ?? 0,
        rejected: series.rejected?.value ?? 0,
        upgraded: series.upgraded?.value ?? 0,
      });
    }
    const buckets = new Float64Array(DURATION_BUCKETS.length + 1);
    const byProtocol: Record<string, number> = {};
    const byStatusClass: Record<string, number> = {};
    let total = 0;
    for (const [labels, series] of own.duration.entries()) {
      // Labels: method, status, scheme, protocol version, route.
      const n = series.count;
      total += n;
      byProtocol[`HTTP/${labels[3]}`] = (byProtocol[`HTTP/${labels[3]}`] ?? 0) + n;
      const statusClass = `${labels[1][0]}xx`;
      byStatusClass[statusClass] = (byStatusClass[statusClass] ?? 0) + n;
      series.addCountsTo(buckets);
    }
    let active = 0;
    for (const [, series] of own.activeRequests.entries()) active += series.value;
    const rejectedRequests: Record<string, number> = {};
    for (const [labels, series] of own.rejectedRequests.entries()) rejectedRequests[labels[0]] = (rejectedRequests[labels[0]] ?? 0) + series.value;
    const tlsHandshakes: Record<string, number> = {};
    for (const [labels, series] of own.tlsDuration.entries()) tlsHandshakes[labels[2]] = (tlsHandshakes[labels[2]] ?? 0) + series.count;
    let activeTls = 0;
    for (const [, series] of own.activeTls.entries()) activeTls += series.value;
    return {
      connections,
      requests: { total, active, byProtocol, byStatusClass, durationBounds: DURATION_BUCKETS, durationCounts: Array.from(buckets) },
      rejectedRequests,
      tls: { active: activeTls, handshakes: tlsHandshakes },
    };
  }

  /** Stops listening; the counters keep their values. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const [name, fn] of this.#subscriptions) diagnosticsChannel.unsubscribe(name, fn);
  }

  // ---- requests ----------------------------------------------------------------------------

  #requestStarted(m: HttpRequestMessage): void {
    const series = this.#active(m.request.method, schemeOf(m.connection));
    this.#activeRequests.add(1, series.attributes);
    series.prometheus?.inc();
  }

  #requestFinished(m: HttpRequestMessage): void {
    // A request that began before these metrics subscribed was not counted at its start.
    if (m.startTime < this.#since) return;
    const ex = m.request;
    const scheme = schemeOf(m.connection);
    const active = this.#active(ex.method, scheme);
    this.#activeRequests.add(-1, active.attributes);
    active.prometheus?.dec();
    const seconds = (performance.now() - m.startTime) / 1000;
    const series = m.error === undefined && ex.statusCode < 500 ? this.#duration(ex, scheme) : this.#failedDuration(m, scheme);
    this.#requestDuration.record(seconds, series.attributes);
    series.prometheus?.observe(seconds);
  }

  // The series are found through Maps keyed by what the request already has (method, status,
  // protocol), not by a key string built per request: a request on the hot path allocates nothing.
  #active(method: string, scheme: string): ActiveRequestSeries {
    const byMethod = scheme === 'https' ? this.#activeHttps : this.#activeHttp;
    let series = byMethod.get(method);
    if (series === undefined) {
      series = {
        attributes: { 'http.request.method': method, 'url.scheme': scheme },
        prometheus: this.#own?.activeRequests.labels(method, scheme),
      };
      byMethod.set(method, series);
    }
    return series;
  }

  #duration(ex: HttpRequestMessage['request'], scheme: string): DurationSeries {
    const route = ex.route;
    let byProtocol: Map<string, Map<string, Map<number, DurationSeries>>> | undefined;
    if (route === undefined) byProtocol = scheme === 'https' ? this.#durationHttps : this.#durationHttp;
    else {
      const routes = scheme === 'https' ? this.#routedHttps : this.#routedHttp;
      byProtocol = routes.get(route);
      if (byProtocol === undefined) routes.set(route, (byProtocol = new Map()));
    }
    let byMethod = byProtocol.get(ex.protocol);
    if (byMethod === undefined) byProtocol.set(ex.protocol, (byMethod = new Map()));
    let byStatus = byMethod.get(ex.method);
    if (byStatus === undefined) byMethod.set(ex.method, (byStatus = new Map()));
    const status = ex.statusCode;
    let series = byStatus.get(status);
    if (series === undefined) {
      series = this.#durationSeries(ex.method, status, scheme, protocolVersionOf(ex.protocol), '', route);
      byStatus.set(status, series);
    }
    return series;
  }

  /** A 5xx or an app's error: rare, so keyed by a string, with `error.type`. */
  #failedDuration(m: HttpRequestMessage, scheme: string): DurationSeries {
    const ex = m.request;
    // What the app threw, when nothing was sent, becomes the protocol's 500 after this.
    const status = m.error !== undefined && !ex.headersSent ? 500 : ex.statusCode;
    const errorType = m.error !== undefined ? errorTypeOf(m.error) : String(status);
    const version = protocolVersionOf(ex.protocol);
    const key = `${ex.method} ${status} ${scheme} ${version} ${errorType} ${ex.route ?? ''}`;
    let series = this.#failed.get(key);
    if (series === undefined) {
      series = this.#durationSeries(ex.method, status, scheme, version, errorType, ex.route);
      this.#failed.set(key, series);
    }
    return series;
  }

  #durationSeries(method: string, status: number, scheme: string, version: string, errorType: string, route: string | undefined): DurationSeries {
    const attributes: Attributes = {
      'http.request.method': method,
      'http.response.status_code': status,
      'url.scheme': scheme,
      'network.protocol.name': 'http',
      'network.protocol.version': version,
    };
    if (errorType !== '') attributes['error.type'] = errorType;
    if (route !== undefined) attributes['http.route'] = route;
    return { attributes, prometheus: this.#own?.duration.labels(method, String(status), scheme, version, route ?? '') };
  }

  #requestRejected(m: HttpRequestRejectedMessage): void {
    const endpoint = this.#endpointOf(m.connection);
    this.#rejectedRequests.add(1, { ...endpoint.attributes, 'tiercel.rejection_reason': m.reason, 'http.response.status_code': m.status });
    this.#own?.rejectedRequests.labels(m.reason, String(m.status)).inc();
  }

  // ---- connections -------------------------------------------------------------------------

  #connectionOpened(m: ConnectionMessage): void {
    const series = this.#endpointSeries(m.endpoint);
    this.#connections.set(m.connection, series);
    this.#activeConnections.add(1, series.attributes);
    series.activeConnections?.inc();
  }

  #connectionClosed(m: ConnectionMessage): void {
    if (m.startTime < this.#since) return;
    const series = this.#endpointSeries(m.endpoint);
    this.#connections.delete(m.connection);
    this.#activeConnections.add(-1, series.attributes);
    series.activeConnections?.dec();
    const reason = m.endReason ?? (m.closeKind === 'abort' ? 'aborted' : 'closed');
    const seconds = (performance.now() - m.startTime) / 1000;
    this.#connectionDuration.record(seconds, { ...series.attributes, 'tiercel.connection.end_reason': reason });
    this.#own?.connectionDuration.labels(series.transport, series.endpoint, reason).observe(seconds);
  }

  #connectionRejected(m: ConnectionRejectedMessage): void {
    const series = this.#endpointSeries(m.endpoint);
    this.#rejectedConnections.add(1, series.attributes);
    series.rejected?.inc();
  }

  #upgraded(m: ConnectionUpgradeMessage & Counted, delta: 1 | -1): void {
    if (delta === 1) m[kCounted] = this;
    else if (m[kCounted] !== this) return;
    const series = this.#endpointOf(m.connection);
    this.#upgradedConnections.add(delta, series.attributes);
    series.upgraded?.inc(delta);
  }

  #tlsStarted(m: TlsHandshakeMessage): void {
    const series = this.#endpointOf(m.connection);
    this.#activeTls.add(1, series.attributes);
    series.activeTls?.inc();
  }

  #tlsEnded(m: TlsHandshakeMessage): void {
    if (m.startTime < this.#since) return;
    const series = this.#endpointOf(m.connection);
    this.#activeTls.add(-1, series.attributes);
    series.activeTls?.dec();
    const seconds = (performance.now() - m.startTime) / 1000;
    const outcome = m.error !== undefined ? errorTypeOf(m.error) : 'ok';
    const attributes: Attributes = { ...series.attributes };
    if (m.error !== undefined) attributes['error.type'] = outcome;
    else if (m.protocol !== undefined) attributes['tls.protocol.version'] = m.protocol;
    this.#tlsDuration.record(seconds, attributes);
    this.#own?.tlsDuration.labels(series.transport, series.endpoint, outcome).observe(seconds);
  }

  /** The listener's endpoint of a connection the server opened; its local endpoint otherwise. */
  #endpointOf(connection: ConnectionContext): EndpointSeries {
    return this.#connections.get(connection) ?? this.#endpointSeries(connection.localEndpoint);
  }

  #endpointSeries(endpoint: Endpoint): EndpointSeries {
    const text = formatEndpoint(endpoint);
    let series = this.#endpoints.get(text);
    if (series === undefined) {
      const transport = transportTag(endpoint);
      const own = this.#own;
      series = {
        attributes: { 'network.transport': transport, 'tiercel.endpoint': text },
        activeConnections: own?.activeConnections.labels(transport, text),
        rejected: own?.rejectedConnections.labels(transport, text),
        upgraded: own?.upgradedConnections.labels(transport, text),
        activeTls: own?.activeTls.labels(transport, text),
        transport,
        endpoint: text,
      };
      this.#endpoints.set(text, series);
    }
    return series;
  }
}

function schemeOf(connection: ConnectionContext): string {
  return connection.features.get(TlsFeature) !== undefined ? 'https' : 'http';
}

/** `error.type`: a TLS failure's reason, else the error's code, else its class name. */
function errorTypeOf(err: unknown): string {
  const e = err as { reason?: unknown; code?: unknown; constructor?: { name?: unknown } } | null;
  if (e !== null && typeof e === 'object') {
    if (typeof e.reason === 'string') return e.reason;
    if (typeof e.code === 'string') return e.code;
    if (typeof e.constructor?.name === 'string') return e.constructor.name;
  }
  return '_OTHER';
}
