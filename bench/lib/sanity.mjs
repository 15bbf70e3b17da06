// Before a server is measured, check it answers the scenario's route exactly as the
// contract says; a server that answers wrongly would otherwise "win" the benchmark.

const ECHO_BODY = Buffer.alloc(64 * 1024, 'abcdefgh');

const CHECKS = {
  plaintext: { method: 'GET', path: '/plaintext', type: 'text/plain', body: Buffer.from('Hello, World!') },
  json: { method: 'GET', path: '/json', type: 'application/json', body: Buffer.from('{"message":"Hello, World!"}') },
  routes: { method: 'GET', path: '/r17/users/123', type: 'application/json', body: Buffer.from('{"id":"123"}') },
  echo: { method: 'POST', path: '/echo', type: 'application/octet-stream', body: ECHO_BODY, send: ECHO_BODY },
};

/** Resolves with null when the route is right, or with a one-line description of what is wrong. */
export async function checkRoute(port, route) {
  const check = CHECKS[route];
  try {
    const response = await fetch(`http://127.0.0.1:${port}${check.path}`, {
      method: check.method,
      body: check.send,
      headers: check.send ? { 'content-type': check.type } : undefined,
      signal: AbortSignal.timeout(5000),
    });
    const body = Buffer.from(await response.arrayBuffer());
    const type = response.headers.get('content-type') ?? '';
    if (response.status !== 200) return `${check.method} ${check.path} answered ${response.status}`;
    if (!type.startsWith(check.type)) return `${check.method} ${check.path} has content-type "${type}", expected ${check.type}`;
    if (!body.equals(check.body)) return `${check.method} ${check.path} returned a different body (${body.length} bytes, expected ${check.body.length})`;
    return null;
  } catch (error) {
    return `${check.method} ${check.path} failed: ${error.cause?.message ?? error.message}`;
  }
}

/** The HTTP/2 row's contract: GET /plaintext over h2c (prior knowledge) → 200 text/plain "Hello, World!". */
export async function checkH2Plaintext(port) {
  const http2 = await import('node:http2');
  return new Promise((resolve) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const done = (problem) => {
      clearTimeout(timer);
      session.destroy();
      resolve(problem);
    };
    const timer = setTimeout(() => done('h2 GET /plaintext: no answer within 5 s'), 5000);
    session.on('error', (error) => done(`h2 GET /plaintext failed: ${error.message}`));
    const stream = session.request({ ':method': 'GET', ':path': '/plaintext' });
    let status = 0;
    let type = '';
    const chunks = [];
    stream.on('response', (headers) => {
      status = headers[':status'];
      type = headers['content-type'] ?? '';
    });
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('error', (error) => done(`h2 GET /plaintext failed: ${error.message}`));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      if (status !== 200) return done(`h2 GET /plaintext answered ${status}`);
      if (!type.startsWith(CHECKS.plaintext.type)) return done(`h2 GET /plaintext has content-type "${type}", expected text/plain`);
      if (!body.equals(CHECKS.plaintext.body)) return done(`h2 GET /plaintext returned a different body (${body.length} bytes)`);
      done(null);
    });
  });
}

/** The WebSocket row's contract: /ws upgrades and echoes a text message of `bytes` bytes unchanged. */
export async function checkWsEcho(port, bytes) {
  const { WebSocket } = await import('ws');
  const payload = Buffer.alloc(bytes, 'x').toString();
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
    const done = (problem) => {
      clearTimeout(timer);
      ws.terminate();
      resolve(problem);
    };
    const timer = setTimeout(() => done('WebSocket /ws: no echo within 5 s'), 5000);
    ws.once('error', (error) => done(`WebSocket /ws failed: ${error.message}`));
    ws.once('open', () => ws.send(payload));
    ws.once('message', (data, isBinary) => {
      if (isBinary) return done('WebSocket /ws echoed a text message as binary');
      done(data.toString() === payload ? null : `WebSocket /ws echoed ${data.length} bytes that differ from the ${bytes} sent`);
    });
  });
}

/**
 * The compressed row's contract: GET /big.json with Accept-Encoding: br, gzip → 200, JSON,
 * content-encoding br, and the brotli-decoded body is the demo app's document. (fetch would
 * decode it silently, so node:http reads the raw bytes.)
 */
export async function checkCompressed(port) {
  const [{ default: http }, { brotliDecompressSync }, { bigDocument }] = await Promise.all([
    import('node:http'),
    import('node:zlib'),
    import('../../dist/hosting/demo-big-document.js'),
  ]);
  const expected = JSON.stringify(bigDocument());
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/big.json', headers: { 'accept-encoding': 'br, gzip' }, timeout: 5000 }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve(`GET /big.json answered ${res.statusCode}`);
        if (!String(res.headers['content-type']).startsWith('application/json')) return resolve(`GET /big.json has content-type "${res.headers['content-type']}"`);
        if (res.headers['content-encoding'] !== 'br') return resolve(`GET /big.json has content-encoding "${res.headers['content-encoding']}", expected br`);
        let text;
        try {
          text = brotliDecompressSync(Buffer.concat(chunks)).toString('utf8');
        } catch (error) {
          return resolve(`GET /big.json: the body is not brotli: ${error.message}`);
        }
        resolve(text === expected ? null : `GET /big.json decoded to ${text.length} bytes, not the ${expected.length}-byte document`);
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', (error) => resolve(`GET /big.json failed: ${error.message}`));
  });
}
