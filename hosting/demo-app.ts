import { ApplicationBuilder, HttpError, type HttpContext } from '../pipeline/index.js';

const HELLO = 'Hello, World!';

/**
 * The app `tiercel serve` runs when given no module: the TechEmpower-style routes the benchmark
 * uses, an echo and a health check.
 *
 * - `GET /plaintext` → `Hello, World!` (text/plain)
 * - `GET /json` → `{"message":"Hello, World!"}` (serialised per request, as TechEmpower requires)
 * - `POST /echo` → the request body back, streamed, with its content type
 * - `GET /healthz` → `Healthy`
 */
export function demoApp(app = new ApplicationBuilder()): ApplicationBuilder {
  return app.run(handle);
}

function handle(ctx: HttpContext): void | Promise<void> {
  const { request, response } = ctx;
  switch (request.path) {
    case '/plaintext':
      return void response.send(HELLO);
    case '/json':
      return void response.json({ message: HELLO });
    case '/healthz':
      return void response.send('Healthy');
    case '/echo': {
      if (request.method !== 'POST') throw new HttpError(405, 'Use POST', { headers: { allow: 'POST' } });
      const type = request.headers.get('content-type');
      if (type !== undefined) response.headers.set('content-type', type);
      if (request.contentLength >= 0) response.headers.set('content-length', request.contentLength);
      return response.stream(request.body);
    }
    case '/':
      response.headers.set('content-type', 'text/html; charset=utf-8');
      return void response.send(INDEX);
  }
  throw new HttpError(404);
}

const INDEX = `<!doctype html><meta charset="utf-8"><title>tiercel</title>
<h1>tiercel</h1><p>A Kestrel-class server for Node.js. Try
<a href="/plaintext">/plaintext</a>, <a href="/json">/json</a>, <a href="/healthz">/healthz</a>,
or <code>curl --data-binary @file http://localhost:5000/echo</code>.</p>`;
