// Before a server is measured, check it answers the scenario's route exactly as the
// contract says; a server that answers wrongly would otherwise "win" the benchmark.

const ECHO_BODY = Buffer.alloc(64 * 1024, 'abcdefgh');

const CHECKS = {
  plaintext: { method: 'GET', path: '/plaintext', type: 'text/plain', body: Buffer.from('Hello, World!') },
  json: { method: 'GET', path: '/json', type: 'application/json', body: Buffer.from('{"message":"Hello, World!"}') },
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
