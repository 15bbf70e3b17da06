// The transport of the in-process benchmarks (connection-bench, alloc-bench, echo-gc-bench): the
// least a transport can be. It takes every write at once (never full, so nothing is held back)
// and counts the bytes; `first` keeps the first write, for a check of what was answered.
import { EventEmitter } from 'node:events';

export class CountingTransport extends EventEmitter {
  destroyed = false;
  writableNeedDrain = false;
  writableLength = 0;
  bytes = 0;
  first = '';
  write(data) {
    if (this.first === '') this.first = String(data);
    this.bytes += data.length;
    return true;
  }
  pause() {}
  resume() {}
}

/**
 * One HTTP/1.1 connection serving `app` over a CountingTransport, as the in-process benchmarks run
 * it: `load` imports a module of the tiercel build under test (dist/ or bundle/). Started; feed it
 * reads with `transport.emit('data', bytes)`.
 */
export async function countingConnection(load, app) {
  const { Http1Connection } = await load('protocols/http1/http1-connection.js');
  const { resolveHttpOptions, Heartbeat } = await load('protocols/http/index.js');
  const { ConnectionContext } = await load('connection/index.js');
  const options = resolveHttpOptions();
  const transport = new CountingTransport();
  const ctx = new ConnectionContext({ transport, localEndpoint: { kind: 'memory', name: 'bench' }, remoteEndpoint: { kind: 'memory', name: 'client' } });
  const quiet = { debug() {}, info() {}, warn() {}, error: (...args) => console.error(...args) };
  const connection = new Http1Connection(ctx, app, {
    limits: options.limits,
    serverLine: options.serverLine,
    extraMethods: [],
    upgrades: options.upgrades,
    heartbeat: new Heartbeat(),
    logger: quiet,
  });
  connection.run();
  return { transport, connection };
}
