// h2spec (the HTTP/2 conformance suite in ../shared/tools/h2spec) as a library for tests: builds or
// finds the binary, runs it against a port, reads its JUnit report, and compares a server with a
// bare node:http2 server test by test, re-running disagreements so a flaky case is not a regression.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, sharedFile } from '../../support/shared.js';

/** Tests in h2spec 2.6.0 (af83a65) without `--strict`: a report with fewer means a run went wrong. */
export const H2SPEC_TESTS = 146;

/**
 * Seconds h2spec waits for a frame before a test counts as timed out (its default is 2). A timeout
 * is never a pass, and the tests that wait one out fail on both servers (node:http2 never answers
 * them), so this sets most of the run time. A slow answer under load that misses it fails one try;
 * a regression must fail every try.
 */
const TIMEOUT_S = 1;

/** Bounds one h2spec process: a full run takes ~10 s over TLS (ten 1 s timeouts). */
const RUN_DEADLINE_MS = 90_000;

/** Bounds the build: apt may install Go first (as root), then `go build` ~5 s. */
const BUILD_DEADLINE_MS = 600_000;

/**
 * The h2spec binary, built by scripts/h2spec/build.sh (cached after the first build). Missing
 * ../shared or a failed build is an error under CI=true; elsewhere it warns loudly and resolves
 * undefined, and the caller registers its tests as skipped.
 */
export async function h2specBinary(): Promise<string | undefined> {
  if (sharedFile('tools/h2spec/build.sh') === undefined) return undefined;
  const script = join(repoRoot(), 'scripts', 'h2spec', 'build.sh');
  return new Promise((resolve, reject) => {
    execFile(script, { timeout: BUILD_DEADLINE_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err === null) return resolve(stdout.trim());
      const why = `${script} failed (${err.message.split('\n')[0]}):\n${stderr.slice(-2_000)}`;
      if (process.env.CI === 'true') return reject(new Error(`CI=true but h2spec cannot be built: ${why}`));
      console.warn(`\n!!! SKIPPING h2spec tests: ${why}\n(.ci/run installs Debian's Go packages; see ../shared/tools/h2spec/README.md)\n`);
      resolve(undefined);
    });
  });
}

export type Outcome = 'passed' | 'failed' | 'skipped';

export interface H2specCase {
  /** `<spec>/<section>/<n>`, e.g. `http2/6.9.1/3`: what h2spec takes to run that test alone. */
  readonly id: string;
  /** The test's section and description: unique, and stable across filtered runs (unlike `n`). */
  readonly key: string;
  readonly outcome: Outcome;
  /** h2spec's expected events, then the actual one (the last line); '' unless failed. */
  readonly message: string;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] !== '#') return ENTITIES[name] ?? whole;
    return String.fromCodePoint(name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1)));
  });
}

function attribute(tag: string, name: string): string {
  const m = new RegExp(`\\b${name}="([^"]*)"`).exec(tag);
  if (m === null) throw new Error(`h2spec JUnit report: no ${name}= in ${tag}`);
  return unescapeXml(m[1]);
}

/**
 * Reads h2spec's JUnit report: `testsuite` per section (`package` = `http2/6.9.1`), `testcase` per
 * test in order (`classname` = the description). A failure is written as `<error>` (h2spec files
 * its own TestError under errors) or `<failure>`; either counts. The report may hold NUL bytes
 * (PING payloads quoted in messages), so this reads it as text rather than as strict XML. In a
 * filtered run a section lists only the tests that ran: `n` in the ids is right for full runs only.
 */
export function parseJUnit(xml: string): H2specCase[] {
  const cases: H2specCase[] = [];
  for (const suite of xml.matchAll(/<testsuite\b([^>]*)>([\s\S]*?)<\/testsuite>/g)) {
    const section = attribute(suite[1], 'package');
    let n = 0;
    for (const tc of suite[2].matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
      const body = tc[2] ?? '';
      const failure = /<(failure|error)\b[^>]*>([\s\S]*?)<\/\1>|<(failure|error)\b[^>]*\/>/.exec(body);
      const outcome: Outcome = failure !== null ? 'failed' : /<skipped\b/.test(body) ? 'skipped' : 'passed';
      cases.push({
        id: `${section}/${++n}`,
        key: `${section} ${attribute(tc[1], 'classname')}`,
        outcome,
        message: failure === null ? '' : unescapeXml(failure[2] ?? '').replace(/\0/g, '\\0'),
      });
    }
  }
  return cases;
}

/** Where h2spec connects. */
export interface H2specTarget {
  /** For messages: `tiercel h2c`, `node:http2 TLS`. */
  readonly name: string;
  readonly port: number;
  readonly tls: boolean;
}

/** One h2spec run against `target` (all tests, or only `ids`), its cases by key. */
export async function runH2spec(bin: string, target: H2specTarget, ids: readonly string[] = []): Promise<Map<string, H2specCase>> {
  const dir = mkdtempSync(join(tmpdir(), 'tiercel-h2spec-'));
  const report = join(dir, 'report.xml');
  // Flags first, spec ids last: both upstream's cobra command line and scripts/h2spec/main.go take that.
  const args = ['-h', '127.0.0.1', '-p', String(target.port), '-o', String(TIMEOUT_S), '-j', report];
  if (target.tls) args.push('-t', '-k');
  args.push(...ids);
  try {
    await new Promise<void>((resolve, reject) => {
      // h2spec exits 1 when a test fails: only a missing report (below) or a kill is an error.
      execFile(bin, args, { timeout: RUN_DEADLINE_MS, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
        if (err !== null && (err.killed || typeof err.code !== 'number')) {
          reject(new Error(`h2spec against ${target.name} did not finish: ${err.message}\n${stdout.slice(-2_000)}`));
        } else resolve();
      });
    });
    let xml: string;
    try {
      xml = readFileSync(report, 'latin1');
    } catch {
      throw new Error(`h2spec against ${target.name} wrote no report (${args.join(' ')})`);
    }
    return new Map(parseJUnit(xml).map((c) => [c.key, c]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Regression {
  readonly id: string;
  readonly key: string;
  /** h2spec's message from the server's last failing try. */
  readonly message: string;
  /** Tries, counting the full run; the server failed every one. */
  readonly tries: number;
  /** How many of those tries node:http2 passed (at least one). */
  readonly nodePassed: number;
}

export interface Comparison {
  readonly server: ReadonlyMap<string, H2specCase>;
  readonly node: ReadonlyMap<string, H2specCase>;
  /** Tests node:http2 passed at least once and the server failed on every try. */
  readonly regressions: readonly Regression[];
  /** Tests the server failed in the full run and passed on a re-run (flaky, not counted). */
  readonly flaky: readonly string[];
}

const passes = (cases: ReadonlyMap<string, H2specCase>, key: string): boolean => cases.get(key)?.outcome === 'passed';

interface Tally {
  readonly id: string;
  readonly key: string;
  message: string;
  nodePassed: number;
}

/**
 * Runs h2spec against `server` and `node` at once, then re-runs, on both, what the server failed,
 * `reruns` times. A test the server passes once is flaky, not a regression. node:http2 is flaky
 * too, so the first re-run takes every test the server failed (a test node:http2 failed in the full
 * run gets a second chance); later ones only those node:http2 has passed so far.
 */
export async function compareWithNode(bin: string, server: H2specTarget, node: H2specTarget, reruns: number): Promise<Comparison> {
  const [serverRun, nodeRun] = await Promise.all([runH2spec(bin, server), runH2spec(bin, node)]);
  for (const [name, run] of [[server.name, serverRun], [node.name, nodeRun]] as const) {
    if (run.size !== H2SPEC_TESTS) throw new Error(`h2spec ran ${run.size} tests against ${name}, expected ${H2SPEC_TESTS}`);
  }
  let pending: Tally[] = [...serverRun.values()]
    .filter((c) => c.outcome !== 'passed')
    .map((c) => ({ id: c.id, key: c.key, message: c.message, nodePassed: passes(nodeRun, c.key) ? 1 : 0 }));
  const flaky: string[] = [];
  for (let i = 0; i < reruns && pending.length > 0; i++) {
    const ids = pending.map((t) => t.id);
    const [s, n] = await Promise.all([runH2spec(bin, server, ids), runH2spec(bin, node, ids)]);
    for (const t of pending) {
      if (passes(n, t.key)) t.nodePassed++;
      if (passes(s, t.key)) flaky.push(t.id);
      else t.message = s.get(t.key)?.message || t.message;
    }
    pending = pending.filter((t) => !passes(s, t.key) && t.nodePassed > 0);
  }
  const regressions = pending.map((t) => ({ ...t, tries: reruns + 1 }));
  return { server: serverRun, node: nodeRun, regressions, flaky };
}

/** `passed/total` (and skipped) of a full run. */
export function score(cases: ReadonlyMap<string, H2specCase>): string {
  let passed = 0;
  let skipped = 0;
  for (const c of cases.values()) {
    if (c.outcome === 'passed') passed++;
    else if (c.outcome === 'skipped') skipped++;
  }
  return `${passed}/${cases.size}${skipped > 0 ? ` (${skipped} skipped)` : ''}`;
}

/** One regression per paragraph: id, description, the server's answer against what h2spec expected. */
export function describe(regressions: readonly Regression[]): string {
  return regressions
    .map((r) => {
      const lines = r.message.split('\n');
      const actual = lines.pop();
      return (
        `  ${r.id} (${r.key}): failed ${r.tries}/${r.tries} tries, node:http2 passed ${r.nodePassed}/${r.tries}\n` +
        `      expected: ${lines.join(' | ')}\n      actual:   ${actual}`
      );
    })
    .join('\n');
}
