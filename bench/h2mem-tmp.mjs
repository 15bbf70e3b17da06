import v8 from 'node:v8';
const which = process.argv[3];
const port = Number(process.argv[2]);
if (which === 'tiercel') {
  const { Server } = await import('../bundle/hosting/index.js');
  const { demoApp } = await import('../bundle/hosting/demo-app.js');
  const server = new Server({ logLevel: 'warn' });
  server.useHttp(demoApp());
  server.listen(`http://127.0.0.1:${port}`);
  await server.start();
} else {
  await import('./servers/h2-node.mjs');
}
process.on('SIGUSR2', () => {
  const before = process.memoryUsage();
  globalThis.gc(); globalThis.gc();
  const m = process.memoryUsage();
  const spaces = v8.getHeapSpaceStatistics().map((s) => `${s.space_name.replace('_space','')}=${(s.space_used_size/1024|0)}/${(s.physical_space_size/1024|0)}`).join(' ');
  console.log(`rss=${m.rss>>10}k (before gc ${before.rss>>10}k heapUsed ${before.heapUsed>>10}k) heapUsed=${m.heapUsed>>10}k heapTotal=${m.heapTotal>>10}k ext=${m.external>>10}k ab=${m.arrayBuffers>>10}k | ${spaces}`);
});
console.log('listening');
