// `npm audit` of every lockfile in the repository (the library's and bench/'s), dev dependencies
// included: any advisory of any severity fails the run. npm audit reads the lockfile only, so
// bench/ need not be installed.
//
// Where the registry's advisory service does not answer (a mirror that refuses the bulk-advisory
// POST, no network), nothing could be checked: that is said loudly and, unless
// TIERCEL_AUDIT_REQUIRED=1, does not fail the run, since it says nothing about the dependencies.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const LOCKFILES = [
  { name: 'tiercel', dir: root },
  { name: 'bench', dir: join(root, 'bench') },
];
const required = process.env.TIERCEL_AUDIT_REQUIRED === '1';

let vulnerable = false;
let unchecked = false;
for (const { name, dir } of LOCKFILES) {
  const run = spawnSync('npm', ['audit', '--json', '--audit-level=low'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  let report;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    report = undefined;
  }
  if (report?.auditReportVersion === undefined) {
    unchecked = true;
    const why = report?.message ?? run.error?.message ?? (run.stderr.trim().split('\n').at(-1) || `npm exited with ${run.status}`);
    console.warn(`audit ${name}: NOT CHECKED — the advisory service did not answer: ${why}`);
    continue;
  }
  const counts = report.metadata.vulnerabilities;
  const dependencies = report.metadata.dependencies.total;
  if (counts.total === 0) {
    console.log(`audit ${name}: 0 vulnerabilities in ${dependencies} dependencies`);
    continue;
  }
  vulnerable = true;
  console.error(`audit ${name}: ${counts.total} vulnerable packages (critical ${counts.critical}, high ${counts.high}, moderate ${counts.moderate}, low ${counts.low}, info ${counts.info})`);
  for (const [pkg, v] of Object.entries(report.vulnerabilities)) {
    const fix = v.fixAvailable === true ? 'fix: npm audit fix' : v.fixAvailable ? `fix: ${v.fixAvailable.name}@${v.fixAvailable.version}` : 'no fix yet';
    console.error(`  ${pkg} ${v.range} — ${v.severity}; ${fix}`);
  }
}
if (unchecked) {
  console.warn(`audit: !!! some lockfiles were NOT audited${required ? '' : ' (set TIERCEL_AUDIT_REQUIRED=1 to fail on this)'}`);
}
process.exit(vulnerable || (unchecked && required) ? 1 : 0);
