// The OpenTelemetry metrics SDK as the tests read it: a reader collected on demand, the metrics by name.
import * as assert from 'uvu/assert';
import { MetricReader, type DataPoint, type MetricData } from '@opentelemetry/sdk-metrics';

export class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export async function collect(reader: TestReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics, errors } = await reader.collect();
  assert.equal(errors, []);
  const byName = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics) for (const m of scope.metrics) byName.set(m.descriptor.name, m);
  return byName;
}

export function points<T>(m: MetricData | undefined): DataPoint<T>[] {
  assert.ok(m, 'the metric was recorded');
  return m!.dataPoints as DataPoint<T>[];
}
