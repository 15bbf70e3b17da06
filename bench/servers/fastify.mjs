// fastify 5, default settings apart from logging (off, as in fastify's own benchmarks).
// Usage: node servers/fastify.mjs <port>   (prints "listening" when ready)
// Also exports build() so inject.mjs measures the very same app in memory.
import compress from '@fastify/compress';
import Fastify from 'fastify';
import { pathToFileURL } from 'node:url';
// The very document tiercel's demo serves at /big.json, so the compressed row compares like with like.
import { bigDocument } from '../../dist/hosting/demo-big-document.js';

export function build() {
  const app = Fastify({ logger: false });

  // Keep bodies as streams so /echo streams back instead of buffering (fastify's
  // built-in parsers would buffer, and stop at the 1 MiB default bodyLimit).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, payload, done) => done(null, payload));

  app.get('/plaintext', (request, reply) => {
    reply.type('text/plain').send('Hello, World!');
  });
  app.get('/json', (request, reply) => {
    // No response schema: fastify falls back to JSON.stringify per request.
    reply.send({ message: 'Hello, World!' });
  });
  app.post('/echo', (request, reply) => {
    reply.type(request.headers['content-type'] ?? 'application/octet-stream').send(request.body);
  });

  // Compression on /big.json only (global: false, the route opts in), so the other rows' routes
  // keep fastify's default path, as tiercel's demo calls its compression middleware from that route alone.
  app.register(async (scope) => {
    await scope.register(compress, { global: false });
    scope.get('/big.json', { compress: {} }, (request, reply) => {
      reply.send(bigDocument());
    });
  });
  return app;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.argv[2] ?? 3000);
  const app = build();
  await app.listen({ port, host: '127.0.0.1' });
  console.log('listening');
}
