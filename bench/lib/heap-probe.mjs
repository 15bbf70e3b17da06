// Preloaded (`--import`) into a server process by idle-heap-bench.mjs: answers its parent's IPC
// messages with V8 heap figures, so the heap a connection retains and the bytes allocated while
// connections are accepted can be read from outside without changing the server's own code.
import { Session } from 'node:inspector';
import v8 from 'node:v8';

/** With HEAP_PROBE_SAMPLING=1: V8's sampling heap profiler, collected objects included (allocation sites). */
const sampling = process.env.HEAP_PROBE_SAMPLING === '1' ? new Session() : null;
sampling?.connect();
const post = (method, params) => new Promise((resolve, reject) => sampling.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));

/** Bytes sampled per allocating function, and per nearest function of `mine` (a path part) on the stack. */
function allocationSites(profile, mine) {
  const leaf = new Map();
  const own = new Map();
  const named = new Map();
  const walk = (node, nearest, parent) => {
    const f = node.callFrame;
    const here = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    // esbuild's keepNames helper: who names a function at run time.
    if (f.functionName === '__name') named.set(parent, (named.get(parent) ?? 0) + totalSize(node));
    const ours = f.url.includes(mine) ? here : nearest;
    if (node.selfSize > 0) {
      leaf.set(here, (leaf.get(here) ?? 0) + node.selfSize);
      own.set(ours, (own.get(ours) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, ours, here);
  };
  walk(profile.head, '(none)', '(none)');
  const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 25);
  return { leaf: top(leaf), own: top(own), named: top(named) };
}

function totalSize(node) {
  let size = node.selfSize;
  for (const child of node.children) size += totalSize(child);
  return size;
}

let profiler = null;
let start = 0;
let counts = null;
let spacesAtStart = null;

/** Resident memory now, in bytes: the process's and each V8 space's physical size. */
function memory() {
  const spaces = { rss: process.memoryUsage.rss() };
  for (const s of v8.getHeapSpaceStatistics()) spaces[s.space_name] = s.physical_space_size;
  return spaces;
}

/** Self size and count per constructor name (objects, closures, arrays, strings, ...). */
function countByConstructor() {
  const snapshot = JSON.parse(readAll(v8.getHeapSnapshot()));
  const { node_fields: fields, node_types: [types] } = snapshot.snapshot.meta;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const table = new Map();
  const nodes = snapshot.nodes;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]];
    const detailed = type === 'object' || type === 'closure' || type === 'native' || (process.env.HEAP_PROBE_STRINGS === '1' && (type === 'string' || type === 'concatenated string'));
    const name = detailed ? snapshot.strings[nodes[i + nameAt]].slice(0, 60).replace(/[0-9]/g, '#') : `(${type})`;
    const key = `${type === 'closure' ? 'closure ' : ''}${name}`;
    const entry = table.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += nodes[i + sizeAt];
    table.set(key, entry);
  }
  return table;
}

function readAll(stream) {
  const chunks = [];
  let chunk;
  while ((chunk = stream.read()) !== null) chunks.push(chunk);
  return chunks.join('');
}

function used() {
  return v8.getHeapStatistics().used_heap_size;
}

function space(name) {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === name)?.space_size ?? 0;
}

process.on('message', async (message) => {
  if (message?.probe === 'begin') {
    // As the RSS rows read it (no collection first): `retained` then includes garbage.
    if (!message.asIs) {
      globalThis.gc();
      globalThis.gc();
    }
    if (message.objects) counts = countByConstructor();
    if (!message.asIs) globalThis.gc();
    start = used();
    spacesAtStart = memory();
    profiler = new v8.GCProfiler();
    profiler.start();
    if (sampling !== null) {
      await post('HeapProfiler.enable');
      await post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    }
    process.send({ probe: 'begin', used: start, newSpace: space('new_space') });
  } else if (message?.probe === 'snapshot') {
    globalThis.gc();
    process.send({ probe: 'snapshot', file: v8.writeHeapSnapshot(message.file) });
  } else if (message?.probe === 'end') {
    const end = used();
    const sites = sampling === null ? null : allocationSites((await post('HeapProfiler.stopSampling')).profile, process.env.HEAP_PROBE_MINE ?? '/bundle/');
    const spacesAtEnd = memory();
    const grown = {};
    for (const [name, bytes] of Object.entries(spacesAtEnd)) {
      const delta = bytes - (spacesAtStart[name] ?? 0);
      if (delta !== 0) grown[name] = delta;
    }
    const { statistics } = profiler.stop();
    let freed = 0;
    let scavenges = 0;
    for (const gc of statistics) {
      freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
      if (gc.gcType === 'Scavenge') scavenges++;
    }
    const newSpace = space('new_space');
    globalThis.gc();
    globalThis.gc();
    const retained = used() - start;
    let objects = null;
    if (counts !== null) {
      const after = countByConstructor();
      objects = [];
      for (const [key, { count, bytes }] of after) {
        const was = counts.get(key) ?? { count: 0, bytes: 0 };
        if (count !== was.count || bytes !== was.bytes) objects.push({ key, count: count - was.count, bytes: bytes - was.bytes });
      }
      objects.sort((a, b) => b.bytes - a.bytes);
    }
    process.send({ probe: 'end', sites, grown, allocated: end - start + freed, retained, gcs: statistics.length, scavenges, newSpace, objects });
  }
});
