// README's "Deploying" shows the configurations the tests run: a block right below
// `<!-- from examples/… -->` must be an excerpt, verbatim, of that file (the HAProxy config
// test/examples/haproxy-rolling-restart.test.ts starts, the nginx headers
// test/middleware/forwarded/nginx.test.ts includes, the systemd units
// test/hosting/socket-activation.test.ts follows), so an edit to one shows in the other.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/shared.js';

const root = repoRoot();
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** Each `<!-- from PATH -->` with the fenced block right below it. */
function excerpts(markdown: string): { path: string; block: string; line: number }[] {
  const found: { path: string; block: string; line: number }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const from = /^<!-- from (\S+) -->$/.exec(lines[i]);
    if (from === null) continue;
    assert.match(lines[i + 1], /^```/, `README.md:${i + 2}: a fenced block must follow ${lines[i]}`);
    const end = lines.indexOf('```', i + 2);
    found.push({ path: from[1], block: lines.slice(i + 2, end).join('\n'), line: i + 1 });
  }
  return found;
}

const found = excerpts(readme);

test('README marks the snippets of every deployment example', () => {
  assert.equal([...new Set(found.map((e) => e.path))].sort(), [
    'examples/haproxy/haproxy.cfg',
    'examples/nginx/proxy-headers.conf',
    'examples/systemd/tiercel.service',
    'examples/systemd/tiercel.socket',
  ]);
});

for (const { path, block, line } of found) {
  test(`README.md:${line}: the snippet is ${path}, verbatim`, () => {
    assert.ok(block.trim().length > 0);
    const file = readFileSync(join(root, path), 'utf8');
    assert.ok(file.includes(block), `README.md:${line}: this block is not an excerpt of ${path}; copy the file's lines again:\n${block}`);
  });
}

test.run();
