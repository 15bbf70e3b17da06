// A strict parser of Prometheus's text exposition format (version 0.0.4), written from the format's
// grammar, for tests that scrape tiercel: it throws on anything a Prometheus server would refuse
// (a malformed line, a bad name or escape, a sample before its TYPE, a family split in two, a
// histogram whose buckets are not cumulative or lack +Inf, a duplicate series).

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  readonly help: string | undefined;
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export class ExpositionError extends Error {
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

function parseValue(text: string, line: number): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  // Go's ParseFloat: decimal or exponent notation, no hex, no underscores, no empty string.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new ExpositionError(line, `'${text}' is not a sample value`);
  return Number(text);
}

function unescapeHelp(text: string, line: number): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    throw new ExpositionError(line, `bad escape \\${c} in HELP`);
  });
}

/** The family a sample name belongs to: a histogram's `_bucket`, `_sum`, `_count` go to their base. */
function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  const direct = families.get(name);
  if (direct !== undefined) return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix)) {
      const f = families.get(name.slice(0, -suffix.length));
      if (f !== undefined && (f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket'))) return f;
    }
  }
  return undefined;
}

function parseSample(text: string, line: number): Sample {
  let i = 0;
  while (i < text.length && /[a-zA-Z0-9_:]/.test(text[i])) i++;
  const name = text.slice(0, i);
  if (!METRIC_NAME.test(name)) throw new ExpositionError(line, `'${name}' is not a metric name`);
  const labels: Record<string, string> = {};
  if (text[i] === '{') {
    i++;
    for (;;) {
      if (text[i] === '}') {
        i++;
        break;
      }
      let j = i;
      while (j < text.length && /[a-zA-Z0-9_]/.test(text[j])) j++;
      const label = text.slice(i, j);
      if (!LABEL_NAME.test(label)) throw new ExpositionError(line, `'${label}' is not a label name`);
      if (label in labels) throw new ExpositionError(line, `label ${label} given twice`);
      if (text[j] !== '=' || text[j + 1] !== '"') throw new ExpositionError(line, `expected ="…" after ${label}`);
      i = j + 2;
      let value = '';
      for (;;) {
        if (i >= text.length) throw new ExpositionError(line, 'unterminated label value');
        const c = text[i];
        if (c === '"') break;
        if (c === '\\') {
          const e = text[i + 1];
          if (e === '\\') value += '\\';
          else if (e === '"') value += '"';
          else if (e === 'n') value += '\n';
          else throw new ExpositionError(line, `bad escape \\${e ?? ''} in a label value`);
          i += 2;
          continue;
        }
        if (c === '\n') throw new ExpositionError(line, 'raw line feed in a label value');
        value += c;
        i++;
      }
      labels[label] = value;
      i++;
      if (text[i] === ',') i++;
      else if (text[i] !== '}') throw new ExpositionError(line, `expected , or } after the value of ${label}`);
    }
  }
  const rest = text.slice(i);
  const parts = rest.split(' ');
  // One space (or more) between the parts; the format allows an optional integer timestamp.
  const fields = parts.filter((p) => p !== '');
  if (!rest.startsWith(' ') || fields.length < 1 || fields.length > 2) throw new ExpositionError(line, `expected ' value [timestamp]', got '${rest}'`);
  if (fields.length === 2 && !/^-?\d+$/.test(fields[1])) throw new ExpositionError(line, `'${fields[1]}' is not a timestamp`);
  return { name, labels, value: parseValue(fields[0], line) };
}

function seriesKey(s: Sample): string {
  return `${s.name}${JSON.stringify(Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
}

function checkHistogram(f: Family): void {
  const groups = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)));
    const g = groups.get(key) ?? { buckets: [] };
    groups.set(key, g);
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw new Error(`${f.name}: a bucket without le`);
      g.buckets.push([parseValue(le, 0), s.value]);
    } else if (le !== undefined) throw new Error(`${f.name}: le on ${s.name}`);
    else if (s.name === `${f.name}_sum`) g.sum = s.value;
    else if (s.name === `${f.name}_count`) g.count = s.value;
    else throw new Error(`${f.name}: unexpected sample ${s.name}`);
  }
  for (const [key, g] of groups) {
    if (g.count === undefined || g.sum === undefined) throw new Error(`${f.name}${key}: _sum or _count missing`);
    for (let i = 1; i < g.buckets.length; i++) {
      if (!(g.buckets[i][0] > g.buckets[i - 1][0])) throw new Error(`${f.name}${key}: buckets not in ascending le order`);
      if (g.buckets[i][1] < g.buckets[i - 1][1]) throw new Error(`${f.name}${key}: buckets not cumulative`);
    }
    const last = g.buckets[g.buckets.length - 1];
    if (last === undefined || last[0] !== Infinity) throw new Error(`${f.name}${key}: no +Inf bucket`);
    if (last[1] !== g.count) throw new Error(`${f.name}${key}: the +Inf bucket (${last[1]}) is not _count (${g.count})`);
  }
}

/** Parses a whole scrape; throws `ExpositionError` (or Error for a family's consistency). */
export function parseExposition(text: string): Map<string, Family> {
  if (text.length > 0 && !text.endsWith('\n')) throw new ExpositionError(0, 'the last line does not end with a line feed');
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  let current: Family | undefined;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    const at = n + 1;
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) ([^ ]+)(?: (.*))?$/.exec(line);
      if (m === null) continue; // a plain comment
      const [, kind, name, rest] = m;
      if (!METRIC_NAME.test(name)) throw new ExpositionError(at, `'${name}' is not a metric name`);
      let f = families.get(name);
      if (f !== undefined && current !== f) throw new ExpositionError(at, `${name} appears in two places`);
      if (f === undefined) {
        f = { name, type: 'untyped', help: undefined, samples: [] };
        families.set(name, f);
      }
      current = f;
      if (kind === 'HELP') {
        if (f.help !== undefined) throw new ExpositionError(at, `second HELP for ${name}`);
        (f as { help: string | undefined }).help = unescapeHelp(rest ?? '', at);
      } else {
        if (f.samples.length > 0) throw new ExpositionError(at, `TYPE for ${name} after its samples`);
        if (!TYPES.has(rest ?? '')) throw new ExpositionError(at, `'${rest}' is not a metric type`);
        if ((f as { typed?: boolean }).typed) throw new ExpositionError(at, `second TYPE for ${name}`);
        (f as { type: string }).type = rest!;
        (f as { typed?: boolean }).typed = true;
      }
      continue;
    }
    const sample = parseSample(line, at);
    let f = familyOf(sample.name, families);
    if (f === undefined) {
      f = { name: sample.name, type: 'untyped', help: undefined, samples: [] };
      families.set(sample.name, f);
    } else if (f !== current) throw new ExpositionError(at, `${sample.name} appears in two places`);
    current = f;
    const key = seriesKey(sample);
    if (seen.has(key)) throw new ExpositionError(at, `duplicate series ${key}`);
    seen.add(key);
    f.samples.push(sample);
  }
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

/** The value of the one sample named `name` whose labels include `labels`. */
export function valueOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}
