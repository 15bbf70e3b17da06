// The heap side of the idle-connection rows (bench/lib/idle.mjs reads VmRSS only): per idle
// connection, the bytes V8 still holds after a full collection (retained) and the bytes allocated
// while the connection was accepted and its one exchange served (garbage drives scavenges and the
// young generation's growth, which the RSS rows see), and with --objects the retained objects per
// connection by constructor. Each server runs in its own process with bench/lib/heap-probe.mjs
// preloaded and --expose-gc (the same for every server).
// Usage: cd bench && node idle-heap-bench.mjs [h1|h2|ws] [count] [--objects] [--close] [servers...]
//   --as-is: read as the RSS rows do (no collection before the first reading, 1 s settle)
//   servers: file names in servers/ without .mjs (default tiercel, node-http, fastify for h1;
//   tiercel, h2-node for h2; tiercel, ws-node for ws)
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { IDLE_OPENERS } from './lib/idle.mjs';
import { freePort } from './lib/processes.mjs';

const args = process.argv.slice(2);
const withObjects = args.includes('--objects');
// --as-is: no collection before the first reading and a 1 s settle, as bench/lib/idle.mjs reads VmRSS.
const asIs = args.includes('--as-is');
// --close: what closing costs instead: the bytes allocated (and left) while the `count` held
// connections are closed by their clients, per connection (churn pays this on every connection).
const closing = args.includes('--close');
const rest = args.filter((a) => a !== '--objects' && a !== '--as-is' && a !== '--close');
const kind = rest[0] ?? 'h1';
const count = Number(rest[1] ?? 1000);
const DEFAULTS = { h1: ['tiercel', 'node-http', 'fastify'], h2: ['tiercel', 'h2-node'], ws: ['tiercel', 'ws-node'] };
const servers = rest.length > 2 ? rest.slice(2) : DEFAULTS[kind];
const open = IDLE_OPENERS[kind];
if (open === undefined || !(count > 0)) throw new Error('usage: node idle-heap-bench.mjs [h1|h2|ws] [count] [--objects] [servers...]');

function ask(child, probe) {
  return new Promise((resolve) => {
    const onMessage = (m) => {
      if (m?.probe !== probe.probe) return;
      child.off('message', onMessage);
      resolve(m);
    };
    child.on('message', onMessage);
    child.send(probe);
  });
}

async function measure(name) {
  const port = await freePort();
  const child = fork(join(import.meta.dirname, 'servers', `${name}.mjs`), [String(port)], {
    execArgv: ['--expose-gc', '--import', new URL('./lib/heap-probe.mjs', import.meta.url).href],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  try {
    await new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
      child.stdout.on('data', (d) => d.toString().includes('listening') && resolve());
    });
    // Warm the code paths first, as the RSS rows do.
    const warm = [];
    for (let i = 0; i < 50; i++) warm.push(await open(port, 5000));
    for (const c of warm) c.close();
    await sleep(asIs ? 1000 : 300);
    if (process.env.HEAP_SNAPSHOT) await ask(child, { probe: 'snapshot', file: `${process.env.HEAP_SNAPSHOT}-${name}-0.heapsnapshot` });
    let begin = closing ? null : await ask(child, { probe: 'begin', objects: withObjects, asIs });
    const connections = [];
    for (let i = 0; i < count; i += 100) {
      connections.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => open(port, 5000)))));
    }
    await sleep(asIs ? 1000 : 300);
    if (closing) {
      begin = await ask(child, { probe: 'begin', objects: withObjects, asIs });
      for (const c of connections) c.close();
      await sleep(asIs ? 1000 : 300);
    }
    if (process.env.HEAP_SNAPSHOT) console.log(`snapshot: ${(await ask(child, { probe: 'snapshot', file: `${process.env.HEAP_SNAPSHOT}-${name}.heapsnapshot` })).file}`);
    const end = await ask(child, { probe: 'end' });
    const open_ = connections.filter((c) => c.isOpen()).length;
    for (const c of connections) c.close();
    const row = {
      server: name,
      ...(closing ? { closed: count } : { open: open_ }),
      retainedPerConnection: Math.round(end.retained / count),
      allocatedPerConnection: Math.round(end.allocated / count),
      gcs: end.gcs,
      scavenges: end.scavenges,
      newSpaceMiB: `${(begin.newSpace / 2 ** 20).toFixed(1)} -> ${(end.newSpace / 2 ** 20).toFixed(1)}`,
      // Resident growth per connection (before the closing collection), the process's and each heap space's.
      residentPerConnection: Object.fromEntries(Object.entries(end.grown).map(([name, bytes]) => [name, Math.round(bytes / count)])),
    };
    console.log(JSON.stringify(row));
    if (end.sites) {
      for (const [title, rows] of [['allocated by function', end.sites.leaf], ['allocated under', end.sites.own], ['named at run time (keepNames) in', end.sites.named]]) {
        console.log(`  ${title} (bytes per connection, sampled):`);
        for (const [site, bytes] of rows) console.log(`    ${String(Math.round(bytes / count)).padStart(6)}  ${site}`);
      }
    }
    if (end.objects !== null) {
      for (const o of end.objects.slice(0, 40)) console.log(`  ${(o.count / count).toFixed(2).padStart(7)} x ${String(Math.round(o.bytes / count)).padStart(6)} B  ${o.key}`);
    }
  } finally {
    child.kill('SIGKILL');
  }
}

for (const name of servers) await measure(name);
