const steps = ['reflect-metadata', 'tsyringe', 'node:net', 'node:tls', 'node:http2', 'ws', './dist/connection/index.js', './dist/transports/index.js', './dist/protocols/index.js', './dist/pipeline/index.js', './dist/di/index.js', './dist/hosting/index.js'];
const out = [];
for (const s of steps) {
  const t0 = performance.now();
  await import(s.startsWith('./') ? new URL(s, 'file:///work/wt-di/').href : s);
  out.push(`${s} ${(performance.now() - t0).toFixed(1)}`);
}
console.log(out.join('\n'));
console.log('cpu', JSON.stringify(process.cpuUsage()));
