// `tiercel serve --workers 2` under wrk load: real processes (node:cluster's primary and workers),
// real sockets, real signals. Every process started here is killed in a finally.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { answeringPids, kill, serve, until, wrk } from '../support/cluster-processes.js';
import { testRequiring } from '../support/skip.js';
import { delay } from '../support/streams.js';

const hasWrk = spawnSync('wrk', ['--version']).error === undefined;
const withWrk = testRequiring(test, hasWrk ? undefined : 'wrk is missing (apt-get install wrk): the cluster load tests');

withWrk('--workers 2 under load: both workers serve; a worker killed with SIGKILL loses only its in-flight requests and is replaced', async () => {
  const r = await serve('--workers', '2', '--urls', 'http://127.0.0.1:0');
  const load = wrk(`${r.url}/plaintext`, 3);
  try {
    const before = await answeringPids(`${r.url}/whoami`);
    assert.is(before.size, 2, `both workers answer /whoami: ${[...before]}`);
    assert.not.ok(before.has(r.child.pid!), 'the primary serves nothing');
    const [victim, survivor] = [...before];
    process.kill(victim, 'SIGKILL');
    // The connection node:cluster's primary was handing to the worker as it died stays unanswered
    // (the primary keeps it open): one request of ours may time out meanwhile.
    let lost = 0;
    await until('a replacement worker to answer', async () => {
      try {
        const now = await answeringPids(`${r.url}/whoami`, 6);
        return [...now].some((pid) => !before.has(pid));
      } catch {
        lost++;
        return false;
      }
    });
    assert.ok(lost <= 1, `${lost} requests of ours lost`);
    const after = await answeringPids(`${r.url}/whoami`);
    assert.is(after.size, 2, `two workers again: ${[...after]}`);
    assert.ok(after.has(survivor) && !after.has(victim), `the survivor and a new worker: ${[...after]}`);
    const w = await load.result;
    console.log(`\n  a worker SIGKILLed under wrk -c16: ${w.requests} requests, ${w.socketErrors} socket errors, ${w.non2xx} non-2xx; ${lost} of our own requests unanswered`);
    assert.ok(w.requests > 1_000, w.text);
    // Each of wrk's connections has at most one request in flight; the killed worker held some of the 16.
    assert.ok(w.socketErrors + w.non2xx <= 16, `no more lost than the killed worker's connections: ${w.text}`);
    assert.match(r.output(), /error: tiercel\.cluster: A worker died; a new one replaces it .*"exit":"signal SIGKILL"/);
  } finally {
    load.child.kill('SIGKILL');
    await kill(r);
  }
});

withWrk('SIGHUP replaces the workers one by one under wrk load: zero non-2xx responses, zero socket errors', async () => {
  const r = await serve('--workers', '2', '--urls', 'http://127.0.0.1:0');
  try {
    const before = await answeringPids(`${r.url}/whoami`);
    assert.is(before.size, 2);
    const load = wrk(`${r.url}/plaintext`, 3);
    await delay(800);
    r.child.kill('SIGHUP');
    await until('the rolling restart to end', () => r.output().includes('Every worker was replaced'));
    const w = await load.result;
    console.log(`\n  SIGHUP under wrk -c16: ${w.requests} requests, ${w.socketErrors} socket errors, ${w.non2xx} non-2xx`);
    assert.ok(w.requests > 1_000, w.text);
    assert.is(w.non2xx, 0, w.text);
    assert.is(w.socketErrors, 0, w.text);
    const after = await answeringPids(`${r.url}/whoami`);
    assert.is(after.size, 2, `two workers: ${[...after]}`);
    assert.ok([...after].every((pid) => !before.has(pid)), `every worker is new: ${[...before]} → ${[...after]}`);
    assert.ok(r.output().split('\n').every((line) => !line.startsWith('error:')), r.output());
  } finally {
    await kill(r);
  }
});

test.run();
