import diagnosticsChannel from 'node:diagnostics_channel';
import type { Attributes, Counter, Histogram, Meter, MeterProvider, UpDownCounter } from '@opentelemetry/api';
import {
  DiagnosticChannels,
  InvalidOptionError,
  TlsFeature,
  formatEndpoint,
  type ConnectionContext,
  type ConnectionMessage,
  type ConnectionProtocolMessage,
  type ConnectionQueueMessage,
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

/*
 * @opentelemetry/api (44 CommonJS files, ~40 ms of CPU to load, more through `import`) loads only
 * when an SDK has registered a global meter provider. Its metrics API has no proxy provider:
 * `metrics.getMeterProvider()` answers the one registered at that moment, else a no-op whose
 * instruments stay no-ops. Every copy of API version 1 registers under this global key (the API's
 * own `internal/global-utils`), so an empty slot means the no-op without asking the API; a filled
 * one is handed to the API, which checks the registering version against its own.
 */
const OTEL_GLOBAL = Symbol.for('opentelemetry.js.api.1');
/** What `metrics.getMeterProvider().getMeter('tiercel')` gives, or undefined for the API's no-op. */
function globalMeter(): Meter | undefined {
  const registered = (globalThis as { [OTEL_GLOBAL]?: { metrics?: unknown } })[OTEL_GLOBAL];
  if (registered?.metrics === undefined) return undefined;
  return otelApi().metrics.getMeterProvider().getMeter('tiercel');
}

/** Records nothing, as the API's no-op instruments do, without loading the API. */
const NO_INSTRUMENT: Counter & UpDownCounter & Histogram = { add() {}, record() {} };

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
  /**
   * Open connections per protocol, every endpoint added up: one entry per protocol and TLS or
   * not that has had a connection. Connections whose protocol is not chosen yet (a TLS handshake,
   * the cleartext sniff) are in `connections` only.
   */
  readonly protocols: ProtocolSnapshot[];
  readonly requests: {
    /** Requests finished. */
    readonly total: number;
    /** Requests under way. */
    readonly active: number;
    /** Requests finished per protocol ('HTTP/1.1', 'HTTP/2'). */
    readonly byProtocol: Record<string, number>;
    /**
     * Requests finished per status class ('2xx', '4xx', …). A 101 (a WebSocket or other HTTP/1.1
     * upgrade) is 'upgraded', not '1xx': the connection it answered goes on as another protocol.
     */
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
  /** Connections open now, whatever their protocol. */
  readonly active: number;
  /** Waiting in the listener's accept queue (`tiercel.queued_connections`). */
  readonly queued: number;
  /** Refused at accept (maxConcurrentConnections). */
  readonly rejected: number;
  /** Currently upgraded (WebSockets, CONNECT tunnels). */
  readonly upgraded: number;
  /** Its open connections per protocol and TLS version (those whose protocol is chosen). */
  readonly protocols: ProtocolSnapshot[];
}

/** What an endpoint's connections are counted under, made once per endpoint. */
export interface ProtocolSnapshot {
  /** The protocol adapter's name: 'HTTP/1.1', 'HTTP/2'. */
  readonly protocol: string;
  /** The TLS version ('TLSv1.3'), or '' on cleartext. */
  readonly tls: string;
  readonly active: number;
}

/** A protocol's share of an endpoint's active connections (TLS or not), made once. */
interface ProtocolSeries {
  readonly attributes: Attributes;
  readonly active: GaugeSeries | undefined;
  readonly protocol: string;
  readonly tls: string;
  /** `network.protocol.name` and `.version`, for the connection duration's labels. */
  readonly name: string;
  readonly version: string;
}

interface EndpointSeries {
  readonly attributes: Attributes;
  /** The endpoint's connections whose protocol is not known yet (or never chosen). */
  readonly activeConnections: GaugeSeries | undefined;
  /** protocol → TLS version ('' for cleartext) → series. */
  readonly protocols: Map<string, Map<string, ProtocolSeries>>;
  /** The accept queue's depth as last published (the queue says its depth, not a change). */
  queued: number;
  readonly queuedConnections: GaugeSeries | undefined;
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
  readonly queuedConnections: Metric<GaugeSeries>;
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
 * instruments under tiercel's name (`tiercel.active_connections` with the protocol once chosen,
 * `tiercel.queued_connections`, `tiercel.connection.duration` with its end reason and protocol, `tiercel.rejected_connections`, `tiercel.upgraded_connections`,
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
  readonly #queuedConnections: UpDownCounter;
  readonly #connectionDuration: Histogram;
  readonly #rejectedConnections: Counter;
  readonly #upgradedConnections: UpDownCounter;
  readonly #activeTls: UpDownCounter;
  readonly #tlsDuration: Histogram;
  readonly #rejectedRequests: Counter;
  readonly #endpoints = new Map<string, EndpointSeries>();
  readonly #connections = new WeakMap<ConnectionContext, EndpointSeries>();
  /** The endpoint series of each listener's accept-queue message. */
  readonly #queues = new WeakMap<ConnectionQueueMessage, EndpointSeries>();
  /** The protocol series of a connection whose protocol was chosen. */
  readonly #protocols = new WeakMap<ConnectionContext, ProtocolSeries>();
  readonly #activeHttp = new Map<string, ActiveRequestSeries>();
  readonly #activeHttps = new Map<string, ActiveRequestSeries>();
  /** protocol → method → status → series, one tree per scheme. */
  readonly #durationHttp = new Map<string, Map<string, Map<number, DurationSeries>>>();
  readonly #durationHttps = new Map<string, Map<string, Map<number, DurationSeries>>>();
  /** route → the same tree, for requests a router matched (`http.route`; templates are few). */
  readonly #routedHttp = new Map<string, Map<string, Map<string, Map<number, DurationSeries>>>>();
  readonly #routedHttps = new Map<string, Map<string, Map<string, Map<number, DurationSeries>>>>();
  readonly #failed = new Map<string, DurationSeries>();
  /**
   * When the subscriptions began (process.hrtime), what started before is not counted at its end.
   * The messages carry performance.now() times; reading that clock here would load node:perf_hooks
   * (nine built-in modules) at every start of `tiercel serve`. Both clocks are libuv's monotonic
   * one, so the time is converted once, with the first message, whose sender read performance.now().
   */
  readonly #sinceHr: bigint;
  #since: number | undefined;
  readonly #subscriptions: [string, (message: unknown) => void][];
  #disposed = false;

  constructor(options: MetricsOptions = {}) {
    for (const key of Object.keys(options)) {
      if (!KNOWN_OPTIONS.includes(key)) throw new InvalidOptionError(key, `is not a metrics option (known: ${KNOWN_OPTIONS.join(', ')})`);
    }
    if (options.prometheus !== undefined && typeof options.prometheus !== 'boolean') throw new InvalidOptionError('prometheus', 'must be true or false');
    const meter = options.meterProvider !== undefined ? options.meterProvider.getMeter('tiercel') : globalMeter();
    const seconds = (name: string, description: string, buckets: readonly number[]): Histogram =>
      meter?.createHistogram(name, { unit: 's', description, advice: { explicitBucketBoundaries: [...buckets] } }) ?? NO_INSTRUMENT;
    const upDown = (name: string, unit: string, description: string): UpDownCounter => meter?.createUpDownCounter(name, { unit, description }) ?? NO_INSTRUMENT;
    const counter = (name: string, unit: string, description: string): Counter => meter?.createCounter(name, { unit, description }) ?? NO_INSTRUMENT;
    this.#requestDuration = seconds('http.server.request.duration', 'Duration of HTTP server requests.', DURATION_BUCKETS);
    this.#activeRequests = upDown('http.server.active_requests', '{request}', 'Number of active HTTP server requests.');
    this.#activeConnections = upDown('tiercel.active_connections', '{connection}', 'Number of connections that are currently active on the server.');
    this.#queuedConnections = upDown('tiercel.queued_connections', '{connection}', 'Number of connections that are currently queued and are waiting to start.');
    this.#connectionDuration = seconds('tiercel.connection.duration', 'The duration of connections on the server.', CONNECTION_DURATION_BUCKETS);
    this.#rejectedConnections = counter('tiercel.rejected_connections', '{connection}', 'Number of connections rejected by the server (maxConcurrentConnections).');
    this.#upgradedConnections = upDown('tiercel.upgraded_connections', '{connection}', 'Number of HTTP connections (or HTTP/2 streams) that are currently upgraded.');
    this.#activeTls = upDown('tiercel.active_tls_handshakes', '{handshake}', 'Number of TLS handshakes that are currently in progress on the server.');
    this.#tlsDuration = seconds('tiercel.tls_handshake.duration', 'The duration of TLS handshakes on the server.', CONNECTION_DURATION_BUCKETS);
    this.#rejectedRequests = counter('tiercel.rejected_requests', '{request}', 'Number of requests refused before the app saw them, by reason.');

    if (options.prometheus !== false) {
      const r = (this.#registry = new PrometheusRegistry());
      const conn = ['network_transport', 'tiercel_endpoint'];
      this.#own = {
        duration: r.histogram('http_server_request_duration_seconds', 'Duration of HTTP server requests.', ['http_request_method', 'http_response_status_code', 'url_scheme', 'network_protocol_version', 'http_route'], DURATION_BUCKETS),
        activeRequests: r.gauge('http_server_active_requests', 'Number of active HTTP server requests.', ['http_request_method', 'url_scheme']),
        activeConnections: r.gauge('tiercel_active_connections', 'Number of connections that are currently active on the server.', [...conn, 'network_protocol_name', 'network_protocol_version', 'tls_protocol_version']),
        queuedConnections: r.gauge('tiercel_queued_connections', 'Number of connections that are currently queued and are waiting to start.', conn),
        connectionDuration: r.histogram('tiercel_connection_duration_seconds', 'The duration of connections on the server.', [...conn, 'tiercel_connection_end_reason', 'network_protocol_name', 'network_protocol_version'], CONNECTION_DURATION_BUCKETS),
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
      [DiagnosticChannels.connectionQueue, (m) => this.#connectionQueue(m as ConnectionQueueMessage)],
      [DiagnosticChannels.connectionProtocol, (m) => this.#connectionProtocol(m as ConnectionProtocolMessage)],
      [DiagnosticChannels.connectionUpgraded, (m) => this.#upgraded(m as ConnectionUpgradeMessage & Counted, 1)],
      [DiagnosticChannels.connectionUpgradeClosed, (m) => this.#upgraded(m as ConnectionUpgradeMessage & Counted, -1)],
      [DiagnosticChannels.tlsHandshakeStart, (m) => this.#tlsStarted(m as TlsHandshakeMessage)],
      [DiagnosticChannels.tlsHandshakeEnd, (m) => this.#tlsEnded(m as TlsHandshakeMessage)],
    ];
    for (const [name, fn] of this.#subscriptions) diagnosticsChannel.subscribe(name, fn);
    this.#sinceHr = process.hrtime.bigint();
  }

  /** The subscriptions' start in performance.now() time. */
  #sinceMs(): number {
    return (this.#since ??= performance.now() - Number(process.hrtime.bigint() - this.#sinceHr) / 1e6);
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
    const protocols: ProtocolSnapshot[] = [];
    for (const series of this.#endpoints.values()) {
      let active = series.activeConnections?.value ?? 0;
      const own: ProtocolSnapshot[] = [];
      for (const byTls of series.protocols.values()) {
        for (const p of byTls.values()) {
          const n = p.active?.value ?? 0;
          active += n;
          own.push({ protocol: p.protocol, tls: p.tls, active: n });
          const same = protocols.find((q) => q.protocol === p.protocol && q.tls === p.tls);
          if (same === undefined) protocols.push({ protocol: p.protocol, tls: p.tls, active: n });
          else (same as { active: number }).active += n;
        }
      }
      connections.push({
        transport: series.transport,
        endpoint: series.endpoint,
        active,
        queued: series.queuedConnections?.value ?? 0,
        rejected: series.rejected?.value ?? 0,
        upgraded: series.upgraded?.value ?? 0,
        protocols: own,
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
      const statusClass = labels[1] === '101' ? 'upgraded' : `${labels[1][0]}xx`;
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
      protocols,
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
    if (m.startTime < this.#sinceMs()) return;
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
    if (m.startTime < this.#sinceMs()) return;
    const series = this.#endpointSeries(m.endpoint);
    this.#connections.delete(m.connection);
    const protocol = this.#protocols.get(m.connection);
    const reason = m.endReason ?? (m.closeKind === 'abort' ? 'aborted' : 'closed');
    const seconds = (performance.now() - m.startTime) / 1000;
    const attributes: Attributes = { ...series.attributes, 'tiercel.connection.end_reason': reason };
    if (protocol === undefined) {
      this.#activeConnections.add(-1, series.attributes);
      series.activeConnections?.dec();
    } else {
      this.#protocols.delete(m.connection);
      this.#activeConnections.add(-1, protocol.attributes);
      protocol.active?.dec();
      // Kestrel's connection.duration carries the protocol and the TLS version.
      attributes['network.protocol.name'] = protocol.name;
      attributes['network.protocol.version'] = protocol.version;
      if (protocol.tls !== '') attributes['tls.protocol.version'] = protocol.tls;
    }
    this.#connectionDuration.record(seconds, attributes);
    this.#own?.connectionDuration.labels(series.transport, series.endpoint, reason, protocol?.name ?? '', protocol?.version ?? '').observe(seconds);
  }

  /**
   * The connection moves from its endpoint's protocol-less series to its protocol's: the sum over
   * an endpoint's series stays its active connections.
   */
  #connectionProtocol(m: ConnectionProtocolMessage): void {
    const series = this.#connections.get(m.connection);
    // Opened before these metrics subscribed (not counted), or never through a server's accept loop.
    if (series === undefined || this.#protocols.has(m.connection)) return;
    const tls = m.connection.features.get(TlsFeature)?.tlsVersion ?? '';
    let byTls = series.protocols.get(m.protocol);
    if (byTls === undefined) series.protocols.set(m.protocol, (byTls = new Map()));
    let protocol = byTls.get(tls);
    if (protocol === undefined) {
      const name = m.protocol.startsWith('HTTP/') ? 'http' : m.protocol.toLowerCase();
      const version = protocolVersionOf(m.protocol);
      const attributes: Attributes = { ...series.attributes, 'network.protocol.name': name, 'network.protocol.version': version };
      if (tls !== '') attributes['tls.protocol.version'] = tls;
      protocol = { attributes, active: this.#own?.activeConnections.labels(series.transport, series.endpoint, name, version, tls), protocol: m.protocol, tls, name, version };
      byTls.set(tls, protocol);
    }
    this.#protocols.set(m.connection, protocol);
    this.#activeConnections.add(-1, series.attributes);
    series.activeConnections?.dec();
    this.#activeConnections.add(1, protocol.attributes);
    protocol.active?.inc();
  }

  #connectionQueue(m: ConnectionQueueMessage): void {
    // One message per listener: its series is found without formatting the endpoint each time.
    let series = this.#queues.get(m);
    if (series === undefined) this.#queues.set(m, (series = this.#endpointSeries(m.endpoint)));
    const delta = m.depth - series.queued;
    if (delta === 0) return;
    series.queued = m.depth;
    this.#queuedConnections.add(delta, series.attributes);
    series.queuedConnections?.inc(delta);
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
    if (m.startTime < this.#sinceMs()) return;
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
        activeConnections: own?.activeConnections.labels(transport, text, '', '', ''),
        protocols: new Map(),
        queued: 0,
        queuedConnections: own?.queuedConnections.labels(transport, text),
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
