import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

// A fresh process: in the test runner's own, other tests have long loaded everything.
const CHILD = fileURLToPath(new URL('./lazy-loading-child.js', import.meta.url));

function runChild(): Promise<Record<string, string[]>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CHILD], { timeout: 8_000 }, (err, stdout, stderr) => {
      if (err !== null) return reject(new Error(`${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout) as Record<string, string[]>);
    });
  });
}

test("import 'tiercel/hosting' loads none of ws, undici, selfsigned; each loads with the first use that needs it", async () => {
  const stages = await runChild();
  assert.equal(stages.import, [], 'nothing heavy at import');
  // A TestServer is a test client: undici (its fetch) loads with it; ws is still not needed.
  assert.equal(stages.request, ['undici']);
  // The server's side of a WebSocket loads ws.
  assert.equal(stages.webSocket, ['ws', 'undici']);
  assert.equal(stages.devCertificate, ['ws', 'undici', 'selfsigned']);
});

test.run();
