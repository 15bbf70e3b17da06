import { InvalidOptionError } from '../connection/index.js';

/** The media type of the text exposition format (version 0.0.4), what a Prometheus scrape accepts. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

type MetricType = 'counter' | 'gauge' | 'histogram';

/** One label set of a metric: its label text (`{a="x"}`) made once, and its values. */
abstract class Series {
  constructor(readonly labelText: string) {}
  abstract lines(name: string, out: string[]): void;
}

export class CounterSeries extends Series {
  value = 0;
  inc(by = 1): void {
    this.value += by;
  }
  lines(name: string, out: string[]): void {
    out.push(`${name}${this.labelText} ${formatNumber(this.value)}`);
  }
}

export class GaugeSeries extends Series {
  value = 0;
  inc(by = 1): void {
    this.value += by;
  }
  dec(by = 1): void {
    this.value -= by;
  }
  lines(name: string, out: string[]): void {
    out.push(`${name}${this.labelText} ${formatNumber(this.value)}`);
  }
}

export class HistogramSeries extends Series {
  /** Per bucket (not cumulative); the last is +Inf. */
  readonly #counts: Float64Array;
  #sum = 0;
  #count = 0;

  constructor(
    labelText: string,
    readonly bounds: readonly number[],
    /** The label text of each bucket, `le` included: made once. */
    readonly bucketLabels: readonly string[],
  ) {
    super(labelText);
    this.#counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    this.#counts[i]++;
    this.#sum += value;
    this.#count++;
  }

  get count(): number {
    return this.#count;
  }

  /** Adds this series' per-bucket counts (not cumulative; the last is +Inf) into `into`. */
  addCountsTo(into: Float64Array): void {
    for (let i = 0; i < this.#counts.length; i++) into[i] += this.#counts[i];
  }

  get sum(): number {
    return this.#sum;
  }

  lines(name: string, out: string[]): void {
    let cumulative = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      cumulative += this.#counts[i];
      out.push(`${name}_bucket${this.bucketLabels[i]} ${formatNumber(cumulative)}`);
    }
    out.push(`${name}_sum${this.labelText} ${formatNumber(this.#sum)}`);
    out.push(`${name}_count${this.labelText} ${formatNumber(this.#count)}`);
  }
}

/**
 * One metric family: a name, its help, its label names, and a series per label set, made on
 * first use and kept (the callers bound the label values: methods, statuses, endpoints).
 */
export class Metric<S extends Series> {
  readonly #series = new Map<string, S>();
  /** Each series' label values, for readers that group by a label (`entries()`). */
  readonly #values = new Map<S, readonly string[]>();
  readonly #make: (labelText: string, values: readonly string[]) => S;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    readonly labelNames: readonly string[],
    make: (labelText: string, values: readonly string[]) => S,
  ) {
    this.#make = make;
  }

  /** The series of these label values (in `labelNames` order); the same object every time. */
  labels(...values: string[]): S {
    if (values.length !== this.labelNames.length) {
      throw new InvalidOptionError(`${this.name} labels`, `takes ${this.labelNames.length} values (${this.labelNames.join(', ')}), not ${values.length}`);
    }
    const key = values.join('\u0000');
    let series = this.#series.get(key);
    if (series === undefined) {
      series = this.#make(labelText(this.labelNames, values), values);
      this.#series.set(key, series);
      this.#values.set(series, values);
    }
    return series;
  }

  /** Every series made so far with its label values (in `labelNames` order). */
  entries(): IterableIterator<[readonly string[], S]> {
    return swapped(this.#values);
  }

  expose(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`);
    out.push(`# TYPE ${this.name} ${this.type}`);
    for (const series of this.#series.values()) series.lines(this.name, out);
  }
}

/**
 * Counters, gauges and histograms written in Prometheus's text exposition format, with no SDK:
 * what `GET /metrics` serves. Names and label names are checked when a metric is made.
 */
export class PrometheusRegistry {
  readonly #metrics = new Map<string, Metric<Series>>();

  counter(name: string, help: string, labelNames: readonly string[] = []): Metric<CounterSeries> {
    return this.#add(name, help, 'counter', labelNames, (text) => new CounterSeries(text));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Metric<GaugeSeries> {
    return this.#add(name, help, 'gauge', labelNames, (text) => new GaugeSeries(text));
  }

  /** `buckets`: the upper bounds, ascending; the +Inf bucket is added. */
  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]): Metric<HistogramSeries> {
    if (labelNames.includes('le')) throw new InvalidOptionError(`${name} labels`, "cannot include 'le', the bucket label");
    for (let i = 0; i < buckets.length; i++) {
      if (!Number.isFinite(buckets[i]) || (i > 0 && buckets[i] <= buckets[i - 1])) {
        throw new InvalidOptionError(`${name} buckets`, 'must be finite numbers in ascending order');
      }
    }
    const les = [...buckets.map(formatNumber), '+Inf'];
    return this.#add(name, help, 'histogram', labelNames, (text, values) => {
      const bucketLabels = les.map((le) => labelText([...labelNames, 'le'], [...values, le]));
      return new HistogramSeries(text, buckets, bucketLabels);
    });
  }

  /** Every metric, in the order they were made, as the text a scrape gets. */
  expose(): string {
    const out: string[] = [];
    for (const metric of this.#metrics.values()) metric.expose(out);
    out.push('');
    return out.join('\n');
  }

  #add<S extends Series>(name: string, help: string, type: MetricType, labelNames: readonly string[], make: (text: string, values: readonly string[]) => S): Metric<S> {
    if (!METRIC_NAME.test(name)) throw new InvalidOptionError('metric name', `'${name}' is not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)`);
    if (this.#metrics.has(name)) throw new InvalidOptionError('metric name', `'${name}' is already registered`);
    for (const label of labelNames) {
      if (!LABEL_NAME.test(label) || label.startsWith('__')) throw new InvalidOptionError(`${name} labels`, `'${label}' is not a Prometheus label name`);
    }
    const metric = new Metric<S>(name, help, type, labelNames, make);
    this.#metrics.set(name, metric as unknown as Metric<Series>);
    return metric;
  }
}

function* swapped<K, V>(map: Map<K, V>): IterableIterator<[V, K]> {
  for (const [k, v] of map) yield [v, k];
}

function labelText(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return '';
  let text = '{';
  for (let i = 0; i < names.length; i++) text += `${i === 0 ? '' : ','}${names[i]}="${escapeLabelValue(values[i])}"`;
  return `${text}}`;
}

// The exposition format escapes backslash, double quote and line feed in a label value, and
// backslash and line feed in help text.
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatNumber(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return Number.isNaN(value) ? 'NaN' : String(value);
}
