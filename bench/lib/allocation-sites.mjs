// What V8's sampling heap profiler saw, as self bytes per allocation site (the function that
// allocated, after inlining): the harnesses that report bytes per request or per stream
// (alloc-bench.mjs, h2-alloc-bench.mjs) share it.

/** Starts sampling on an inspector session, counting what minor and major collections free too. */
export function startSampling(session) {
  return session.post('HeapProfiler.startSampling', { samplingInterval: 64, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
}

/** Self bytes per site of a sampling profile, and their total. */
export function allocationSites(profile) {
  const sites = new Map();
  let total = 0;
  const stack = [profile.head];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node.selfSize > 0) {
      const f = node.callFrame;
      const site = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-3).join('/')}:${f.lineNumber + 1}`;
      sites.set(site, (sites.get(site) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
    stack.push(...node.children);
  }
  return { sites, total };
}

/** Prints the `most` largest sites, in bytes per unit (request, stream) over `units`. */
export function printSites(sites, units, most) {
  for (const [site, bytes] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, most)) {
    const per = bytes / units;
    if (per >= 1) console.log(`${per.toFixed(0).padStart(6)} B  ${site}`);
  }
}
