// The README is what a new user copies from, so every ```ts block in it is type-checked the way
// that user's project would check it: strict, skipLibCheck false, module nodenext, against the
// built package (dist/) under the name 'tiercel'. Each block is its own module.
//
// A block that continues an earlier one (it uses `server` or `app` without making them) says what
// it assumes in an HTML comment right above it, invisible on GitHub and npm:
//
//   <!-- ts-prelude
//   import { Server } from 'tiercel/hosting';
//   declare const server: Server;
//   -->
//   ```ts
//
// The prelude is prepended to the block for the check; errors are reported at README lines.
// A block may import './line-echo-handler.js': the example handler, as a user's own file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/shared.js';
import { STRICT_CONSUMER_OPTIONS, tsc } from './package-support.js';

const root = repoRoot();
const readme = readFileSync(join(root, 'README.md'), 'utf8');

interface Block {
  /** README line (1-based) of the block's first line of code. */
  readonly line: number;
  readonly code: string;
  readonly prelude: string;
}

function tsBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  let prelude = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '<!-- ts-prelude') {
      const end = lines.indexOf('-->', i + 1);
      if (end < 0) throw new Error(`README.md:${i + 1}: a ts-prelude comment without its closing '-->'`);
      prelude = lines.slice(i + 1, end).join('\n');
      i = end;
      continue;
    }
    const fence = /^(`{3,})\s*(\S*)/.exec(line);
    if (fence === null) {
      if (line.trim() !== '') prelude = ''; // a prelude belongs to the block right below it
      continue;
    }
    const close = lines.findIndex((l, j) => j > i && l.startsWith(fence[1]) && l.trim() === fence[1]);
    if (close < 0) throw new Error(`README.md:${i + 1}: a code block that never closes`);
    if (fence[2] === 'ts' || fence[2] === 'typescript') {
      blocks.push({ line: i + 2, code: lines.slice(i + 1, close).join('\n'), prelude });
    } else if (prelude !== '') {
      throw new Error(`README.md:${i + 1}: a ts-prelude above a block that is not \`\`\`ts`);
    }
    prelude = '';
    i = close;
  }
  return blocks;
}

/** Maps `block-3.ts(12,5): error …` back to the README line the code came from. */
function toReadmeLines(output: string, blocks: readonly Block[]): string {
  return output.replace(/block-(\d+)\.ts\((\d+),(\d+)\)/g, (whole, n: string, line: string, col: string) => {
    const block = blocks[Number(n)];
    const preludeLines = block.prelude === '' ? 0 : block.prelude.split('\n').length;
    const inBlock = Number(line) - preludeLines;
    return inBlock < 1 ? `README.md:${block.line - 1} (the ts-prelude above it, line ${line})` : `README.md:${block.line + inBlock - 1}:${col}`;
  });
}

test('every ```ts block in the README compiles under strict against the built package', async () => {
  const blocks = tsBlocks(readme);
  // Quick starts for HTTP, HTTPS, HTTP/2, WebSockets, testing, a protocol, middleware, a transport.
  assert.ok(blocks.length >= 8, `expected the README's quick starts, found ${blocks.length} ts blocks`);
  const dir = mkdtempSync(join(tmpdir(), 'tiercel-readme-'));
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'readme-check', private: true, type: 'module' }));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          ...STRICT_CONSUMER_OPTIONS,
          noEmit: true,
          // 'tiercel' is the built package; tsyringe, reflect-metadata and @types come from the
          // repository's node_modules, linked below.
          paths: { tiercel: [join(root, 'dist', 'index.d.ts')], 'tiercel/*': [join(root, 'dist', '*', 'index.d.ts')] },
        },
        include: ['*.ts'],
      }),
    );
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    // The example handler as a user's own file next to their code, importing tiercel by name.
    const handler = readFileSync(join(root, 'examples', 'line-echo', 'line-echo-handler.ts'), 'utf8').replace(
      /from '\.\.\/\.\.\/(\w+)\/index\.js'/g,
      "from 'tiercel/$1'",
    );
    assert.not.match(handler, /from '\.\.?\//, 'every import of the example handler was rewritten to the package');
    writeFileSync(join(dir, 'line-echo-handler.ts'), handler);
    blocks.forEach((b, n) => writeFileSync(join(dir, `block-${n}.ts`), b.prelude === '' ? b.code : `${b.prelude}\n${b.code}`));
    const result = await tsc(dir);
    assert.is(result.code, 0, `README code blocks that do not compile:\n${toReadmeLines(result.output, blocks)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the extractor finds preludes, ignores other languages and reports lines', () => {
  const md = ['# x', '```sh', 'npm i', '```', '<!-- ts-prelude', 'declare const a: number;', '-->', '```ts', 'a + 1;', '```', '', '```ts', 'const b = 2;', '```'].join('\n');
  assert.equal(tsBlocks(md), [
    { line: 9, code: 'a + 1;', prelude: 'declare const a: number;' },
    { line: 13, code: 'const b = 2;', prelude: '' },
  ]);
  assert.throws(() => tsBlocks('<!-- ts-prelude\nx\n-->\n```sh\nls\n```'), /not ```ts/);
});

test('every link in the README works from the npm registry page (absolute, or an anchor)', () => {
  const targets = [...readme.matchAll(/\]\(([^)\s]+)\)|<(https?:[^>\s]+)>/g)].map((m) => m[1] ?? m[2]);
  assert.ok(targets.length > 0);
  const relative = targets.filter((t) => !/^(https?:\/\/|#|mailto:)/.test(t));
  assert.equal(relative, [], 'a relative link resolves against npmjs.com, not the repository: use the full URL');
});

test.run();
