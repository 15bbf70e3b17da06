// Runs every compiled test under c8 and ends with one line: `N passed, N failed, N skipped`.
// uvu runs the files of dist/test in one process; c8 maps coverage back to the .ts sources.
//
// Skipped counts the tests that could not run here (no Chromium, no ../shared corpus: see
// test/support/skip.ts); they are never counted as passed. CI installs what every test needs
// (.ci/run), so under CI=true a run that skipped anything fails: a skip there means a missing
// prerequisite, not a pass.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = process.env.TIERCEL_TEST_DIR ?? 'dist/test';
const pattern = process.argv[2] ?? '\\.test\\.js$';
const c8 = join(root, 'node_modules', 'c8', 'bin', 'c8.js');
const uvu = join(root, 'node_modules', 'uvu', 'bin.js');

const child = spawn(process.execPath, [c8, process.execPath, '--enable-source-maps', uvu, dir, pattern], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
child.stdout.on('data', (d) => {
  out += d;
  process.stdout.write(d);
});
child.on('close', (code) => {
  const clean = out.replace(/\x1b\[[0-9;]*m/g, '');
  // uvu's Total counts the tests it ran; skipped ones are outside it.
  const total = Number(/Total:\s+(\d+)/.exec(clean)?.[1] ?? 0);
  const passed = Number(/Passed:\s+(\d+)/.exec(clean)?.[1] ?? 0);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(clean)?.[1] ?? 0);
  let failed = Math.max(0, total - passed);
  // A crash before uvu's summary, or c8 refusing the coverage, is a failure even with no failed test.
  if (code !== 0 && failed === 0) failed = 1;
  // CI shows only the tail of the run: name each failure again here, with its file and first lines.
  const failures = recapFailures(clean);
  if (failures.length > 0) console.log(`\nFailed tests, repeated from above:\n${failures.join('\n')}`);
  const skipFails = process.env.CI === 'true' && skipped > 0;
  if (skipFails) console.log(`CI=true: ${skipped} skipped tests fail the run (CI installs what every test needs; see the SKIPPED lines above)`);
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code === 0 && failed === 0 && !skipFails ? 0 : 1);
});

/** Each uvu FAIL block with the test file it was printed under, cut to its first lines. */
function recapFailures(text) {
  const lines = text.split('\n');
  const blocks = [];
  let file = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.endsWith('.test.js')) file = line;
    if (!line.startsWith('FAIL ')) continue;
    const block = [`  ${file}: ${line}`];
    for (let j = i + 1; j < lines.length && j <= i + 14; j++) {
      const next = lines[j].trim();
      if (next.startsWith('FAIL ') || next.endsWith('.test.js') || next.startsWith('Total:')) break;
      if (next !== '') block.push(`      ${next}`);
    }
    blocks.push(block.join('\n'));
  }
  return blocks;
}
