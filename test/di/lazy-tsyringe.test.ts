// tsyringe loads with the first container, not with `import 'tiercel/di'` (issue 11, start-up):
// the decorators tiercel/di exports queue what they record until then. Each case runs in a fresh
// process, as in this one tsyringe was loaded long ago.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

function runChild(name: string): Promise<Record<string, unknown>> {
  const file = fileURLToPath(new URL(`./${name}`, import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [file], { timeout: 8_000 }, (err, stdout, stderr) => {
      if (err !== null) return reject(new Error(`${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout) as Record<string, unknown>);
    });
  });
}

test('classes decorated before tsyringe loads resolve from a server container: @injectable, @inject, @injectAll, optional, @singleton, @scoped', async () => {
  const seen = await runChild('lazy-tsyringe-child.js');
  assert.is(seen.decoratedBeforeLoad, true, 'tsyringe was already loaded: the test proved nothing');
  assert.is(seen.loadedByContainer, true);
  assert.is(seen.logger, 'function', '@inject(LOGGER)');
  assert.is(seen.dependency, 'dependency', 'a class parameter, by its design:paramtypes metadata');
  assert.equal(seen.transports, ['tcp', 'pipe', 'memory', 'fd'], '@injectAll(TRANSPORT), in registration order');
  assert.is(seen.greeting, null, 'an optional token left unregistered');
  assert.is(seen.singleton, true, '@singleton: one instance across containers');
  assert.is(seen.scopedSame, true, '@scoped(ContainerScoped): one instance per container');
  assert.is(seen.scopedApart, true, '@scoped(ContainerScoped): another in another container');
});

test("tiercel/di's Lifecycle is tsyringe's, value for value", async () => {
  const seen = await runChild('lazy-tsyringe-child.js');
  assert.equal(seen.lifecycle, seen.tsyringeLifecycle);
});

test('an app that loaded tsyringe itself gets its decorators applied at once and resolves with its own container', async () => {
  assert.equal(await runChild('app-tsyringe-child.js'), { name: 'app', oneRegistry: true });
});

test.run();
