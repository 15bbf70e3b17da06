import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CertDir, makeLeaf } from '../support/tls-certificates.js';

// A fresh process: in the test runner's own, other tests have long loaded everything.
const CHILD = fileURLToPath(new URL('./lazy-loading-child.js', import.meta.url));
const BUILTINS_CHILD = fileURLToPath(new URL('./lazy-builtins-child.js', import.meta.url));
const PACKAGES_CHILD = fileURLToPath(new URL('./lazy-packages-child.js', import.meta.url));

function runChild(child = CHILD, args: readonly string[] = []): Promise<Record<string, string[]>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [child, ...args], { timeout: 8_000 }, (err, stdout, stderr) => {
      if (err !== null) return reject(new Error(`${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout) as Record<string, string[]>);
    });
  });
}

test("import 'tiercel/hosting' loads none of tsyringe, ws, undici, selfsigned; each loads with the first use that needs it", async () => {
  const stages = await runChild();
  assert.equal(stages.import, [], 'nothing heavy at import');
  // A TestServer makes a container (tsyringe) and is a test client: undici (its fetch) loads with
  // it; ws is still not needed.
  assert.equal(stages.request, ['tsyringe', 'undici']);
  // The server's side of a WebSocket loads ws.
  assert.equal(stages.webSocket, ['tsyringe', 'ws', 'undici']);
  assert.equal(stages.devCertificate, ['tsyringe', 'ws', 'undici', 'selfsigned']);
});

test("node:http2 and node:tls load with the first HTTP/2 connection or HTTPS endpoint, not with 'tiercel/hosting' or HTTP/1.1; a stop during the load is honoured", async () => {
  // Made here: the child must not load node:crypto for its certificate.
  const dir = new CertDir();
  try {
    const pem = dir.writePem('leaf', await makeLeaf(['localhost']));
    const stages = await runChild(BUILTINS_CHILD, [pem.certFile, pem.keyFile]);
    assert.equal(stages.import, [], 'none at import');
    assert.equal(stages.http1, [], 'none for an http:// endpoint serving HTTP/1.1 (the HTTP/2 sniff included)');
    // node:http2 itself loads node:tls, so the HTTPS endpoint comes first.
    assert.equal(stages.https, ['tls', 'crypto'], 'an https:// endpoint loads TLS when the server starts');
    // The first h2c connection, with the server's stop requested before HTTP/2 had loaded for it:
    // HTTP/2 loads, and the connection gets its GOAWAY (7) and is closed, in time for the stop.
    assert.equal(stages.stopRequested, ['tls', 'crypto'], 'HTTP/2 had loaded before the stop: the test proved nothing');
    assert.ok(stages.framesAfterStop.includes('7'), `a GOAWAY before the close (frame types ${stages.framesAfterStop.join(', ')})`);
    assert.equal(stages.afterStop, ['http2', 'tls', 'crypto'], 'the first h2c connection loads HTTP/2');
    assert.equal(stages.http2, ['http2', 'tls', 'crypto']);
  } finally {
    dir.remove();
  }
});

test("'tiercel/middleware' and 'tiercel/observability' load none of their CommonJS packages nor node:crypto at import; each loads with its first use", async () => {
  // Required, not imported: an ES import of CommonJS runs Node's export lexer over it, which left a
  // server ~5 MiB more RSS at start (bench/servers/tiercel.mjs) whether or not it routed a request.
  const stages = await runChild(PACKAGES_CHILD);
  assert.equal(stages.import, [], 'nothing at import');
  assert.equal(stages.router, ['find-my-way'], 'the first Router');
  assert.equal(stages.forwarded, ['find-my-way', 'proxy-addr'], 'the first forwardedHeaders()');
  assert.equal(stages.metrics, ['find-my-way', 'proxy-addr', '@opentelemetry/api'], 'the first ServerMetrics');
  // The TestServer (its undici) may load node:crypto: the packages are what this stage checks.
  const packages = (stage: string[]): string[] => stage.filter((p) => p !== 'crypto');
  assert.equal(packages(stages.routed), ['find-my-way', 'proxy-addr', '@opentelemetry/api'], 'routing loads nothing more');
  assert.equal(packages(stages.negotiated), ['find-my-way', 'negotiator', 'proxy-addr', '@opentelemetry/api'], 'the first Accept-Encoding negotiated');
  assert.equal(packages(stages.cookie), ['find-my-way', 'negotiator', 'cookie', 'proxy-addr', '@opentelemetry/api'], 'the first Cookie header read');
});

test.run();
