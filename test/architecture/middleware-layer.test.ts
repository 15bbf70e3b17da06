// The middleware layer's row of the dependency rules (layering.ts): it stands on the pipeline, the
// shared HTTP contracts and the connection; never on a protocol version or on hosting, which may
// import it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkLayering } from './layering.js';

const file = (...specifiers: string[]): string => specifiers.map((s, i) => `import { x${i} } from '${s}';\n`).join('') + 'export const x = 1;\n';

test('middleware may import connection, protocols/http and pipeline; hosting may import middleware', () => {
  const files = new Map([
    ['connection/index.ts', file()],
    ['protocols/http/index.ts', file('../../connection/index.js')],
    ['protocols/http1/index.ts', file('../http/index.js')],
    ['pipeline/index.ts', file('../protocols/http/index.js')],
    ['middleware/index.ts', file('./health/index.js')],
    ['middleware/health/index.ts', file('../../connection/index.js', '../../protocols/http/index.js', '../../pipeline/index.js', 'node:perf_hooks')],
    ['hosting/index.ts', file('../middleware/index.js')],
  ]);
  assert.equal(checkLayering(files, { exceptions: [] }).violations, []);
});

test('middleware may not import a protocol version or hosting, nor name a version; the pipeline may not import middleware', () => {
  const files = new Map([
    ['protocols/http1/index.ts', file()],
    ['hosting/index.ts', file()],
    ['middleware/index.ts', file()],
    ['middleware/health/index.ts', file('../../protocols/http1/index.js', '../../hosting/index.js') + "const v = 'HTTP/2';\n"],
    ['pipeline/index.ts', file('../middleware/index.js')],
  ]);
  const found = checkLayering(files, { exceptions: [] }).violations.map((v) => [v.rule, v.from, v.to]);
  assert.equal(found, [
    ['layer', 'middleware/health/index.ts', 'protocols/http1/index.ts'],
    ['layer', 'middleware/health/index.ts', 'hosting/index.ts'],
    ['version', 'middleware/health/index.ts', 'HTTP/2'],
    ['layer', 'pipeline/index.ts', 'middleware/index.ts'],
  ]);
});

test.run();
